/*
 * The four blueprints of Port's Entra ID guide (application, service
 * principal, user, group with its members relation), exactly as the guide
 * gives them, for --init.  Only data: creating them in Port is port.c's job.
 */
#include <stddef.h>
#include <string.h>

#include "blueprints.h"

/*
 * One literal per blueprint: ISO C only promises string literals of 4095
 * bytes, so the array is joined on first use.
 */
static const char app[] =
"[\n"
"{\n"
"  \"identifier\": \"entra-id-application\",\n"
"  \"description\": \"An application registration in Microsoft Entra ID\",\n"
"  \"title\": \"Entra ID Application\",\n"
"  \"icon\": \"Microsoft\",\n"
"  \"schema\": {\n"
"    \"properties\": {\n"
"      \"displayName\": {\n"
"        \"title\": \"Display Name\",\n"
"        \"type\": \"string\"\n"
"      },\n"
"      \"appId\": {\n"
"        \"title\": \"Application ID\",\n"
"        \"type\": \"string\"\n"
"      },\n"
"      \"publisherDomain\": {\n"
"        \"title\": \"Publisher Domain\",\n"
"        \"type\": \"string\"\n"
"      },\n"
"      \"signInAudience\": {\n"
"        \"title\": \"Sign-In Audience\",\n"
"        \"type\": \"string\"\n"
"      },\n"
"      \"createdDateTime\": {\n"
"        \"title\": \"Created Date\",\n"
"        \"type\": \"string\",\n"
"        \"format\": \"date-time\"\n"
"      }\n"
"    },\n"
"    \"required\": [\"displayName\"]\n"
"  },\n"
"  \"mirrorProperties\": {},\n"
"  \"calculationProperties\": {},\n"
"  \"aggregationProperties\": {},\n"
"  \"relations\": {}\n"
"},\n";

static const char sp[] =
"{\n"
"  \"identifier\": \"entra-id-service-principal\",\n"
"  \"description\": \"A service principal object in Microsoft Entra ID\",\n"
"  \"title\": \"Entra ID Service Principal\",\n"
"  \"icon\": \"Microsoft\",\n"
"  \"schema\": {\n"
"    \"properties\": {\n"
"      \"displayName\": {\n"
"        \"title\": \"Display Name\",\n"
"        \"type\": \"string\"\n"
"      },\n"
"      \"appId\": {\n"
"        \"title\": \"Application ID\",\n"
"        \"type\": \"string\"\n"
"      },\n"
"      \"appOwnerOrganizationId\": {\n"
"        \"title\": \"Owner Organization\",\n"
"        \"type\": \"string\"\n"
"      },\n"
"      \"accountEnabled\": {\n"
"        \"title\": \"Account Enabled\",\n"
"        \"type\": \"boolean\"\n"
"      },\n"
"      \"appRoleAssignmentRequired\": {\n"
"        \"title\": \"App Role Assignment Required\",\n"
"        \"type\": \"boolean\"\n"
"      },\n"
"      \"createdDateTime\": {\n"
"        \"title\": \"Created Date\",\n"
"        \"type\": \"string\",\n"
"        \"format\": \"date-time\"\n"
"      }\n"
"    },\n"
"    \"required\": [\"displayName\"]\n"
"  },\n"
"  \"mirrorProperties\": {},\n"
"  \"calculationProperties\": {},\n"
"  \"aggregationProperties\": {},\n"
"  \"relations\": {}\n"
"},\n";

static const char user[] =
"{\n"
"  \"identifier\": \"entra-id-user\",\n"
"  \"description\": \"A Microsoft Entra ID user account\",\n"
"  \"title\": \"Entra ID User\",\n"
"  \"icon\": \"Microsoft\",\n"
"  \"schema\": {\n"
"    \"properties\": {\n"
"      \"userPrincipalName\": {\n"
"        \"title\": \"User Principal Name\",\n"
"        \"type\": \"string\",\n"
"        \"format\": \"email\"\n"
"      },\n"
"      \"displayName\": {\n"
"        \"title\": \"Display Name\",\n"
"        \"type\": \"string\"\n"
"      },\n"
"      \"givenName\": {\n"
"        \"title\": \"Given Name\",\n"
"        \"type\": \"string\"\n"
"      },\n"
"      \"surname\": {\n"
"        \"title\": \"Surname\",\n"
"        \"type\": \"string\"\n"
"      },\n"
"      \"mail\": {\n"
"        \"title\": \"Email\",\n"
"        \"type\": \"string\",\n"
"        \"format\": \"email\"\n"
"      },\n"
"      \"jobTitle\": {\n"
"        \"title\": \"Job Title\",\n"
"        \"type\": \"string\"\n"
"      },\n"
"      \"department\": {\n"
"        \"title\": \"Department\",\n"
"        \"type\": \"string\"\n"
"      },\n"
"      \"officeLocation\": {\n"
"        \"title\": \"Office Location\",\n"
"        \"type\": \"string\"\n"
"      },\n"
"      \"accountEnabled\": {\n"
"        \"title\": \"Account Enabled\",\n"
"        \"type\": \"boolean\"\n"
"      },\n"
"      \"createdDateTime\": {\n"
"        \"title\": \"Created Date\",\n"
"        \"type\": \"string\",\n"
"        \"format\": \"date-time\"\n"
"      },\n"
"      \"lastSignInDateTime\": {\n"
"        \"title\": \"Last Sign In\",\n"
"        \"type\": \"string\",\n"
"        \"format\": \"date-time\"\n"
"      }\n"
"    },\n"
"    \"required\": [\"userPrincipalName\"]\n"
"  },\n"
"  \"mirrorProperties\": {},\n"
"  \"calculationProperties\": {},\n"
"  \"aggregationProperties\": {},\n"
"  \"relations\": {}\n"
"},\n";

static const char group[] =
"{\n"
"  \"identifier\": \"entra-id-group\",\n"
"  \"description\": \"A Microsoft Entra ID group (security or "
"Microsoft 365)\",\n"
"  \"title\": \"Entra ID Group\",\n"
"  \"icon\": \"Microsoft\",\n"
"  \"schema\": {\n"
"    \"properties\": {\n"
"      \"displayName\": {\n"
"        \"title\": \"Display Name\",\n"
"        \"type\": \"string\"\n"
"      },\n"
"      \"description\": {\n"
"        \"title\": \"Description\",\n"
"        \"type\": \"string\"\n"
"      },\n"
"      \"groupTypes\": {\n"
"        \"title\": \"Group Types\",\n"
"        \"type\": \"array\",\n"
"        \"items\": {\n"
"          \"type\": \"string\"\n"
"        }\n"
"      },\n"
"      \"mailEnabled\": {\n"
"        \"title\": \"Mail Enabled\",\n"
"        \"type\": \"boolean\"\n"
"      },\n"
"      \"securityEnabled\": {\n"
"        \"title\": \"Security Enabled\",\n"
"        \"type\": \"boolean\"\n"
"      },\n"
"      \"createdDateTime\": {\n"
"        \"title\": \"Created Date\",\n"
"        \"type\": \"string\",\n"
"        \"format\": \"date-time\"\n"
"      }\n"
"    },\n"
"    \"required\": [\"displayName\"]\n"
"  },\n"
"  \"mirrorProperties\": {},\n"
"  \"calculationProperties\": {},\n"
"  \"aggregationProperties\": {},\n"
"  \"relations\": {\n"
"    \"members\": {\n"
"      \"title\": \"Members\",\n"
"      \"target\": \"entra-id-user\",\n"
"      \"required\": false,\n"
"      \"many\": true\n"
"    }\n"
"  }\n"
"}\n"
"]\n";

static char builtin_json[sizeof(app) + sizeof(sp) + sizeof(user) +
    sizeof(group)];

const char *blueprints_builtin_ids[] = {
	"entra-id-application",
	"entra-id-service-principal",
	"entra-id-user",
	"entra-id-group",
	NULL
};

const char *
blueprints_builtin_json(void)
{
	const char *const parts[] = { app, sp, user, group };
	size_t i;

	if (builtin_json[0] == '\0')
		for (i = 0; i < sizeof(parts) / sizeof(parts[0]); i++)
			strcat(builtin_json, parts[i]);
	return builtin_json;
}

/*
 * Graph's v1.0 schema for the four kinds, as data: the tables below are
 * Microsoft's published metadata (schemas/v1.0-Prod.csdl of
 * microsoftgraph/msgraph-metadata, as extracted in reference/
 * graph-schema.md; a copy is in tests/contracts and t_graphschema checks
 * these tables against it), sorted by name for bsearch.  The page-size
 * facts come from Microsoft's "List users" page (reference/graph-api.md
 * 1.1).  Nothing here sends a request or prints.
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "buf.h"
#include "csv.h"
#include "graphschema.h"
#include "jqscan.h"
#include "mapping.h"
#include "xmalloc.h"

#define NELEM(a)    (sizeof(a) / sizeof((a)[0]))
#define TOP_MAX     999 /* every directory collection */
#define TOP_SIGNIN  500 /* users with signInActivity selected/filtered */
#define NEAREST_MAX 3

/* clang-format off */
static const struct graphschema_prop entity_props[] = {
	{ "id", "Edm.String", GS_NOT_NULL },
};

static const struct graphschema_prop directoryObject_props[] = {
	{ "deletedDateTime", "Edm.DateTimeOffset", 0 },
};

static const struct graphschema_prop user_props[] = {
	{ "aboutMe", "Edm.String", 0 },
	{ "accountEnabled", "Edm.Boolean", 0 },
	{ "ageGroup", "Edm.String", 0 },
	{ "assignedLicenses", "assignedLicense", GS_COLLECTION | GS_NOT_NULL },
	{ "assignedPlans", "assignedPlan", GS_COLLECTION | GS_NOT_NULL },
	{ "authorizationInfo", "authorizationInfo", 0 },
	{ "birthday", "Edm.DateTimeOffset", GS_NOT_NULL },
	{ "businessPhones", "Edm.String", GS_COLLECTION | GS_NOT_NULL },
	{ "city", "Edm.String", 0 },
	{ "companyName", "Edm.String", 0 },
	{ "consentProvidedForMinor", "Edm.String", 0 },
	{ "country", "Edm.String", 0 },
	{ "createdDateTime", "Edm.DateTimeOffset", 0 },
	{ "creationType", "Edm.String", 0 },
	{ "customSecurityAttributes", "customSecurityAttributeValue", 0 },
	{ "department", "Edm.String", 0 },
	{ "deviceEnrollmentLimit", "Edm.Int32", GS_NOT_NULL },
	{ "displayName", "Edm.String", 0 },
	{ "employeeHireDate", "Edm.DateTimeOffset", 0 },
	{ "employeeId", "Edm.String", 0 },
	{ "employeeLeaveDateTime", "Edm.DateTimeOffset", 0 },
	{ "employeeOrgData", "employeeOrgData", 0 },
	{ "employeeType", "Edm.String", 0 },
	{ "externalUserState", "Edm.String", 0 },
	{ "externalUserStateChangeDateTime", "Edm.DateTimeOffset", 0 },
	{ "faxNumber", "Edm.String", 0 },
	{ "givenName", "Edm.String", 0 },
	{ "hireDate", "Edm.DateTimeOffset", GS_NOT_NULL },
	{ "identities", "objectIdentity", GS_COLLECTION },
	{ "identityParentId", "Edm.String", 0 },
	{ "imAddresses", "Edm.String", GS_COLLECTION },
	{ "interests", "Edm.String", GS_COLLECTION },
	{ "isManagementRestricted", "Edm.Boolean", 0 },
	{ "isResourceAccount", "Edm.Boolean", 0 },
	{ "jobTitle", "Edm.String", 0 },
	{ "lastPasswordChangeDateTime", "Edm.DateTimeOffset", 0 },
	{ "legalAgeGroupClassification", "Edm.String", 0 },
	{ "licenseAssignmentStates", "licenseAssignmentState", GS_COLLECTION },
	{ "mail", "Edm.String", 0 },
	{ "mailNickname", "Edm.String", 0 },
	{ "mailboxSettings", "mailboxSettings", 0 },
	{ "mobilePhone", "Edm.String", 0 },
	{ "mySite", "Edm.String", 0 },
	{ "officeLocation", "Edm.String", 0 },
	{ "onPremisesDistinguishedName", "Edm.String", 0 },
	{ "onPremisesDomainName", "Edm.String", 0 },
	{ "onPremisesExtensionAttributes", "onPremisesExtensionAttributes", 0 },
	{ "onPremisesImmutableId", "Edm.String", 0 },
	{ "onPremisesLastSyncDateTime", "Edm.DateTimeOffset", 0 },
	{ "onPremisesProvisioningErrors", "onPremisesProvisioningError", GS_COLLECTION },
	{ "onPremisesSamAccountName", "Edm.String", 0 },
	{ "onPremisesSecurityIdentifier", "Edm.String", 0 },
	{ "onPremisesSyncEnabled", "Edm.Boolean", 0 },
	{ "onPremisesUserPrincipalName", "Edm.String", 0 },
	{ "otherMails", "Edm.String", GS_COLLECTION | GS_NOT_NULL },
	{ "passwordPolicies", "Edm.String", 0 },
	{ "passwordProfile", "passwordProfile", 0 },
	{ "pastProjects", "Edm.String", GS_COLLECTION },
	{ "postalCode", "Edm.String", 0 },
	{ "preferredDataLocation", "Edm.String", 0 },
	{ "preferredLanguage", "Edm.String", 0 },
	{ "preferredName", "Edm.String", 0 },
	{ "print", "userPrint", 0 },
	{ "provisionedPlans", "provisionedPlan", GS_COLLECTION | GS_NOT_NULL },
	{ "proxyAddresses", "Edm.String", GS_COLLECTION | GS_NOT_NULL },
	{ "responsibilities", "Edm.String", GS_COLLECTION },
	{ "schools", "Edm.String", GS_COLLECTION },
	{ "securityIdentifier", "Edm.String", 0 },
	{ "serviceProvisioningErrors", "serviceProvisioningError", GS_COLLECTION },
	{ "showInAddressList", "Edm.Boolean", 0 },
	{ "signInActivity", "signInActivity", 0 },
	{ "signInSessionsValidFromDateTime", "Edm.DateTimeOffset", 0 },
	{ "skills", "Edm.String", GS_COLLECTION },
	{ "state", "Edm.String", 0 },
	{ "streetAddress", "Edm.String", 0 },
	{ "surname", "Edm.String", 0 },
	{ "usageLocation", "Edm.String", 0 },
	{ "userPrincipalName", "Edm.String", 0 },
	{ "userType", "Edm.String", 0 },
};

static const struct graphschema_prop group_props[] = {
	{ "accessType", "groupAccessType", 0 },
	{ "allowExternalSenders", "Edm.Boolean", 0 },
	{ "assignedLabels", "assignedLabel", GS_COLLECTION },
	{ "assignedLicenses", "assignedLicense", GS_COLLECTION },
	{ "autoSubscribeNewMembers", "Edm.Boolean", 0 },
	{ "classification", "Edm.String", 0 },
	{ "createdDateTime", "Edm.DateTimeOffset", 0 },
	{ "description", "Edm.String", 0 },
	{ "displayName", "Edm.String", 0 },
	{ "expirationDateTime", "Edm.DateTimeOffset", 0 },
	{ "groupTypes", "Edm.String", GS_COLLECTION | GS_NOT_NULL },
	{ "hasMembersWithLicenseErrors", "Edm.Boolean", 0 },
	{ "hideFromAddressLists", "Edm.Boolean", 0 },
	{ "hideFromOutlookClients", "Edm.Boolean", 0 },
	{ "infoCatalogs", "Edm.String", GS_COLLECTION | GS_NOT_NULL },
	{ "isArchived", "Edm.Boolean", 0 },
	{ "isAssignableToRole", "Edm.Boolean", 0 },
	{ "isFavorite", "Edm.Boolean", 0 },
	{ "isManagementRestricted", "Edm.Boolean", 0 },
	{ "isSubscribedByMail", "Edm.Boolean", 0 },
	{ "licenseProcessingState", "licenseProcessingState", 0 },
	{ "mail", "Edm.String", 0 },
	{ "mailEnabled", "Edm.Boolean", 0 },
	{ "mailNickname", "Edm.String", 0 },
	{ "membershipRule", "Edm.String", 0 },
	{ "membershipRuleProcessingState", "Edm.String", 0 },
	{ "onPremisesDomainName", "Edm.String", 0 },
	{ "onPremisesExtensionAttributes", "onPremisesExtensionAttributes", 0 },
	{ "onPremisesLastSyncDateTime", "Edm.DateTimeOffset", 0 },
	{ "onPremisesNetBiosName", "Edm.String", 0 },
	{ "onPremisesProvisioningErrors", "onPremisesProvisioningError", GS_COLLECTION },
	{ "onPremisesSamAccountName", "Edm.String", 0 },
	{ "onPremisesSecurityIdentifier", "Edm.String", 0 },
	{ "onPremisesSyncEnabled", "Edm.Boolean", 0 },
	{ "organizationId", "Edm.String", 0 },
	{ "preferredDataLocation", "Edm.String", 0 },
	{ "preferredLanguage", "Edm.String", 0 },
	{ "proxyAddresses", "Edm.String", GS_COLLECTION | GS_NOT_NULL },
	{ "renewedDateTime", "Edm.DateTimeOffset", 0 },
	{ "resourceBehaviorOptions", "Edm.String", GS_COLLECTION | GS_NOT_NULL },
	{ "resourceProvisioningOptions", "Edm.String", GS_COLLECTION | GS_NOT_NULL },
	{ "securityEnabled", "Edm.Boolean", 0 },
	{ "securityIdentifier", "Edm.String", 0 },
	{ "serviceProvisioningErrors", "serviceProvisioningError", GS_COLLECTION },
	{ "theme", "Edm.String", 0 },
	{ "uniqueName", "Edm.String", 0 },
	{ "unseenConversationsCount", "Edm.Int32", 0 },
	{ "unseenCount", "Edm.Int32", 0 },
	{ "unseenMessagesCount", "Edm.Int32", 0 },
	{ "visibility", "Edm.String", 0 },
	{ "welcomeMessageEnabled", "Edm.Boolean", 0 },
};

static const struct graphschema_prop application_props[] = {
	{ "addIns", "addIn", GS_COLLECTION | GS_NOT_NULL },
	{ "api", "apiApplication", 0 },
	{ "appId", "Edm.String", 0 },
	{ "appRoles", "appRole", GS_COLLECTION | GS_NOT_NULL },
	{ "applicationTemplateId", "Edm.String", 0 },
	{ "authenticationBehaviors", "authenticationBehaviors", 0 },
	{ "certification", "certification", 0 },
	{ "createdByAppId", "Edm.String", 0 },
	{ "createdDateTime", "Edm.DateTimeOffset", 0 },
	{ "defaultRedirectUri", "Edm.String", 0 },
	{ "description", "Edm.String", 0 },
	{ "disabledByMicrosoftStatus", "Edm.String", 0 },
	{ "displayName", "Edm.String", 0 },
	{ "groupMembershipClaims", "Edm.String", 0 },
	{ "identifierUris", "Edm.String", GS_COLLECTION | GS_NOT_NULL },
	{ "info", "informationalUrl", 0 },
	{ "isDeviceOnlyAuthSupported", "Edm.Boolean", 0 },
	{ "isDisabled", "Edm.Boolean", 0 },
	{ "isFallbackPublicClient", "Edm.Boolean", 0 },
	{ "keyCredentials", "keyCredential", GS_COLLECTION | GS_NOT_NULL },
	{ "logo", "Edm.Stream", GS_NOT_NULL },
	{ "managerApplications", "Edm.Guid", GS_COLLECTION | GS_NOT_NULL },
	{ "nativeAuthenticationApisEnabled", "nativeAuthenticationApisEnabled", 0 },
	{ "notes", "Edm.String", 0 },
	{ "oauth2RequirePostResponse", "Edm.Boolean", GS_NOT_NULL },
	{ "optionalClaims", "optionalClaims", 0 },
	{ "parentalControlSettings", "parentalControlSettings", 0 },
	{ "passwordCredentials", "passwordCredential", GS_COLLECTION | GS_NOT_NULL },
	{ "publicClient", "publicClientApplication", 0 },
	{ "publisherDomain", "Edm.String", 0 },
	{ "requestSignatureVerification", "requestSignatureVerification", 0 },
	{ "requiredResourceAccess", "requiredResourceAccess", GS_COLLECTION | GS_NOT_NULL },
	{ "samlMetadataUrl", "Edm.String", 0 },
	{ "serviceManagementReference", "Edm.String", 0 },
	{ "servicePrincipalLockConfiguration", "servicePrincipalLockConfiguration", 0 },
	{ "signInAudience", "Edm.String", 0 },
	{ "spa", "spaApplication", 0 },
	{ "tags", "Edm.String", GS_COLLECTION | GS_NOT_NULL },
	{ "tokenEncryptionKeyId", "Edm.Guid", 0 },
	{ "uniqueName", "Edm.String", 0 },
	{ "verifiedPublisher", "verifiedPublisher", 0 },
	{ "web", "webApplication", 0 },
};

static const struct graphschema_prop servicePrincipal_props[] = {
	{ "accountEnabled", "Edm.Boolean", 0 },
	{ "addIns", "addIn", GS_COLLECTION | GS_NOT_NULL },
	{ "alternativeNames", "Edm.String", GS_COLLECTION | GS_NOT_NULL },
	{ "appDescription", "Edm.String", 0 },
	{ "appDisplayName", "Edm.String", 0 },
	{ "appId", "Edm.String", 0 },
	{ "appOwnerOrganizationId", "Edm.Guid", 0 },
	{ "appRoleAssignmentRequired", "Edm.Boolean", GS_NOT_NULL },
	{ "appRoles", "appRole", GS_COLLECTION | GS_NOT_NULL },
	{ "applicationTemplateId", "Edm.String", 0 },
	{ "createdByAppId", "Edm.String", 0 },
	{ "customSecurityAttributes", "customSecurityAttributeValue", 0 },
	{ "description", "Edm.String", 0 },
	{ "disabledByMicrosoftStatus", "Edm.String", 0 },
	{ "displayName", "Edm.String", 0 },
	{ "homepage", "Edm.String", 0 },
	{ "info", "informationalUrl", 0 },
	{ "isDisabled", "Edm.Boolean", 0 },
	{ "keyCredentials", "keyCredential", GS_COLLECTION | GS_NOT_NULL },
	{ "loginUrl", "Edm.String", 0 },
	{ "logoutUrl", "Edm.String", 0 },
	{ "notes", "Edm.String", 0 },
	{ "notificationEmailAddresses", "Edm.String", GS_COLLECTION | GS_NOT_NULL },
	{ "oauth2PermissionScopes", "permissionScope", GS_COLLECTION | GS_NOT_NULL },
	{ "passwordCredentials", "passwordCredential", GS_COLLECTION | GS_NOT_NULL },
	{ "preferredSingleSignOnMode", "Edm.String", 0 },
	{ "preferredTokenSigningKeyThumbprint", "Edm.String", 0 },
	{ "replyUrls", "Edm.String", GS_COLLECTION | GS_NOT_NULL },
	{ "resourceSpecificApplicationPermissions", "resourceSpecificPermission", GS_COLLECTION | GS_NOT_NULL },
	{ "samlSingleSignOnSettings", "samlSingleSignOnSettings", 0 },
	{ "servicePrincipalNames", "Edm.String", GS_COLLECTION | GS_NOT_NULL },
	{ "servicePrincipalType", "Edm.String", 0 },
	{ "signInAudience", "Edm.String", 0 },
	{ "tags", "Edm.String", GS_COLLECTION | GS_NOT_NULL },
	{ "tokenEncryptionKeyId", "Edm.Guid", 0 },
	{ "verifiedPublisher", "verifiedPublisher", 0 },
};

static const char *const user_nav[] = {
	"activities", "adhocCalls", "agreementAcceptances",
	"appRoleAssignments", "authentication", "calendar", "calendarGroups",
	"calendars", "calendarView", "chats", "cloudClipboard", "cloudPCs",
	"contactFolders", "contacts", "createdObjects",
	"dataSecurityAndGovernance", "deviceManagementTroubleshootingEvents",
	"directReports", "drive", "drives", "employeeExperience", "events",
	"extensions", "followedSites", "inferenceClassification", "insights",
	"joinedTeams", "licenseDetails", "mailFolders",
	"managedAppRegistrations", "managedDevices", "manager", "memberOf",
	"messages", "oauth2PermissionGrants", "onenote", "onlineMeetings",
	"onPremisesSyncBehavior", "outlook", "ownedDevices", "ownedObjects",
	"people", "permissionGrants", "photo", "photos", "planner",
	"presence", "registeredDevices", "scopedRoleMemberOf", "settings",
	"solutions", "sponsorOf", "sponsors", "teamwork", "todo",
	"transitiveMemberOf", NULL
};

static const char *const group_nav[] = {
	"acceptedSenders", "appRoleAssignments", "calendar", "calendarView",
	"conversations", "createdOnBehalfOf", "drive", "drives", "events",
	"extensions", "groupLifecyclePolicies", "memberOf", "members",
	"membersWithLicenseErrors", "onenote", "onPremisesSyncBehavior",
	"owners", "permissionGrants", "photo", "photos", "planner",
	"rejectedSenders", "settings", "sites", "team", "threads",
	"transitiveMemberOf", "transitiveMembers", NULL
};

static const char *const application_nav[] = {
	"appManagementPolicies", "createdOnBehalfOf", "extensionProperties",
	"federatedIdentityCredentials", "homeRealmDiscoveryPolicies",
	"owners", "synchronization", "tokenIssuancePolicies",
	"tokenLifetimePolicies", NULL
};

static const char *const servicePrincipal_nav[] = {
	"appManagementPolicies", "appRoleAssignedTo", "appRoleAssignments",
	"claimsMappingPolicies", "createdObjects",
	"delegatedPermissionClassifications", "endpoints",
	"federatedIdentityCredentials", "homeRealmDiscoveryPolicies",
	"memberOf", "oauth2PermissionGrants", "ownedObjects", "owners",
	"remoteDesktopSecurityConfiguration", "synchronization",
	"tokenIssuancePolicies", "tokenLifetimePolicies",
	"transitiveMemberOf", NULL
};
/* clang-format on */

/*
 * Returned by the live service though the metadata does not declare them
 * (graph-schema.md names these two): selectable like declared ones.
 */
static const struct graphschema_prop group_live[] = {
	{ "creationOptions", "Edm.String", GS_COLLECTION },
};

static const struct graphschema_prop servicePrincipal_live[] = {
	{ "createdDateTime", "Edm.DateTimeOffset", 0 },
};

/* Returned for a user without $select (graph-api.md 2.1, "List users"). */
static const char *const user_defaults[] = { "businessPhones", "displayName",
	"givenName", "id", "jobTitle", "mail", "mobilePhone", "officeLocation",
	"preferredLanguage", "surname", "userPrincipalName", NULL };

struct table {
	const struct graphschema_prop *p;
	size_t n;
};

struct kind {
	const char *path;
	const char *type;
	struct table own, live;
	const char *const *nav;
};

/* clang-format off */
#define TABLE(a)	{ (a), NELEM(a) }

static const struct kind kinds[] = {
	{ "/users", "user", TABLE(user_props), { NULL, 0 }, user_nav },
	{ "/groups", "group", TABLE(group_props), TABLE(group_live),
	    group_nav },
	{ "/applications", "application", TABLE(application_props),
	    { NULL, 0 }, application_nav },
	{ "/servicePrincipals", "servicePrincipal",
	    TABLE(servicePrincipal_props), TABLE(servicePrincipal_live),
	    servicePrincipal_nav },
};

/* Every kind inherits these (entity, then directoryObject). */
static const struct table inherited[] = {
	TABLE(entity_props), TABLE(directoryObject_props)
};
/* clang-format on */

/* The covered kind of a collection path ("/users" or "/users/"), or NULL. */
static const struct kind *
kind_of(const char *path)
{
	size_t i, n;

	if (path == NULL)
		return NULL;
	n = strlen(path);
	if (n > 1 && path[n - 1] == '/')
		n--;
	for (i = 0; i < NELEM(kinds); i++)
		if (strlen(kinds[i].path) == n &&
		    strncmp(kinds[i].path, path, n) == 0)
			return &kinds[i];
	return NULL;
}

static int
cmp_prop(const void *key, const void *elem)
{
	return strcmp(key, ((const struct graphschema_prop *)elem)->name);
}

static const struct graphschema_prop *
find(const struct table *t, const char *name)
{
	if (t->n == 0)
		return NULL;
	return bsearch(name, t->p, t->n, sizeof(*t->p), cmp_prop);
}

const char *
graphschema_type_of(const char *kind)
{
	const struct kind *k = kind_of(kind);

	return k != NULL ? k->type : NULL;
}

const struct graphschema_prop *
graphschema_prop(const char *kind, const char *name)
{
	const struct kind *k = kind_of(kind);
	const struct graphschema_prop *p;
	size_t i;

	if (k == NULL)
		return NULL;
	if ((p = find(&k->own, name)) != NULL ||
	    (p = find(&k->live, name)) != NULL)
		return p;
	for (i = 0; i < NELEM(inherited); i++)
		if ((p = find(&inherited[i], name)) != NULL)
			return p;
	return NULL;
}

static int
in_list(const char *const *list, const char *s)
{
	size_t i;

	for (i = 0; list[i] != NULL; i++)
		if (strcmp(list[i], s) == 0)
			return 1;
	return 0;
}

/*
 * A directory (schema) extension property: extension_, the owning app's
 * appId without dashes (32 hex digits), _, a name.  Tenants define them,
 * so no published schema lists them; $select names them (graph-api.md
 * 2.1).
 */
static int
is_extension(const char *name)
{
	size_t i;

	if (strncmp(name, "extension_", 10) != 0)
		return 0;
	for (i = 10; i < 42; i++)
		if (!isxdigit((unsigned char)name[i]))
			return 0;
	return name[42] == '_' && name[43] != '\0';
}

enum graphschema_name
graphschema_classify(const char *kind, const char *name)
{
	const struct kind *k = kind_of(kind);
	size_t i;

	if (name[0] == '@' || name[0] == '_')
		return GS_ANNOTATION;
	if (k == NULL) {
		/* Another collection (/devices): a name that is a
		 * relationship of any covered kind is taken for one. */
		for (i = 0; i < NELEM(kinds); i++)
			if (in_list(kinds[i].nav, name))
				return GS_NAVIGATION;
		return GS_UNCOVERED;
	}
	if (in_list(k->nav, name))
		return GS_NAVIGATION;
	if (graphschema_prop(kind, name) != NULL)
		return GS_PROPERTY;
	return is_extension(name) ? GS_EXTENSION : GS_UNDECLARED;
}

char *
graphschema_select(const char *kind, const char *fields)
{
	char *v = xstrdup(fields), *tok, *save = NULL;
	struct buf b;

	buf_init(&b);
	for (tok = strtok_r(v, ",", &save); tok != NULL;
	     tok = strtok_r(NULL, ",", &save)) {
		switch (graphschema_classify(kind, tok)) {
		case GS_PROPERTY:
		case GS_EXTENSION:
		case GS_UNCOVERED:
			buf_printf(&b, "%s%s", b.len > 0 ? "," : "", tok);
			break;
		default:
			break;
		}
	}
	free(v);
	return buf_detach(&b);
}

char *
graphschema_undeclared(const char *kind, const char *fields)
{
	char *v = xstrdup(fields), *tok, *save = NULL, *near;
	struct buf b;

	buf_init(&b);
	for (tok = strtok_r(v, ",", &save); tok != NULL;
	     tok = strtok_r(NULL, ",", &save)) {
		if (graphschema_classify(kind, tok) != GS_UNDECLARED)
			continue;
		buf_printf(&b, "%s'%s'", b.len > 0 ? ", " : "", tok);
		if ((near = graphschema_nearest(kind, tok)) != NULL)
			buf_printf(&b, " (did you mean %s?)", near);
		free(near);
	}
	free(v);
	if (b.len == 0) {
		buf_release(&b);
		return NULL;
	}
	return buf_detach(&b);
}

const char *const *
graphschema_user_defaults(void)
{
	return user_defaults;
}

int
graphschema_user_default(const char *name)
{
	return in_list(user_defaults, name);
}

/*
 * The optimal-string-alignment distance of a and b, case ignored (a
 * transposition counts one), or a value above limit once it is sure to
 * pass it.
 */
static size_t
distance(const char *a, const char *b, size_t limit)
{
	size_t la = strlen(a), lb = strlen(b), i, j, d;
	size_t *block, *row0, *row1, *row2, *t;

	if ((la > lb ? la - lb : lb - la) > limit)
		return limit + 1;
	block = xcalloc(3 * (lb + 1), sizeof(size_t));
	row0 = block;
	row1 = row0 + lb + 1;
	row2 = row1 + lb + 1;
	for (j = 0; j <= lb; j++)
		row1[j] = j;
	for (i = 1; i <= la; i++) {
		row2[0] = i;
		for (j = 1; j <= lb; j++) {
			int ca = tolower((unsigned char)a[i - 1]);
			int cb = tolower((unsigned char)b[j - 1]);
			size_t cost = ca != cb;

			d = row1[j - 1] + cost;
			if (row1[j] + 1 < d)
				d = row1[j] + 1;
			if (row2[j - 1] + 1 < d)
				d = row2[j - 1] + 1;
			if (i > 1 && j > 1 &&
			    ca == tolower((unsigned char)b[j - 2]) &&
			    tolower((unsigned char)a[i - 2]) == cb &&
			    row0[j - 2] + 1 < d)
				d = row0[j - 2] + 1;
			row2[j] = d;
		}
		t = row0;
		row0 = row1;
		row1 = row2;
		row2 = t;
	}
	d = row1[lb];
	free(block);
	return d;
}

/* Consider candidate p for the nearest names of name. */
static void
consider(const struct graphschema_prop *p, const char *name, size_t limit,
    const char **best, size_t *bestd, size_t *nbest)
{
	size_t d = distance(p->name, name, limit), k;

	if (d > limit || strcmp(p->name, name) == 0)
		return;
	if (*nbest > 0 && d > *bestd)
		return;
	if (*nbest > 0 && d < *bestd)
		*nbest = 0;
	*bestd = d;
	for (k = 0; k < *nbest; k++)
		if (strcmp(best[k], p->name) == 0)
			return;
	if (*nbest < NEAREST_MAX)
		best[(*nbest)++] = p->name;
}

char *
graphschema_nearest(const char *kind, const char *name)
{
	const struct kind *k = kind_of(kind);
	const struct table *all[2 + NELEM(inherited)];
	const char *best[NEAREST_MAX];
	size_t n = strlen(name), limit, bestd = 0, nbest = 0, i, j;
	struct buf b;

	if (k == NULL)
		return NULL;
	/* Close enough to be a slip of the keyboard, not another word. */
	limit = n <= 4 ? 1 : n <= 8 ? 2 : 3;
	all[0] = &k->own;
	all[1] = &k->live;
	for (i = 0; i < NELEM(inherited); i++)
		all[2 + i] = &inherited[i];
	for (i = 0; i < NELEM(all); i++)
		for (j = 0; j < all[i]->n; j++)
			consider(&all[i]->p[j], name, limit, best, &bestd,
			    &nbest);
	if (nbest == 0)
		return NULL;
	buf_init(&b);
	for (i = 0; i < nbest; i++)
		buf_printf(&b, "%s%s", i > 0 ? ", " : "", best[i]);
	return buf_detach(&b);
}

const char *
graphschema_port_type(const struct graphschema_prop *p)
{
	if (p->flags & GS_COLLECTION)
		return "array";
	if (strcmp(p->type, "Edm.Stream") == 0)
		return NULL;
	if (strcmp(p->type, "Edm.Boolean") == 0)
		return "boolean";
	if (strcmp(p->type, "Edm.Int32") == 0 ||
	    strcmp(p->type, "Edm.Int64") == 0 ||
	    strcmp(p->type, "Edm.Double") == 0)
		return "number";
	if (strncmp(p->type, "Edm.", 4) == 0)
		return "string"; /* String, DateTimeOffset, Guid, Binary */
	/* Enum types travel as their member names. */
	if (strcmp(p->type, "groupAccessType") == 0 ||
	    strcmp(p->type, "nativeAuthenticationApisEnabled") == 0)
		return "string";
	return "object";
}

const char *
graphschema_port_format(const struct graphschema_prop *p)
{
	if (!(p->flags & GS_COLLECTION) &&
	    strcmp(p->type, "Edm.DateTimeOffset") == 0)
		return "date-time";
	return NULL;
}

/* Does the $filter text name property s (a whole word, case ignored)? */
static int
filter_has(const char *filter, const char *s)
{
	size_t n = strlen(s);
	const char *p;

	for (p = filter; p != NULL && *p != '\0'; p++) {
		if (strncasecmp(p, s, n) != 0)
			continue;
		if ((p == filter || !isalnum((unsigned char)p[-1])) &&
		    !isalnum((unsigned char)p[n]))
			return 1;
	}
	return 0;
}

long
graphschema_max_top(const char *kind, const char *select, const char *filter)
{
	const struct kind *k = kind_of(kind);

	if (k != NULL && strcmp(k->type, "user") == 0 &&
	    (csv_has(select, "signInActivity") ||
		filter_has(filter, "signInActivity")))
		return TOP_SIGNIN;
	return TOP_MAX;
}

/* Graph paths whose objects take $select (directory collections). */
static int
is_directory_kind(const char *kind)
{
	static const char *const known[] = { "/users", "/groups",
		"/applications", "/servicePrincipals", "/devices", "/contacts",
		NULL };
	size_t i;

	for (i = 0; known[i] != NULL; i++)
		if (strcmp(kind, known[i]) == 0)
			return 1;
	return 0;
}

/*
 * The $select to add when the resource has none, or NULL: what the
 * mapping reads that Graph's schema lets a $select name.
 */
char *
graphschema_derive_select(const struct mapping_resource *r)
{
	char *fields, *sel;

	if (!is_directory_kind(r->kind) || mapping_param(r, "$select") != NULL)
		return NULL;
	if ((fields = jqscan_fields_read(r)) == NULL)
		return NULL;
	sel = graphschema_select(r->kind, fields);
	free(fields);
	return sel;
}

/*
 * The $top to ask for: the mapping's, lowered to what Graph serves with
 * the $select and $filter in params (the checks have warned); NULL to
 * keep it.  The caller frees the result.
 */
char *
graphschema_clamp_top(const char *kind, char *const *names, char *const *values,
    size_t n)
{
	const char *top = NULL, *sel = NULL, *flt = NULL;
	size_t i;
	long max;

	for (i = 0; i < n; i++) {
		if (strcmp(names[i], "$top") == 0)
			top = values[i];
		else if (strcmp(names[i], "$select") == 0)
			sel = values[i];
		else if (strcmp(names[i], "$filter") == 0)
			flt = values[i];
	}
	max = graphschema_max_top(kind, sel, flt);
	if (top == NULL || strtol(top, NULL, 10) <= max)
		return NULL;
	return xasprintf("%ld", max);
}

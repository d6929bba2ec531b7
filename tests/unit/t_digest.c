/*
 * Unit tests for digest.c: the digest ignores key order and null members
 * (a null equals a missing key), covers title, team, the mapped
 * properties and relations only, and changes with any mapped value, its
 * type, its position in an array, or a number's last digits.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cJSON.h>

#include "digest.h"
#include "mapping.h"
#include "tap.h"

static struct mapping_field props[4], rels[1];
static struct mapping_resource res;

/* Field f named name, mapped (its jq text does not matter here). */
static void
field(struct mapping_field *f, const char *name)
{
	f->name = strdup(name);
	f->value = strdup(".x");
}

/* The digest of JSON text j under res. */
static uint64_t
dg(const char *j)
{
	cJSON *e = cJSON_Parse(j);
	uint64_t h;

	if (e == NULL) {
		printf("# bad JSON in the test: %s\n", j);
		return 0;
	}
	h = digest_entity(e, &res);
	cJSON_Delete(e);
	return h;
}

#define BASE                                                         \
	"{\"identifier\":\"u1\",\"title\":\"Ann\",\"team\":\"t\","   \
	"\"properties\":{\"mail\":\"a@x\",\"n\":1.5,\"tags\":[1,2]," \
	"\"obj\":{\"a\":1,\"b\":\"c\"}},\"relations\":{\"manager\":" \
	"\"u2\"}}"

static void
same(const char *j, const char *name)
{
	ok(dg(j) == dg(BASE), "same digest: %s", name);
}

static void
differs(const char *j, const char *name)
{
	ok(dg(j) != dg(BASE), "digest differs: %s", name);
}

int
main(void)
{
	field(&props[0], "mail");
	field(&props[1], "n");
	field(&props[2], "tags");
	field(&props[3], "obj");
	field(&rels[0], "manager");
	field(&res.title, "title");
	field(&res.team, "team");
	res.properties = props;
	res.nproperties = 4;
	res.relations = rels;
	res.nrelations = 1;

	same("{\"relations\":{\"manager\":\"u2\"},\"properties\":{\"obj\":"
	     "{\"b\":\"c\",\"a\":1},\"tags\":[1,2],\"n\":1.5,\"mail\":\"a@x\"},"
	     "\"team\":\"t\",\"title\":\"Ann\",\"identifier\":\"u1\"}",
	    "keys in another order, nested too");
	same("{\"identifier\":\"u1\",\"title\":\"Ann\",\"team\":\"t\","
	     "\"properties\":{\"mail\":\"a@x\",\"n\":1.5,\"tags\":[1,2],"
	     "\"obj\":{\"a\":1,\"b\":\"c\",\"z\":null},\"extra\":null},"
	     "\"relations\":{\"manager\":\"u2\",\"other\":null}}",
	    "explicit nulls equal missing keys");
	same("{\"identifier\":\"u1\",\"title\":\"Ann\",\"team\":\"t\","
	     "\"properties\":{\"mail\":\"a@x\",\"n\":1.5,\"tags\":[1,2],"
	     "\"obj\":{\"a\":1,\"b\":\"c\"},\"unmapped\":\"x\"},"
	     "\"relations\":{\"manager\":\"u2\",\"notmine\":\"u9\"},"
	     "\"icon\":\"Users\",\"blueprint\":\"b\"}",
	    "unmapped properties, relations and fields do not count");
	differs("{\"identifier\":\"u1\",\"title\":\"Anne\",\"team\":\"t\","
		"\"properties\":{\"mail\":\"a@x\",\"n\":1.5,\"tags\":[1,2],"
		"\"obj\":{\"a\":1,\"b\":\"c\"}},\"relations\":{\"manager\":"
		"\"u2\"}}",
	    "title");
	differs("{\"identifier\":\"u1\",\"title\":\"Ann\",\"team\":\"u\","
		"\"properties\":{\"mail\":\"a@x\",\"n\":1.5,\"tags\":[1,2],"
		"\"obj\":{\"a\":1,\"b\":\"c\"}},\"relations\":{\"manager\":"
		"\"u2\"}}",
	    "team");
	differs("{\"identifier\":\"u1\",\"title\":\"Ann\",\"team\":\"t\","
		"\"properties\":{\"mail\":\"a@y\",\"n\":1.5,\"tags\":[1,2],"
		"\"obj\":{\"a\":1,\"b\":\"c\"}},\"relations\":{\"manager\":"
		"\"u2\"}}",
	    "a string property");
	differs("{\"identifier\":\"u1\",\"title\":\"Ann\",\"team\":\"t\","
		"\"properties\":{\"mail\":\"a@x\",\"n\":1.5000000000000002,"
		"\"tags\":[1,2],\"obj\":{\"a\":1,\"b\":\"c\"}},\"relations\":"
		"{\"manager\":\"u2\"}}",
	    "a number's 17th digit");
	differs("{\"identifier\":\"u1\",\"title\":\"Ann\",\"team\":\"t\","
		"\"properties\":{\"mail\":\"a@x\",\"n\":\"1.5\",\"tags\":[1,2],"
		"\"obj\":{\"a\":1,\"b\":\"c\"}},\"relations\":{\"manager\":"
		"\"u2\"}}",
	    "a number become a string");
	differs("{\"identifier\":\"u1\",\"title\":\"Ann\",\"team\":\"t\","
		"\"properties\":{\"mail\":\"a@x\",\"n\":1.5,\"tags\":[2,1],"
		"\"obj\":{\"a\":1,\"b\":\"c\"}},\"relations\":{\"manager\":"
		"\"u2\"}}",
	    "array order");
	differs("{\"identifier\":\"u1\",\"title\":\"Ann\",\"team\":\"t\","
		"\"properties\":{\"mail\":\"a@x\",\"n\":1.5,\"tags\":[1,2],"
		"\"obj\":{\"a\":1,\"b\":\"d\"}},\"relations\":{\"manager\":"
		"\"u2\"}}",
	    "a nested value");
	differs("{\"identifier\":\"u1\",\"title\":\"Ann\",\"team\":\"t\","
		"\"properties\":{\"mail\":\"a@x\",\"n\":1.5,\"tags\":[1,2],"
		"\"obj\":{\"a\":1,\"b\":\"c\"}},\"relations\":{\"manager\":"
		"\"u3\"}}",
	    "a relation");
	differs("{\"identifier\":\"u1\",\"title\":\"Ann\",\"team\":\"t\","
		"\"properties\":{\"mail\":\"a@x\",\"n\":1.5,\"tags\":[1,2]},"
		"\"relations\":{\"manager\":\"u2\"}}",
	    "a mapped property gone");
	ok(dg("{\"properties\":{\"mail\":true}}") !=
		dg("{\"properties\":{\"mail\":false}}"),
	    "true and false differ");
	ok(dg("{\"properties\":{\"mail\":\"\"}}") != dg("{\"properties\":{}}"),
	    "an empty string is not a null");
	ok(dg("{\"properties\":{\"tags\":[]}}") !=
		dg("{\"properties\":{\"tags\":{}}}"),
	    "[] and {} differ");
	ok(dg("{\"properties\":{\"mail\":\"a\",\"n\":\"b\"}}") !=
		dg("{\"properties\":{\"mail\":\"b\",\"n\":\"a\"}}"),
	    "values swapped between keys differ");
	free(res.title.value);
	res.title.value = NULL;
	ok(dg(BASE) ==
		dg("{\"identifier\":\"u1\",\"title\":\"Other\","
		   "\"team\":\"t\",\"properties\":{\"mail\":\"a@x\",\"n\":1.5,"
		   "\"tags\":[1,2],\"obj\":{\"a\":1,\"b\":\"c\"}},\"relations\":"
		   "{\"manager\":\"u2\"}}"),
	    "an unmapped title does not count");
	return done_testing();
}

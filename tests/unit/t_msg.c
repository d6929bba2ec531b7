/*
 * Unit tests for msg.c: redaction (a secret twice in one line, short and
 * long secrets, secrets inside others, secrets that look like their own
 * replacement), that every level's line passes through the redactor in
 * text and JSON, and which levels each verbosity shows.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "msg.h"
#include "tap.h"

static FILE *errf;    /* stderr, redirected to a temporary file */
static long errpos;   /* what has been read of it so far */
static size_t caplen; /* bytes the last captured() read */

static void
capture_start(void)
{
	char tmpl[] = "/tmp/t_msg.XXXXXX";
	int fd;

	fflush(stderr);
	if ((fd = mkstemp(tmpl)) == -1 || dup2(fd, 2) == -1) {
		perror("capture");
		exit(1);
	}
	close(fd);
	unlink(tmpl);
	if ((errf = fdopen(dup(2), "r")) == NULL) {
		perror("fdopen");
		exit(1);
	}
}

/*
 * What was written to stderr since the last call, in a static buffer;
 * caplen counts its bytes, so a NUL written to stderr shows.
 */
static const char *
captured(void)
{
	static char s[8192];
	size_t n;

	fflush(stderr);
	fseek(errf, errpos, SEEK_SET);
	n = fread(s, 1, sizeof(s) - 1, errf);
	s[n] = '\0';
	caplen = n;
	errpos += (long)n;
	return s;
}

/* msg_redact on a copy of in, compared with want. */
static void
redacts(const char *in, const char *want, const char *name)
{
	char buf[512];

	snprintf(buf, sizeof(buf), "%s", in);
	is_str(msg_redact(buf), want, "%s", name);
}

static void
test_redact(void)
{
	redacts("nothing secret here", "nothing secret here",
	    "no secret: unchanged");
	msg_secret("Zq81xv-client-secret");
	redacts("secret=Zq81xv-client-secret", "secret=[REDACTED]",
	    "a long secret");
	redacts("a Zq81xv-client-secret b Zq81xv-client-secret c",
	    "a [REDACTED] b [REDACTED] c", "a long secret twice in one line");
	redacts("Zq81xv-client-secretZq81xv-client-secret",
	    "[REDACTED][REDACTED]", "a long secret twice, back to back");
	redacts("Zq81xv-client-secre", "Zq81xv-client-secre",
	    "a prefix of a secret is not redacted");

	msg_secret("pw12");
	redacts("password pw12 and pw12 again, pw12",
	    "password **** and **** again, ****",
	    "a short secret three times in one line");
	msg_secret("abc");
	redacts("abc", "***", "a 3-byte secret");
	redacts("xabcabcx", "x******x", "a 3-byte secret twice, back to back");
	msg_secret("123456789");
	redacts("[123456789] 123456789", "[*********] *********",
	    "a 9-byte secret (one short of the marker) twice");
	msg_secret("ABCDEFGHIJ");
	redacts("<ABCDEFGHIJ> <ABCDEFGHIJ>", "<[REDACTED]> <[REDACTED]>",
	    "a 10-byte secret (as long as the marker) twice");
	msg_secret("ABCDEFGHIJK");
	redacts("ABCDEFGHIJK", "[REDACTED]", "an 11-byte secret");
	/* A short secret registered before a longer one that holds it. */
	msg_secret("wq7");
	msg_secret("Mwq7-long-secret-Mn55rt");
	redacts("key Mwq7-long-secret-Mn55rt; wq7", "key [REDACTED]; ***",
	    "a longer secret holding a shorter one goes whole");

	/* A secret inside another: the longer goes whole, in either order. */
	msg_secret("Bearer tok-Kp27wy-0001");
	msg_secret("tok-Kp27wy-0001");
	redacts("Authorization: Bearer tok-Kp27wy-0001; again "
		"tok-Kp27wy-0001",
	    "Authorization: [REDACTED]; again [REDACTED]",
	    "a token and its Authorization value");

	/* Secrets that look like a replacement must not loop forever. */
	msg_secret("****");
	redacts("x **** y", "x **** y", "a secret of asterisks");
	msg_secret("[REDACTED]");
	redacts("[REDACTED] [REDACTED]", "[REDACTED] [REDACTED]",
	    "a secret equal to the marker");

	msg_secret("");
	msg_secret(NULL);
	redacts("empty ok", "empty ok", "an empty secret is ignored");
}

static void
test_lines(void)
{
	const char *e;

	msg_setup(1, MSG_TEXT);
	msg_error("cannot use Zq81xv-client-secret: pw12/pw12");
	e = captured();
	is_str(e, "entra2port: error: cannot use [REDACTED]: ****/****\n",
	    "an error line is redacted");
	is_int(caplen, strlen(e), "nothing after the redacted line's end");
	msg_error("at the end: Zq81xv-client-secret");
	e = captured();
	is_str(e, "entra2port: error: at the end: [REDACTED]\n",
	    "a secret at the end of a line");
	is_int(caplen, strlen(e), "no tail of the secret after the line");
	msg_warn("w %s", "Zq81xv-client-secret");
	e = captured();
	is_str(e, "entra2port: warning: w [REDACTED]\n",
	    "a warning's arguments are redacted");
	msg_info("not shown pw12");
	msg_debug("not shown");
	e = captured();
	is_str(e, "", "verbosity 1: no info, no debug");

	msg_setup(4, MSG_TEXT);
	msg_info("info pw12");
	msg_debug("debug pw12");
	msg_log(MSG_TRACE, "trace pw12");
	e = captured();
	is_str(e,
	    "entra2port: info ****\nentra2port: debug: debug ****\n"
	    "entra2port: trace: trace ****\n",
	    "verbosity 4: info, debug and trace, all redacted");

	msg_setup(0, MSG_TEXT);
	msg_warn("quiet warning");
	msg_error("quiet error");
	e = captured();
	is_str(e, "entra2port: error: quiet error\n",
	    "verbosity 0: errors only");
	ok(msg_enabled(MSG_ERROR) && !msg_enabled(MSG_WARN),
	    "verbosity 0: error enabled, warning not");

	msg_setup(2, MSG_TEXT);
	ok(msg_enabled(MSG_INFO) && !msg_enabled(MSG_DEBUG),
	    "verbosity 2: info enabled, debug not");
	msg_setup(3, MSG_TEXT);
	ok(msg_enabled(MSG_DEBUG) && !msg_enabled(MSG_TRACE),
	    "verbosity 3: debug enabled, trace not");

	msg_setup(1, MSG_JSON);
	msg_warn("quote \" Zq81xv-client-secret twice Zq81xv-client-secret");
	e = captured();
	ok(strncmp(e, "{\"time\":\"", 9) == 0 &&
		strstr(e,
		    "Z\",\"level\":"
		    "\"warning\",\"message\":\"quote \\\" [REDACTED] twice "
		    "[REDACTED]\"}\n") != NULL,
	    "a JSON line, escaped and redacted");
	if (strstr(e, "[REDACTED] twice [REDACTED]") == NULL)
		printf("# got: %s", e);
	is_int(caplen, strlen(e), "nothing after the JSON line's end");

	msg_secrets_wipe();
	msg_setup(1, MSG_TEXT);
	msg_warn("after wipe pw12");
	e = captured();
	is_str(e, "entra2port: warning: after wipe pw12\n",
	    "secrets forgotten after msg_secrets_wipe");
}

/* One rule for what is masked in examples and in --inspect. */
static void
test_secret_names(void)
{
	static const char *const yes[] = { "key", "Key", "encryptionKey",
		"customKeyIdentifier_key", "secretText", "clientSecret",
		"passwordCredentials", "accessToken", "TOKEN",
		"keyCredentials_"
		"credential",
		"clientAssertion", NULL };
	static const char *const no[] = { "keyId", "displayName", "id", "appId",
		"mail", NULL };
	size_t i;

	for (i = 0; yes[i] != NULL; i++)
		ok(msg_secret_name(yes[i]), "'%s' is masked", yes[i]);
	for (i = 0; no[i] != NULL; i++)
		ok(!msg_secret_name(no[i]), "'%s' is shown", no[i]);
	ok(!msg_secret_name(NULL), "no name");
}

int
main(void)
{
	capture_start();
	test_redact();
	test_lines();
	test_secret_names();
	return done_testing();
}

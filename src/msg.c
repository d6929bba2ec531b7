/*
 * Diagnostics on stderr, in text ("entra2port: warning: ...") or one JSON
 * object per line.  All output passes through the redactor first.  This
 * module does not decide what is an error; callers do, once.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "buf.h"
#include "msg.h"
#include "xmalloc.h"

static int verbosity = 1;
static enum msg_format format = MSG_TEXT;
static char **secrets;
static size_t nsecrets;
static void (*hook_before)(void);
static void (*hook_after)(void);

void
msg_setup(int v, enum msg_format f)
{
	verbosity = v;
	format = f;
}

int
msg_enabled(enum msg_level l)
{
	return (int)l <= verbosity || (l == MSG_ERROR);
}

void
msg_set_hooks(void (*before)(void), void (*after)(void))
{
	hook_before = before;
	hook_after = after;
}

/*
 * Register s as a secret (copied).  Every non-empty secret counts, however
 * short: a 3-byte certificate password is still a secret, and redacting
 * a short string too often is better than printing a secret once.
 */
void
msg_secret(const char *s)
{
	size_t i;

	if (s == NULL || *s == '\0')
		return;
	for (i = 0; i < nsecrets; i++)
		if (strcmp(secrets[i], s) == 0)
			return;
	/* Longest first: a secret inside a longer one must not cut the
	 * longer one short and leave the rest of it printed. */
	secrets = xreallocarray(secrets, nsecrets + 1, sizeof(*secrets));
	for (i = nsecrets; i > 0 && strlen(secrets[i - 1]) < strlen(s); i--)
		secrets[i] = secrets[i - 1];
	secrets[i] = xstrdup(s);
	nsecrets++;
}

void
msg_secrets_wipe(void)
{
	size_t i;

	for (i = 0; i < nsecrets; i++)
		freezero_str(secrets[i]);
	free(secrets);
	secrets = NULL;
	nsecrets = 0;
}

int
msg_secret_name(const char *name)
{
	static const char *const words[] = { "secret", "password", "token",
		"credential", "assertion", NULL };
	size_t i, n;

	if (name == NULL)
		return 0;
	n = strlen(name);
	if (n >= 3 && strcasecmp(name + n - 3, "key") == 0)
		return 1;
	for (i = 0; words[i] != NULL; i++)
		if (strcasestr(name, words[i]) != NULL)
			return 1;
	return 0;
}

char *
msg_redact(char *s)
{
	static const char red[] = "[REDACTED]";
	const size_t rl = sizeof(red) - 1;
	size_t i;

	for (i = 0; i < nsecrets; i++) {
		size_t sl = strlen(secrets[i]);
		char *p = s;

		/*
		 * In place, so the replacement is never longer than the
		 * secret: one shorter than "[REDACTED]" becomes as many
		 * '*'.  The search goes on after each replacement, so a
		 * secret that looks like its replacement cannot loop.
		 */
		while ((p = strstr(p, secrets[i])) != NULL) {
			if (sl >= rl) {
				memcpy(p, red, rl);
				memmove(p + rl, p + sl, strlen(p + sl) + 1);
				p += rl;
			} else {
				memset(p, '*', sl);
				p += sl;
			}
		}
	}
	return s;
}

/* Each level's name in a line, by enum msg_level. */
static const char *const level_names[MSG_TRACE + 1] = { "error", "warning",
	"info", "debug", "trace" };

void
msg_timestamp(char *out, size_t n)
{
	char tbuf[32];
	struct timespec ts;
	struct tm tm;

	clock_gettime(CLOCK_REALTIME, &ts);
	gmtime_r(&ts.tv_sec, &tm);
	strftime(tbuf, sizeof(tbuf), "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(out, n, "%s.%03ldZ", tbuf, ts.tv_nsec / 1000000);
}

/* Append ,"name":"value" (redacted) to b when value is not NULL. */
static void
json_member(struct buf *b, int *first, const char *name, const char *value)
{
	char *v;

	if (value == NULL)
		return;
	v = msg_redact(xstrdup(value));
	buf_printf(b, "%s\"%s\":", *first ? "" : ",", name);
	buf_json_str(b, v, strlen(v));
	*first = 0;
	free(v);
}

static void __attribute__((format(printf, 3, 0)))
vlog(enum msg_level l, const struct msg_fields *f, const char *fmt, va_list ap)
{
	struct buf line, out;
	char tbuf[64];
	int first = 1;

	if (!msg_enabled(l))
		return;
	buf_init(&line);
	buf_init(&out);
	buf_vprintf(&line, fmt, ap);
	if (line.data != NULL) {
		/* The redactor shrinks the text in place: what followed the
		 * new end is the tail of a secret, never to be printed. */
		msg_redact(line.data);
		line.len = strlen(line.data);
	}
	if (format == MSG_JSON) {
		msg_timestamp(tbuf, sizeof(tbuf));
		buf_printf(&out,
		    "{\"time\":\"%s\",\"level\":\"%s\","
		    "\"message\":",
		    tbuf, level_names[l]);
		buf_json_str(&out, buf_str(&line), line.len);
		if (f != NULL) {
			first = 0;
			json_member(&out, &first, "event", f->event);
			buf_puts(&out, ",\"fields\":{");
			first = 1;
			json_member(&out, &first, "kind", f->kind);
			json_member(&out, &first, "blueprint", f->blueprint);
			json_member(&out, &first, "identifier", f->identifier);
			json_member(&out, &first, "code", f->code);
			json_member(&out, &first, "requestId", f->request_id);
			buf_putc(&out, '}');
		}
		buf_puts(&out, "}\n");
	} else {
		buf_puts(&out, "entra2port: ");
		if (l != MSG_INFO)
			buf_printf(&out, "%s: ", level_names[l]);
		/* Whatever a service put in an identifier or a message, no
		 * control character, and no line that starts like ours. */
		buf_put_lines(&out, buf_str(&line), line.len);
		buf_putc(&out, '\n');
	}
	if (hook_before != NULL)
		hook_before();
	fwrite(buf_str(&out), 1, out.len, stderr);
	fflush(stderr);
	if (hook_after != NULL)
		hook_after();
	buf_release(&line);
	buf_release(&out);
}

void
msg_log(enum msg_level l, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vlog(l, NULL, fmt, ap);
	va_end(ap);
}

void
msg_event(enum msg_level l, const struct msg_fields *f, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vlog(l, f, fmt, ap);
	va_end(ap);
}

#define DEF(name, level)                    \
	void name(const char *fmt, ...)     \
	{                                   \
		va_list ap;                 \
		va_start(ap, fmt);          \
		vlog(level, NULL, fmt, ap); \
		va_end(ap);                 \
	}

DEF(msg_error, MSG_ERROR)
DEF(msg_warn, MSG_WARN)
DEF(msg_info, MSG_INFO)
DEF(msg_debug, MSG_DEBUG)

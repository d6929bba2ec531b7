/*
 * Messages to stderr: levels, text or JSON lines, and redaction.  Every
 * secret the program learns is registered with msg_secret(); every line
 * printed at any level has those strings replaced by "[REDACTED]", so a
 * secret cannot leak through a log line, an error or a -vv trace.
 */
#ifndef E2P_MSG_H
#define E2P_MSG_H

#include <stddef.h>

enum msg_level {
	MSG_ERROR = 0, /* shown unless nothing at all is wanted */
	MSG_WARN = 1,  /* default threshold */
	MSG_INFO = 2,  /* -v */
	MSG_DEBUG = 3, /* -vv: request traces */
	MSG_TRACE = 4  /* -vvv */
};

enum msg_format {
	MSG_TEXT = 0,
	MSG_JSON = 1
};

/* verbosity: 0 for -q (errors only), 1 default, 2 -v, 3 -vv, 4 -vvv. */
void msg_setup(int verbosity, enum msg_format);
int msg_enabled(enum msg_level);
/*
 * Register a secret to redact (copied; any non-empty string counts).  A
 * secret of 10 bytes or more prints as "[REDACTED]", a shorter one as
 * many '*'.
 */
void msg_secret(const char *);
/* Forget all secrets, wiping the copies (at exit). */
void msg_secrets_wipe(void);
/*
 * 1 if a value under this key name holds a secret and is never shown or
 * sent as a raw example: "key" or a name ending in "key" (encryptionKey),
 * or one holding secret, password, token, credential or assertion (case
 * ignored).  The one rule for --send-examples and --inspect.
 */
int msg_secret_name(const char *name);
/* Redact registered secrets from s in place; returns s. */
char *msg_redact(char *);

void msg_error(const char *, ...) __attribute__((format(printf, 1, 2)));
void msg_warn(const char *, ...) __attribute__((format(printf, 1, 2)));
void msg_info(const char *, ...) __attribute__((format(printf, 1, 2)));
void msg_debug(const char *, ...) __attribute__((format(printf, 1, 2)));
void msg_log(enum msg_level, const char *, ...)
    __attribute__((format(printf, 2, 3)));

/*
 * What an event is about, for log collectors: with --log-format json the
 * line carries "event" and a "fields" object of the members that are not
 * NULL (kind, blueprint, identifier, code, requestId); text lines show
 * the message only.
 */
struct msg_fields {
	const char *event; /* "entity_rejected", ... */
	const char *kind;  /* the resource's Graph path */
	const char *blueprint;
	const char *identifier;
	const char *code;       /* Port's or Graph's error code */
	const char *request_id; /* Graph request-id, Port X-Trace-Id */
};

void msg_event(enum msg_level, const struct msg_fields *, const char *, ...)
    __attribute__((format(printf, 3, 4)));
/* The time as log lines show it: UTC, ISO 8601, milliseconds. */
void msg_timestamp(char *out, size_t n);

/* Hooks for the progress line: called before/after each message. */
void msg_set_hooks(void (*before)(void), void (*after)(void));

#endif

/*
 * Token providers.  A provider builds its token request (form POST to the
 * Microsoft identity platform, GET to a managed identity endpoint, JSON
 * POST to Port), sends it through the HTTP engine without retrying 4xx,
 * parses the reply and keeps the token until shortly before it expires.
 * It never prints a secret: tokens and assertions are registered with
 * msg_secret() and wiped when dropped.
 */
#include <cJSON.h>
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "auth.h"
#include "buf.h"
#include "msg.h"
#include "xmalloc.h"

enum auth_kind {
	AUTH_STATIC,
	AUTH_SECRET,
	AUTH_CERT,
	AUTH_FEDERATED,
	AUTH_APPSERVICE,
	AUTH_IMDS,
	AUTH_PORT
};

struct auth {
	struct http_auth base; /* first: http.c sees only this */
	enum auth_kind kind;
	const char *service; /* "Microsoft Graph" or "Port" */
	char *token_url;
	char *client_id;
	char *secret;   /* client secret, wiped */
	char *scope;    /* Graph: origin/.default */
	char *resource; /* managed identity: origin */
	char *fed_file;
	char *mi_header; /* secret */
	char *user_agent;
	EVP_PKEY *key;
	char *x5t256; /* b64url SHA-256 of the certificate */
	char *x5c;    /* b64 DER, when the chain is sent */
	char *token;  /* "Bearer xxx", wiped */
	double expires_at;
	double lifetime;
	int pending;
	unsigned long requests;
};

static const char *
kind_name(enum auth_kind k)
{
	switch (k) {
	case AUTH_STATIC:
		return "static bearer token";
	case AUTH_SECRET:
		return "client secret";
	case AUTH_CERT:
		return "client certificate";
	case AUTH_FEDERATED:
		return "workload identity federation";
	case AUTH_APPSERVICE:
		return "managed identity (App Service)";
	case AUTH_IMDS:
		return "managed identity (IMDS)";
	default:
		return "Port client credentials";
	}
}

const char *
auth_describe(const struct auth *a)
{
	return kind_name(a->kind);
}

struct http_auth *
auth_http(struct auth *a)
{
	return &a->base;
}

char *
auth_scope_for(const char *graph_url)
{
	const char *p = strstr(graph_url, "://");
	size_t n;

	if (p == NULL)
		return xasprintf("%s/.default", graph_url);
	n = (size_t)(p + 3 - graph_url) + strcspn(p + 3, "/?#");
	return xasprintf("%.*s/.default", (int)n, graph_url);
}

void
auth_free(struct auth *a)
{
	if (a == NULL)
		return;
	freezero_str(a->token);
	freezero_str(a->secret);
	freezero_str(a->mi_header);
	free(a->token_url);
	free(a->client_id);
	free(a->scope);
	free(a->resource);
	free(a->fed_file);
	free(a->user_agent);
	free(a->x5t256);
	free(a->x5c);
	free(a->base.message);
	EVP_PKEY_free(a->key);
	free(a);
}

static void
b64url(struct buf *b, const unsigned char *p, size_t n)
{
	static const char tab[] =
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
	size_t i;

	for (i = 0; i + 2 < n; i += 3) {
		unsigned v = (unsigned)p[i] << 16 | (unsigned)p[i + 1] << 8 |
		    p[i + 2];

		buf_putc(b, tab[v >> 18]);
		buf_putc(b, tab[(v >> 12) & 63]);
		buf_putc(b, tab[(v >> 6) & 63]);
		buf_putc(b, tab[v & 63]);
	}
	if (n - i == 1) {
		unsigned v = (unsigned)p[i] << 16;

		buf_putc(b, tab[v >> 18]);
		buf_putc(b, tab[(v >> 12) & 63]);
	} else if (n - i == 2) {
		unsigned v = (unsigned)p[i] << 16 | (unsigned)p[i + 1] << 8;

		buf_putc(b, tab[v >> 18]);
		buf_putc(b, tab[(v >> 12) & 63]);
		buf_putc(b, tab[(v >> 6) & 63]);
	}
}

/* Password callback for PEM_read_bio_PrivateKey. */
static int
pem_pass(char *out, int size, int rw, void *u)
{
	const char *pw = *(const char **)u;
	int n;

	if (pw == NULL)
		return 0;
	n = (int)strlen(pw);
	if (n > size)
		n = size;
	memcpy(out, pw, (size_t)n);
	return n;
}

/* Load the PEM key and certificate of a certificate credential. */
static int
load_cert(struct auth *a, const char *path, const char *password,
    int send_chain)
{
	BIO *bio;
	X509 *x = NULL;
	unsigned char *der = NULL, md[EVP_MAX_MD_SIZE];
	unsigned mdlen;
	int len, rc = -1;
	struct buf b;

	if ((bio = BIO_new_file(path, "r")) == NULL) {
		msg_error("cannot read certificate '%s': %s", path,
		    strerror(errno));
		return -1;
	}
	a->key = PEM_read_bio_PrivateKey(bio, NULL, pem_pass, &password);
	if (a->key == NULL) {
		msg_error("'%s': no private key found (PEM with key and "
			  "certificate expected; wrong password?)",
		    path);
		goto out;
	}
	if (EVP_PKEY_base_id(a->key) != EVP_PKEY_RSA) {
		msg_error("'%s': the private key is not RSA", path);
		goto out;
	}
	(void)BIO_reset(bio);
	if ((x = PEM_read_bio_X509(bio, NULL, pem_pass, &password)) == NULL) {
		msg_error("'%s': no certificate found", path);
		goto out;
	}
	if ((len = i2d_X509(x, &der)) <= 0) {
		msg_error("'%s': cannot encode the certificate", path);
		goto out;
	}
	EVP_Digest(der, (size_t)len, md, &mdlen, EVP_sha256(), NULL);
	buf_init(&b);
	b64url(&b, md, mdlen);
	a->x5t256 = buf_detach(&b);
	if (send_chain) {
		unsigned char *enc = xmalloc((size_t)len * 2 + 8);

		EVP_EncodeBlock(enc, der, len);
		a->x5c = (char *)enc;
	}
	rc = 0;
out:
	OPENSSL_free(der);
	X509_free(x);
	BIO_free(bio);
	return rc;
}

/* A signed client assertion (RFC 7523) for the certificate credential. */
static char *
make_assertion(struct auth *a)
{
	struct buf hdr, cl, out;
	unsigned char rnd[16], *sig = NULL;
	size_t siglen = 0;
	EVP_MD_CTX *md = NULL;
	EVP_PKEY_CTX *pctx = NULL;
	double now = http_now();
	char *res = NULL;

	buf_init(&hdr);
	buf_init(&cl);
	buf_init(&out);
	buf_puts(&hdr, "{\"alg\":\"PS256\",\"typ\":\"JWT\",\"x5t#S256\":");
	buf_json_str(&hdr, a->x5t256, strlen(a->x5t256));
	if (a->x5c != NULL) {
		buf_puts(&hdr, ",\"x5c\":[");
		buf_json_str(&hdr, a->x5c, strlen(a->x5c));
		buf_puts(&hdr, "]");
	}
	buf_puts(&hdr, "}");
	RAND_bytes(rnd, sizeof(rnd));
	rnd[6] = (rnd[6] & 0x0f) | 0x40;
	rnd[8] = (rnd[8] & 0x3f) | 0x80;
	buf_puts(&cl, "{\"aud\":");
	buf_json_str(&cl, a->token_url, strlen(a->token_url));
	buf_puts(&cl, ",\"iss\":");
	buf_json_str(&cl, a->client_id, strlen(a->client_id));
	buf_puts(&cl, ",\"sub\":");
	buf_json_str(&cl, a->client_id, strlen(a->client_id));
	buf_printf(&cl,
	    ",\"jti\":\"%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-"
	    "%02x%02x%02x%02x%02x%02x\"",
	    rnd[0], rnd[1], rnd[2], rnd[3], rnd[4], rnd[5], rnd[6], rnd[7],
	    rnd[8], rnd[9], rnd[10], rnd[11], rnd[12], rnd[13], rnd[14],
	    rnd[15]);
	buf_printf(&cl, ",\"nbf\":%.0f,\"iat\":%.0f,\"exp\":%.0f}", floor(now),
	    floor(now), floor(now) + 600);
	b64url(&out, (unsigned char *)hdr.data, hdr.len);
	buf_putc(&out, '.');
	b64url(&out, (unsigned char *)cl.data, cl.len);
	if ((md = EVP_MD_CTX_new()) == NULL ||
	    EVP_DigestSignInit(md, &pctx, EVP_sha256(), NULL, a->key) != 1 ||
	    EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PSS_PADDING) != 1 ||
	    EVP_PKEY_CTX_set_rsa_pss_saltlen(pctx, RSA_PSS_SALTLEN_DIGEST) !=
		1 ||
	    EVP_DigestSign(md, NULL, &siglen, (unsigned char *)out.data,
		out.len) != 1) {
		msg_error("cannot sign the client assertion");
		goto fail;
	}
	sig = xmalloc(siglen);
	if (EVP_DigestSign(md, sig, &siglen, (unsigned char *)out.data,
		out.len) != 1) {
		msg_error("cannot sign the client assertion");
		goto fail;
	}
	buf_putc(&out, '.');
	b64url(&out, sig, siglen);
	res = buf_detach(&out);
	msg_secret(res);
fail:
	EVP_MD_CTX_free(md);
	free(sig);
	buf_release(&hdr);
	buf_release(&cl);
	buf_wipe_release(&out);
	return res;
}

/* Read the federated token file (re-read for every request: rotated). */
static char *
read_small_file(const char *path)
{
	struct buf b;

	buf_init(&b);
	if (buf_read_file(&b, path, 1 << 20) == -1) {
		msg_error("cannot read '%s': %s", path, strerror(errno));
		buf_wipe_release(&b);
		return NULL;
	}
	while (b.len > 0 && strchr(" \t\r\n", b.data[b.len - 1]) != NULL)
		b.data[--b.len] = '\0';
	if (b.len == 0) {
		msg_error("'%s' is empty", path);
		buf_release(&b);
		return NULL;
	}
	return buf_detach(&b);
}

static void
form_field(struct buf *b, const char *name, const char *value)
{
	if (b->len > 0)
		buf_putc(b, '&');
	buf_puts(b, name);
	buf_putc(b, '=');
	buf_urlenc(b, value);
}

static const char *
aad_hint(long code)
{
	switch (code) {
	case 7000215:
		return "the client secret is wrong: check "
		       "AZURE_CLIENT_SECRET (use the secret's value, not its id)";
	case 7000222:
		return "the client secret has expired: create a new "
		       "one in the app registration";
	case 700016:
		return "no application with this client id in the "
		       "tenant: check AZURE_CLIENT_ID and AZURE_TENANT_ID";
	case 90002:
	case 900023:
		return "the tenant was not found: check "
		       "AZURE_TENANT_ID";
	case 65001:
		return "admin consent is missing: grant it in the app "
		       "registration's API permissions";
	case 70011:
		return "the scope is not valid for this cloud: check "
		       "--graph-url and --authority-url";
	case 700027:
		return "the client assertion was refused: check the "
		       "certificate uploaded to the app registration";
	case 70021:
		return "no federated credential matches the token: check "
		       "the app registration's federated credentials (issuer, subject)";
	case 700024:
		return "the federated token has expired or is not yet "
		       "valid";
	default:
		return NULL;
	}
}

/*
 * Give up on tokens for good: waiting requests fail with message (taken
 * over).  report: print it; 0 when the cause was printed already.
 */
static void
fail(struct auth *a, struct http *h, char *message, int report)
{
	struct msg_fields f = { "auth_failed", NULL, NULL, NULL,
		a->kind == AUTH_PORT ? "port_token" : "graph_token", NULL };

	a->base.failed = 1;
	free(a->base.message);
	a->base.message = message;
	if (report)
		msg_event(MSG_ERROR, &f, "%s", message);
	http_auth_ready(h, &a->base);
}

/* Port's two regions, for hints about a wrong base URL. */
#define PORT_REGIONS \
	"https://api.getport.io (EU) or https://api.us.getport.io (US)"

/* Describe a refused token request (AADSTS, Port or plain HTTP). */
static char *
describe_failure(struct auth *a, struct http_resp *r)
{
	cJSON *j = cJSON_ParseWithLength(buf_str(&r->body), r->body.len);
	const cJSON *e, *d, *codes;
	struct buf m;
	char *res;

	buf_init(&m);
	buf_printf(&m, "cannot get a %s token (%s): ", a->service,
	    kind_name(a->kind));
	if (r->status == 0) {
		buf_puts(&m, r->error != NULL ? r->error : "no answer");
		if (a->kind == AUTH_PORT && r->error != NULL &&
		    strstr(r->error, "resolve host") != NULL)
			buf_puts(&m,
			    " (hint: check the host of the Port base "
			    "URL: " PORT_REGIONS ")");
		goto out;
	}
	buf_printf(&m, "HTTP %ld", r->status);
	e = cJSON_GetObjectItemCaseSensitive(j, "error");
	d = cJSON_GetObjectItemCaseSensitive(j, "error_description");
	if (!cJSON_IsString(d))
		d = cJSON_GetObjectItemCaseSensitive(j, "message");
	if (cJSON_IsString(d)) {
		/* AADSTS descriptions continue with Trace ID etc. lines. */
		size_t n = strcspn(d->valuestring, "\r\n");

		buf_printf(&m, ": %.*s", (int)n, d->valuestring);
	} else if (cJSON_IsString(e)) {
		buf_printf(&m, ": %s", e->valuestring);
	} else if (r->status == 401 && a->kind == AUTH_PORT) {
		buf_puts(&m, ": credentials refused");
	}
	codes = cJSON_GetObjectItemCaseSensitive(j, "error_codes");
	if (cJSON_IsArray(codes) &&
	    cJSON_IsNumber(cJSON_GetArrayItem(codes, 0)) &&
	    cJSON_GetArrayItem(codes, 0)->valuedouble >= 0 &&
	    cJSON_GetArrayItem(codes, 0)->valuedouble < 1e9) {
		const char *hint =
		    aad_hint((long)cJSON_GetArrayItem(codes, 0)->valuedouble);

		if (hint != NULL)
			buf_printf(&m, " (hint: %s)", hint);
	} else if (a->kind == AUTH_PORT &&
	    (r->status == 401 || r->status == 403)) {
		buf_puts(&m,
		    " (hint: check PORT_CLIENT_ID and "
		    "PORT_CLIENT_SECRET, and that the Port base URL is your "
		    "organization's region: " PORT_REGIONS ")");
	} else if (a->kind == AUTH_PORT &&
	    (r->status == 404 || r->status == 405 || j == NULL)) {
		/* "Route not found": a base URL with /v1, or not Port's API
		 * (the web app's host, a proxy, another region's path). */
		buf_puts(&m,
		    " (hint: the Port base URL is not Port's API; it "
		    "is " PORT_REGIONS ", without /v1)");
	}
out:
	cJSON_Delete(j);
	res = buf_detach(&m);
	return msg_redact(res);
}

static double
json_seconds(const cJSON *v)
{
	char *end;
	double d;

	if (cJSON_IsNumber(v))
		return v->valuedouble;
	if (cJSON_IsString(v)) {
		d = strtod(v->valuestring, &end);
		if (end != v->valuestring && *end == '\0')
			return d;
	}
	return -1;
}

static void
token_done(void *arg, struct http_resp *r)
{
	struct auth *a = ((void **)arg)[0];
	struct http *h = ((void **)arg)[1];
	cJSON *j = NULL;
	const cJSON *tok, *type;
	double life = -1, on;

	free(arg);
	a->pending = 0;
	if (r->interrupted) {
		a->base.failed = 1;
		http_auth_ready(h, &a->base);
		return;
	}
	if (r->status < 200 || r->status > 299) {
		fail(a, h, describe_failure(a, r), 1);
		return;
	}
	j = cJSON_ParseWithLength(buf_str(&r->body), r->body.len);
	if (a->kind == AUTH_PORT) {
		tok = cJSON_GetObjectItemCaseSensitive(j, "accessToken");
		type = cJSON_GetObjectItemCaseSensitive(j, "tokenType");
		life = json_seconds(cJSON_GetObjectItemCaseSensitive(j,
		    "expiresIn"));
	} else {
		tok = cJSON_GetObjectItemCaseSensitive(j, "access_token");
		type = cJSON_GetObjectItemCaseSensitive(j, "token_type");
		life = json_seconds(cJSON_GetObjectItemCaseSensitive(j,
		    "expires_in"));
		/* App Service sends only expires_on (epoch, as a string). */
		on = json_seconds(cJSON_GetObjectItemCaseSensitive(j,
		    "expires_on"));
		if (life < 0 && on > 0)
			life = on - http_now();
	}
	if (!cJSON_IsString(tok) || tok->valuestring[0] == '\0') {
		fail(a, h,
		    xasprintf("cannot get a %s token (%s): the reply "
			      "has no access token%s",
			a->service, kind_name(a->kind),
			a->kind == AUTH_PORT ?
			    " (hint: the Port base URL is not "
			    "Port's API; it is " PORT_REGIONS ", without /v1)" :
			    ""),
		    1);
		goto out;
	}
	msg_secret(tok->valuestring);
	freezero_str(a->token);
	a->token = xasprintf("%s %s",
	    cJSON_IsString(type) && type->valuestring[0] != '\0' ?
		type->valuestring :
		"Bearer",
	    tok->valuestring);
	msg_secret(a->token);
	if (life <= 0)
		life = 3600;
	a->lifetime = life;
	a->expires_at = http_now() + life;
	msg_info("got a %s token (%s), valid %.0f s", a->service,
	    kind_name(a->kind), life);
	http_auth_ready(h, &a->base);
out:
	if (j != NULL && cJSON_IsString(tok))
		explicit_bzero(tok->valuestring, strlen(tok->valuestring));
	cJSON_Delete(j);
}

/*
 * Send the token request.  Returns -1, after printing why, if it could not
 * even be built (certificate unusable, federated token file unreadable).
 */
static int
request_token(struct auth *a, struct http *h)
{
	struct http_req_opts o;
	struct buf body, url;
	const char *hdrs[4] = { NULL };
	char *assertion = NULL, *hv = NULL, *ua = NULL;
	void **arg;

	memset(&o, 0, sizeof(o));
	buf_init(&body);
	buf_init(&url);
	o.retry = HTTP_RETRY_TOKEN;
	switch (a->kind) {
	case AUTH_SECRET:
	case AUTH_CERT:
	case AUTH_FEDERATED:
		form_field(&body, "grant_type", "client_credentials");
		form_field(&body, "client_id", a->client_id);
		form_field(&body, "scope", a->scope);
		if (a->kind == AUTH_SECRET) {
			form_field(&body, "client_secret", a->secret);
		} else {
			assertion = a->kind == AUTH_CERT ?
			    make_assertion(a) :
			    read_small_file(a->fed_file);
			if (assertion == NULL)
				goto fail;
			msg_secret(assertion);
			form_field(&body, "client_assertion_type",
			    "urn:ietf:params:oauth:client-assertion-type:"
			    "jwt-bearer");
			form_field(&body, "client_assertion", assertion);
		}
		hdrs[0] = "Content-Type: application/x-www-form-urlencoded";
		o.method = "POST";
		buf_puts(&url, a->token_url);
		break;
	case AUTH_IMDS:
		buf_printf(&url,
		    "%s?api-version=2018-02-01&resource=", a->token_url);
		buf_urlenc(&url, a->resource);
		if (a->client_id != NULL) {
			buf_puts(&url, "&client_id=");
			buf_urlenc(&url, a->client_id);
		}
		hdrs[0] = "Metadata: true";
		o.retry = HTTP_RETRY_IMDS;
		break;
	case AUTH_APPSERVICE:
		buf_printf(&url,
		    "%s%capi-version=2019-08-01&resource=", a->token_url,
		    strchr(a->token_url, '?') ? '&' : '?');
		buf_urlenc(&url, a->resource);
		if (a->client_id != NULL) {
			buf_puts(&url, "&client_id=");
			buf_urlenc(&url, a->client_id);
		}
		hv = xasprintf("X-IDENTITY-HEADER: %s", a->mi_header);
		hdrs[0] = hv;
		break;
	case AUTH_PORT:
		buf_puts(&body, "{\"clientId\":");
		buf_json_str(&body, a->client_id, strlen(a->client_id));
		buf_puts(&body, ",\"clientSecret\":");
		buf_json_str(&body, a->secret, strlen(a->secret));
		buf_puts(&body, "}");
		hdrs[0] = "Content-Type: application/json";
		ua = xasprintf("User-Agent: %s", a->user_agent);
		hdrs[1] = ua;
		o.method = "POST";
		buf_puts(&url, a->token_url);
		break;
	default:
		goto fail;
	}
	o.url = url.data;
	o.headers = hdrs;
	o.body = body.data;
	o.body_len = body.len;
	arg = xcalloc(2, sizeof(void *));
	arg[0] = a;
	arg[1] = h;
	a->pending = 1;
	a->requests++;
	http_submit(h, &o, token_done, arg);
	buf_wipe_release(&body);
	buf_release(&url);
	freezero_str(assertion);
	freezero_str(hv);
	free(ua);
	return 0;
fail:
	buf_wipe_release(&body);
	buf_release(&url);
	return -1;
}

static const char *
op_token(struct http_auth *base, struct http *h)
{
	struct auth *a = (struct auth *)base;
	double now = http_now(), margin;

	if (a->kind == AUTH_STATIC)
		return a->token;
	/* Refresh ahead of expiry: 5 minutes, or a quarter of a short
	 * lifetime; a token still valid is used while the new one comes. */
	margin = a->lifetime / 4 < 300 ? a->lifetime / 4 : 300;
	if (a->token != NULL && now < a->expires_at - margin)
		return a->token;
	if (!a->pending && !a->base.failed && request_token(a, h) == -1) {
		fail(a, h,
		    xasprintf("cannot get a %s token (%s)", a->service,
			kind_name(a->kind)),
		    0);
		return NULL;
	}
	if (a->token != NULL && now < a->expires_at - 1)
		return a->token;
	return NULL;
}

static void
op_invalidate(struct http_auth *base, const char *value)
{
	struct auth *a = (struct auth *)base;

	if (a->kind == AUTH_STATIC) {
		if (!a->base.failed) {
			a->base.failed = 1;
			free(a->base.message);
			a->base.message = xstrdup(
			    "Microsoft Graph refused the "
			    "static bearer token (HTTP 401): it has expired or "
			    "is not valid; use a client secret, certificate or "
			    "managed identity instead, which refresh");
			msg_error("%s", a->base.message);
		}
		return;
	}
	if (a->token != NULL && strcmp(a->token, value) == 0) {
		msg_info("%s refused the token (401): refreshing", a->service);
		freezero_str(a->token);
		a->token = NULL;
		a->expires_at = 0;
	}
}

static const struct http_auth_ops ops = { op_token, op_invalidate };

static struct auth *
new_auth(enum auth_kind k, const char *service)
{
	struct auth *a = xcalloc(1, sizeof(*a));

	a->base.ops = &ops;
	a->kind = k;
	a->service = service;
	return a;
}

struct auth *
auth_static_new(const char *token)
{
	struct auth *a = new_auth(AUTH_STATIC, "Microsoft Graph");

	a->token = xasprintf("Bearer %s", token);
	msg_secret(a->token);
	return a;
}

struct auth *
auth_client_new(const struct auth_client *c)
{
	enum auth_kind k = c->secret != NULL ? AUTH_SECRET :
	    c->federated_file != NULL        ? AUTH_FEDERATED :
					       AUTH_CERT;
	struct auth *a = new_auth(k, "Microsoft Graph");

	a->client_id = xstrdup(c->client_id);
	a->token_url = xasprintf("%s/%s/oauth2/v2.0/token", c->authority,
	    c->tenant);
	a->scope = auth_scope_for(c->resource_url);
	if (k == AUTH_SECRET)
		a->secret = xstrdup(c->secret);
	else if (k == AUTH_FEDERATED)
		a->fed_file = xstrdup(c->federated_file);
	else if (load_cert(a, c->cert_path, c->cert_password,
		     c->send_cert_chain) == -1) {
		auth_free(a);
		return NULL;
	}
	return a;
}

struct auth *
auth_managed_new(const char *endpoint, const char *header,
    const char *imds_host, const char *client_id, const char *resource_url)
{
	struct auth *a;

	if (endpoint != NULL) {
		a = new_auth(AUTH_APPSERVICE, "Microsoft Graph");
		a->token_url = xstrdup(endpoint);
		a->mi_header = xstrdup(header);
	} else {
		a = new_auth(AUTH_IMDS, "Microsoft Graph");
		a->token_url = xasprintf("%s/metadata/identity/oauth2/token",
		    imds_host != NULL ? imds_host : "http://169.254.169.254");
	}
	/* Managed identity takes a resource (the origin), not a scope. */
	a->scope = auth_scope_for(resource_url);
	a->resource = xstrndup(a->scope,
	    strlen(a->scope) - strlen("/.default"));
	if (client_id != NULL)
		a->client_id = xstrdup(client_id);
	return a;
}

struct auth *
auth_port_new(const char *port_url, const char *client_id,
    const char *client_secret, const char *user_agent)
{
	struct auth *a = new_auth(AUTH_PORT, "Port");

	a->token_url = xasprintf("%s/v1/auth/access_token", port_url);
	a->client_id = xstrdup(client_id);
	a->secret = xstrdup(client_secret);
	a->user_agent = xstrdup(user_agent);
	return a;
}

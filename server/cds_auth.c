/*
** cds_auth.c — who may call the CDS Hooks service, as CDS Hooks 2.0 says
** ("Trusting CDS Clients"): each call carries a JWT signed by the client
** (Authorization: Bearer), verified here against the issuers and public
** keys the operator configured (libjwt): an asymmetric alg only, the key
** found by iss and kid, aud the endpoint called, exp in the future, iat
** present, and jti never seen before while the token lives (a replay is
** refused). Without configuration only clients on this machine are served.
*/
#include <arpa/inet.h>
#include <errno.h>
#include <jwt.h>
#include <netinet/in.h>
#include <pthread.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>

#include "cds.h"

#define CA_SKEW 60              /* seconds of clock difference forgiven on exp */
#define CA_BUCKETS 4096         /* of the seen-jti table */
#define CA_SEEN_MAX 1000000     /* jtis remembered at the most */

typedef struct ca_key {
    char kid[128], alg[8];
    unsigned char *pem;
    size_t len;
} ca_key;

typedef struct ca_issuer {
    char *iss;
    ca_key *keys;
    size_t nkeys;
} ca_issuer;

typedef struct ca_seen {
    struct ca_seen *next;
    long exp;
    char key[];                 /* iss NUL jti */
} ca_seen;

struct sv_cds_auth {
    char *url;                  /* the service's base URL as clients call it */
    ca_issuer *issuers;
    size_t n;
    pthread_mutex_t lock;
    ca_seen *seen[CA_BUCKETS];
    long nseen;
};

/* RS and ES only: CDS Hooks forbids none and every symmetric (HMAC) alg. */
static int ca_alg_ok(const char *alg)
{
    static const char *const ok[] = {"RS256", "RS384", "RS512", "ES256", "ES384", "ES512"};
    for (size_t i = 0; alg && i < sizeof ok / sizeof *ok; i++)
        if (!strcmp(alg, ok[i])) return 1;
    return 0;
}

/* ------------------------------------------------------------- the file */

void cds_auth_free(sv_cds_auth *a)
{
    if (!a) return;
    for (size_t i = 0; i < a->n; i++) {
        for (size_t k = 0; k < a->issuers[i].nkeys; k++) free(a->issuers[i].keys[k].pem);
        free(a->issuers[i].keys);
        free(a->issuers[i].iss);
    }
    for (int b = 0; b < CA_BUCKETS; b++)
        for (ca_seen *s = a->seen[b], *next; s; s = next) {
            next = s->next;
            free(s);
        }
    pthread_mutex_destroy(&a->lock);
    free(a->issuers);
    free(a->url);
    free(a);
}

/* The PEM file path (relative to the configuration's folder dir), read whole. */
static unsigned char *ca_read(const char *dir, const char *path, size_t *len)
{
    char full[2100];
    if (path[0] == '/') snprintf(full, sizeof full, "%s", path);
    else snprintf(full, sizeof full, "%s/%s", dir, path);
    FILE *f = fopen(full, "rb");
    if (!f) return NULL;
    unsigned char *buf = malloc(65536);
    size_t n = buf ? fread(buf, 1, 65535, f) : 0;
    fclose(f);
    if (!buf || !n) { free(buf); return NULL; }
    buf[n] = '\0';
    *len = n;
    return buf;
}

static sv_cds_auth *ca_fail(sv_cds_auth *a, json_t *j, char *why, size_t cap, const char *path,
                            const char *what)
{
    snprintf(why, cap, "--cds-config %s: %s", path, what);
    json_decref(j);
    cds_auth_free(a);
    return NULL;
}

sv_cds_auth *cds_auth_load(const char *path, char *why, size_t cap)
{
    json_error_t je;
    json_t *j = json_load_file(path, JSON_REJECT_DUPLICATES, &je);
    char m[600], dir[1024];
    if (!j) {
        snprintf(m, sizeof m, "line %d: %s", je.line, je.text);
        return ca_fail(NULL, NULL, why, cap, path, m);
    }
    snprintf(dir, sizeof dir, "%s", path);
    char *slash = strrchr(dir, '/');
    if (slash) *slash = '\0';
    else snprintf(dir, sizeof dir, ".");
    sv_cds_auth *a = calloc(1, sizeof *a);
    if (!a) return ca_fail(NULL, j, why, cap, path, "out of memory");
    pthread_mutex_init(&a->lock, NULL);
    const char *url = json_string_value(json_object_get(j, "url"));
    const json_t *list = json_object_get(j, "issuers"), *is, *k;
    if (!url || (strncmp(url, "https://", 8) && strncmp(url, "http://", 7)))
        return ca_fail(a, j, why, cap, path, "url: the service's base URL as clients call it "
                       "(https://HOST), without /cds-services");
    if (!json_is_array(list) || !json_array_size(list))
        return ca_fail(a, j, why, cap, path, "issuers: at least one issuer with its keys");
    a->url = strdup(url);
    size_t n = strlen(a->url);
    while (n && a->url[n - 1] == '/') a->url[--n] = '\0';
    a->issuers = calloc(json_array_size(list), sizeof *a->issuers);
    if (!a->url || !a->issuers) return ca_fail(a, j, why, cap, path, "out of memory");
    size_t i, x;
    json_array_foreach(list, i, is) {
        ca_issuer *ci = &a->issuers[a->n++];
        const char *iss = json_string_value(json_object_get(is, "iss"));
        const json_t *keys = json_object_get(is, "keys");
        snprintf(m, sizeof m, "issuers[%zu]", i);
        if (!iss || !*iss) return ca_fail(a, j, why, cap, path, "an issuer needs its iss");
        if (!json_is_array(keys) || !json_array_size(keys))
            return ca_fail(a, j, why, cap, path, "an issuer needs its keys: [{kid, alg, pem}]");
        ci->iss = strdup(iss);
        ci->keys = calloc(json_array_size(keys), sizeof *ci->keys);
        if (!ci->iss || !ci->keys) return ca_fail(a, j, why, cap, path, "out of memory");
        json_array_foreach(keys, x, k) {
            ca_key *ck = &ci->keys[ci->nkeys++];
            const char *kid = json_string_value(json_object_get(k, "kid"));
            const char *alg = json_string_value(json_object_get(k, "alg"));
            const char *pem = json_string_value(json_object_get(k, "pem"));
            if (!kid || !*kid || strlen(kid) >= sizeof ck->kid)
                return ca_fail(a, j, why, cap, path, "a key needs its kid (as the JWT's header "
                               "names it)");
            if (!ca_alg_ok(alg))
                return ca_fail(a, j, why, cap, path, "a key's alg must be RS256, RS384, RS512, "
                               "ES256, ES384 or ES512 (CDS Hooks forbids symmetric algs)");
            if (!pem || !(ck->pem = ca_read(dir, pem, &ck->len))) {
                snprintf(m, sizeof m, "the public key file of %s (pem) cannot be read", kid);
                return ca_fail(a, j, why, cap, path, m);
            }
            snprintf(ck->kid, sizeof ck->kid, "%s", kid);
            snprintf(ck->alg, sizeof ck->alg, "%s", alg);
        }
    }
    json_decref(j);
    return a;
}

/* ---------------------------------------------------------- the token */

/* Part i (0 header, 1 payload) of a compact JWS, decoded as a JSON object. */
static json_t *ca_part(const char *jwt, int i)
{
    const char *p = jwt;
    for (int k = 0; k < i && p; k++) {
        p = strchr(p, '.');
        if (p) p++;
    }
    const char *end = p ? strchr(p, '.') : NULL;
    if (!end || end - p > 8192) return NULL;
    unsigned char buf[6200];
    size_t n = 0;
    if (sodium_base642bin(buf, sizeof buf - 1, p, (size_t)(end - p), NULL, &n, NULL,
                          sodium_base64_VARIANT_URLSAFE_NO_PADDING) != 0)
        return NULL;
    json_t *o = json_loadb((const char *)buf, n, 0, NULL);
    if (!json_is_object(o)) { json_decref(o); return NULL; }
    return o;
}

/* Whether aud (a string or an array of them) names url. */
static int ca_aud(const json_t *aud, const char *url)
{
    if (json_is_string(aud)) return !strcmp(json_string_value(aud), url);
    const json_t *v;
    size_t i;
    json_array_foreach(aud, i, v)
        if (json_is_string(v) && !strcmp(json_string_value(v), url)) return 1;
    return 0;
}

static unsigned ca_hash(const char *s, size_t n)
{
    unsigned h = 2166136261u;
    for (size_t i = 0; i < n; i++) h = (h ^ (unsigned char)s[i]) * 16777619u;
    return h % CA_BUCKETS;
}

/* Remember iss's jti until exp: 0, or -1 when it was seen before (a
** replay) or the table is full. */
static int ca_remember(sv_cds_auth *a, const char *iss, const char *jti, long exp, long now)
{
    size_t il = strlen(iss), jl = strlen(jti), n = il + 1 + jl;
    unsigned b = ca_hash(jti, jl);
    int rc = 0;
    pthread_mutex_lock(&a->lock);
    for (ca_seen **pp = &a->seen[b]; *pp;) {
        ca_seen *s = *pp;
        if (s->exp + CA_SKEW < now) {            /* expired: forget it */
            *pp = s->next;
            free(s);
            a->nseen--;
            continue;
        }
        if (!memcmp(s->key, iss, il + 1) && !strcmp(s->key + il + 1, jti)) rc = -1;
        pp = &s->next;
    }
    ca_seen *s = rc == 0 && a->nseen < CA_SEEN_MAX ? malloc(sizeof *s + n + 1) : NULL;
    if (s) {
        memcpy(s->key, iss, il + 1);
        memcpy(s->key + il + 1, jti, jl + 1);
        s->exp = exp;
        s->next = a->seen[b];
        a->seen[b] = s;
        a->nseen++;
    } else {
        rc = -1;
    }
    pthread_mutex_unlock(&a->lock);
    return rc;
}

/* Verify token for the endpoint path; NULL when it may call, else why not. */
static const char *ca_verify(sv_cds_auth *a, const char *token, const char *path)
{
    json_t *h = ca_part(token, 0), *p = ca_part(token, 1);
    const char *why = NULL;
    const char *alg = json_string_value(json_object_get(h, "alg"));
    const char *kid = json_string_value(json_object_get(h, "kid"));
    const char *iss = json_string_value(json_object_get(p, "iss"));
    const ca_issuer *ci = NULL;
    const ca_key *key = NULL;
    if (!h || !p) why = "the bearer token is not a JWT";
    else if (!ca_alg_ok(alg)) why = "the JWT's alg must be an asymmetric one (RS256..ES512)";
    else if (!kid) why = "the JWT's header has no kid";
    else if (!iss) why = "the JWT has no iss";
    for (size_t i = 0; !why && i < a->n && !ci; i++)
        if (!strcmp(a->issuers[i].iss, iss)) ci = &a->issuers[i];
    if (!why && !ci) why = "the JWT's issuer is not one this service trusts";
    for (size_t k = 0; !why && k < ci->nkeys && !key; k++)
        if (!strcmp(ci->keys[k].kid, kid) && !strcmp(ci->keys[k].alg, alg)) key = &ci->keys[k];
    if (!why && !key) why = "the issuer has no key with the JWT's kid and alg";
    jwt_t *jwt = NULL;
    if (!why && (jwt_decode(&jwt, token, key->pem, (int)key->len) != 0 || !jwt ||
                 strcmp(jwt_alg_str(jwt_get_alg(jwt)), alg)))
        why = "the JWT's signature does not verify";
    jwt_free(jwt);
    long now = (long)time(NULL);
    const json_t *exp = json_object_get(p, "exp"), *iat = json_object_get(p, "iat");
    const char *jti = json_string_value(json_object_get(p, "jti"));
    char url[1200];
    snprintf(url, sizeof url, "%s%s", why ? "" : a->url, path);
    if (!why && !json_is_number(exp)) why = "the JWT has no exp";
    else if (!why && (long)json_number_value(exp) + CA_SKEW < now) why = "the JWT has expired";
    else if (!why && !json_is_number(iat)) why = "the JWT has no iat";
    else if (!why && !ca_aud(json_object_get(p, "aud"), url))
        why = "the JWT's aud is not this endpoint's URL";
    else if (!why && (!jti || !*jti)) why = "the JWT has no jti";
    else if (!why && ca_remember(a, iss, jti, (long)json_number_value(exp), now) != 0)
        why = "the JWT's jti was used before: a token is good for one call";
    json_decref(h);
    json_decref(p);
    return why;
}

/* ------------------------------------------------------------ the guard */

static int ca_loopback(sv_call *c)
{
    const union MHD_ConnectionInfo *ci =
        MHD_get_connection_info(c->conn, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
    const struct sockaddr *sa = ci ? ci->client_addr : NULL;
    if (!sa) return 0;
    if (sa->sa_family == AF_INET)
        return (ntohl(((const struct sockaddr_in *)sa)->sin_addr.s_addr) >> 24) == 127;
    if (sa->sa_family == AF_INET6) {
        const struct in6_addr *a6 = &((const struct sockaddr_in6 *)sa)->sin6_addr;
        return IN6_IS_ADDR_LOOPBACK(a6) || (IN6_IS_ADDR_V4MAPPED(a6) && a6->s6_addr[12] == 127);
    }
    return 0;
}

int cds_guard(sv_call *c, sv_result *answer)
{
    if (!strcmp(c->method, "OPTIONS")) return 0;          /* a preflight carries no token */
    /* JSON only: a form another site posts (text/plain, no preflight) is refused */
    const char *type = sv_header(c, "Content-Type");
    if (!strcmp(c->method, "POST") && (!type || strncasecmp(type, "application/json", 16))) {
        *answer = sv_error(c, 415, "a CDS Hooks request is JSON: Content-Type: application/json",
                           NULL);
        return -1;
    }
    sv_cds_auth *a = sv_cds(c->srv);
    if (!a) {
        if (ca_loopback(c)) return 0;
        *answer = sv_error(c, 403, "the CDS Hooks service answers only clients on this machine "
                           "until its clients' issuers and keys are configured (serve "
                           "--cds-config FILE)", NULL);
        return -1;
    }
    const char *auth = sv_header(c, "Authorization");
    const char *why = "a CDS client's JWT is required (Authorization: Bearer JWT)";
    if (auth && !strncasecmp(auth, "Bearer ", 7)) {
        const char *token = auth + 7;
        while (*token == ' ') token++;
        why = strlen(token) > 16384 ? "the bearer token is too long" : ca_verify(a, token, c->url);
    }
    if (!why) {
        c->who = SV_MACHINE;
        return 0;
    }
    *answer = sv_error(c, 401, why, NULL);
    return -1;
}

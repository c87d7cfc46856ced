/*
** cds_fetch.c — what a CDS Hooks call's prefetch lacks, read from the
** client's fhirServer (CDS Hooks 2.0, "FHIR Resource Access") with libcurl:
** one GET per resource, under strict limits, so that a slow or hostile
** server costs a call at most 2 s and 1 MiB. Neither id nor token is ever
** put in a message: a Patient's id may be a CPR number.
*/
#include <ctype.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <curl/curl.h>

#include "cds.h"
#include "cpr.h"

#define CF_TIMEOUT_MS 2000L
#define CF_MAX (1L << 20)

static pthread_once_t cf_once = PTHREAD_ONCE_INIT;
static CURLcode cf_init_rc = CURLE_FAILED_INIT;

static void cf_init(void)
{
    cf_init_rc = curl_global_init(CURL_GLOBAL_DEFAULT);
}

typedef struct cf_buf {
    char *p;
    size_t n;
    int over;
} cf_buf;

static size_t cf_write(char *data, size_t size, size_t nmemb, void *ud)
{
    cf_buf *b = ud;
    size_t len = size * nmemb;
    if (b->n + len > (size_t)CF_MAX) {
        b->over = 1;
        return 0;                       /* ends the transfer */
    }
    char *p = realloc(b->p, b->n + len + 1);
    if (!p) return 0;
    memcpy(p + b->n, data, len);
    b->p = p;
    b->n += len;
    p[b->n] = '\0';
    return len;
}

/* Whether ref is "Type/id": a FHIR type name and id ([A-Za-z0-9.-]{1,64}). */
static int cf_ref(const char *ref, size_t *slash)
{
    const char *s = strchr(ref, '/');
    if (!s || s == ref || !isupper((unsigned char)ref[0])) return 0;
    for (const char *p = ref; p < s; p++)
        if (!isalpha((unsigned char)*p)) return 0;
    size_t n = strlen(s + 1);
    if (n < 1 || n > 64) return 0;
    for (const char *p = s + 1; *p; p++)
        if (!isalnum((unsigned char)*p) && *p != '-' && *p != '.') return 0;
    *slash = (size_t)(s - ref);
    return 1;
}

json_t *cds_fetch(const char *server, const char *token, const char *ref, char *why, size_t cap)
{
    size_t slash;
    if (!cf_ref(ref, &slash)) {
        snprintf(why, cap, "its reference is not a FHIR Type/id");
        return NULL;
    }
    /* A CPR number is never put in a URL, not even one to the client's own
    ** server: an id the mask would change is not fetched. */
    char masked[160];
    cpr_mask(masked, sizeof masked, ref + slash + 1);
    if (strcmp(masked, ref + slash + 1)) {
        snprintf(why, cap, "its id looks like a CPR number, which is never sent in a URL; "
                           "send the resource in prefetch");
        return NULL;
    }
    if (strncmp(server, "http://", 7) && strncmp(server, "https://", 8)) {
        snprintf(why, cap, "fhirServer is not an http or https URL");
        return NULL;
    }
    pthread_once(&cf_once, cf_init);
    if (cf_init_rc != CURLE_OK) {
        snprintf(why, cap, "the HTTP client could not start");
        return NULL;
    }
    size_t sl = strlen(server);
    while (sl && server[sl - 1] == '/') sl--;
    char *url = malloc(sl + strlen(ref) + 2), *auth = NULL;
    CURL *h = curl_easy_init();
    struct curl_slist *hdr = curl_slist_append(NULL, "Accept: application/fhir+json");
    cf_buf b = {0};
    json_t *res = NULL;
    if (token) {
        auth = malloc(strlen(token) + 32);
        if (auth) sprintf(auth, "Authorization: Bearer %s", token);
        struct curl_slist *more = auth ? curl_slist_append(hdr, auth) : NULL;
        if (more) hdr = more;
        else hdr = (curl_slist_free_all(hdr), NULL);
    }
    if (!url || !h || !hdr) {
        snprintf(why, cap, "out of memory");
        goto done;
    }
    sprintf(url, "%.*s/%s", (int)sl, server, ref);
    curl_easy_setopt(h, CURLOPT_URL, url);
    curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, 0L);
    curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);          /* the server's threads */
    curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, CF_TIMEOUT_MS);
    curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, CF_TIMEOUT_MS);
    curl_easy_setopt(h, CURLOPT_MAXFILESIZE_LARGE, (curl_off_t)CF_MAX);
    curl_easy_setopt(h, CURLOPT_HTTPHEADER, hdr);
    curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, cf_write);
    curl_easy_setopt(h, CURLOPT_WRITEDATA, &b);
    CURLcode rc = curl_easy_perform(h);
    long code = 0;
    curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &code);
    if (b.over || rc == CURLE_FILESIZE_EXCEEDED) {
        snprintf(why, cap, "fhirServer's answer is over 1 MiB");
        goto done;
    }
    if (rc != CURLE_OK) {       /* curl's text names the failure, never the URL's path */
        snprintf(why, cap, "fhirServer could not be read (%s)", curl_easy_strerror(rc));
        goto done;
    }
    if (code != 200) {
        snprintf(why, cap, "fhirServer answered HTTP %ld", code);
        goto done;
    }
    json_error_t je;
    res = b.p ? json_loadb(b.p, b.n, 0, &je) : NULL;
    const char *type = json_string_value(json_object_get(res, "resourceType"));
    const char *id = json_string_value(json_object_get(res, "id"));
    if (!json_is_object(res)) {
        snprintf(why, cap, "fhirServer's answer is not a JSON object");
    } else if (!type || strlen(type) != slash || strncmp(type, ref, slash)) {
        snprintf(why, cap, "fhirServer answered a %.40s, not a %.*s",
                 type ? type : "resource without resourceType", (int)slash, ref);
    } else if (!id || strcmp(id, ref + slash + 1)) {
        snprintf(why, cap, "fhirServer answered a %.*s with another id", (int)slash, ref);
    } else {
        goto done;
    }
    json_decref(res);
    res = NULL;
done:
    curl_slist_free_all(hdr);
    if (h) curl_easy_cleanup(h);
    if (auth) {                 /* the token does not linger in freed memory */
        explicit_bzero(auth, strlen(auth));
        free(auth);
    }
    free(url);
    free(b.p);
    return res;
}

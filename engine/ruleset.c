/*
** ruleset.c — a rule set: the immutable bytes of a rules directory, read
** once, and their SHA-256, which names every decision made from them. It is
** verified at load by building one decider (kept as the first one asked for)
** and shared by reference count among the threads that decide with it, with
** the text layer's lexicon built from its data once for all of them.
*/
#include "rules.h"

#include "budget.h"

#include <dirent.h>
#include <errno.h>
#include <nettle/base16.h>
#include <nettle/sha2.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "budget.h"
#include "sandbox.h"
#include "text_load.h"

#define RL_MEMORY_DEFAULT ((size_t)64 << 20)
#define RL_INSTR_DEFAULT 20000000ull
#define RL_TIME_DEFAULT 10000u            /* ms */
#define RL_STRING_DEFAULT ((size_t)4 << 20)
#define RL_MAX_FILES 4096
#define RL_MAX_FILE_BYTES ((size_t)16 << 20)

typedef struct rl_file_t {
    char *path;                 /* relative, '/'-separated */
    char *data;
    size_t len;
} rl_file_t;

typedef struct rl_text rl_text;

/* The text layer's lexicon, built from data/text.lua and the files it
** includes, charged here (its bytes count against the memory limit, and
** every state that reads with it is charged them too: bg_charge).
** A reload whose text data is the same bytes takes it over from the rule
** set it replaces instead of building it again. */
struct rl_text {
    atomic_int refs;
    tx_lexicon *lx;
    size_t used, limit;         /* bytes held / allowed */
    int over;                   /* an allocation was refused at the limit */
    char hash[65];              /* SHA-256 of the files it was read from */
    int nfiles;
    char **files;               /* their paths */
};

struct triage_ruleset {
    atomic_int refs;
    char hash[65];
    char *dir;
    int nfiles;
    rl_file_t *files;
    triage_limits lim;
    int nrules;
    /* The state built to verify the rule set, kept for the first decider
    ** asked for so that it is not built twice; it holds no reference. */
    _Atomic(triage_decider *) spare;
    rl_text *text;              /* NULL: the rule set has no data/text.lua */
    const triage_ruleset *prev; /* while loading: the rule set it replaces, or NULL */
};

/* ------------------------------------------------------------ rule files */

static int rl_path_cmp(const void *a, const void *b)
{
    return strcmp(((const rl_file_t *)a)->path, ((const rl_file_t *)b)->path);
}

static int rl_read_file(const char *full, rl_file_t *f, triage_error *err)
{
    FILE *fp = fopen(full, "rb");
    struct stat st;
    const char *why = NULL;
    char big[40];
    if (!fp || fstat(fileno(fp), &st) != 0)
        why = strerror(errno);
    else if ((size_t)st.st_size > RL_MAX_FILE_BYTES)
        snprintf(big, sizeof big, "larger than %zu MiB", RL_MAX_FILE_BYTES >> 20), why = big;
    else if (!(f->data = malloc((size_t)st.st_size + 1)))
        why = "out of memory";
    else if ((f->len = fread(f->data, 1, (size_t)st.st_size, fp)) != (size_t)st.st_size)
        why = ferror(fp) ? strerror(errno) : "it changed while read";
    if (fp)
        fclose(fp);
    if (why) {
        triage_error_set(err, TRIAGE_EIO, full, 0, NULL, NULL, "cannot read rule file (%s)",
                         why);
        return -1;
    }
    f->data[f->len] = '\0';
    return 0;
}

/* "a/b", or b alone when a is empty; NULL when out of memory. Paths are
** built to their full length, never cut into fixed buffers: a cut path
** would read another file, or none, and silently change the hash. */
static char *rl_join(const char *a, const char *b)
{
    size_t la = strlen(a), lb = strlen(b);
    char *p = malloc(la + lb + 2);
    if (!p)
        return NULL;
    memcpy(p, a, la);
    p[la] = '/';
    memcpy(p + (la ? la + 1 : 0), b, lb + 1);
    return p;
}

/* Add the regular file rel (full path full) to the rule set and read it. */
static int rl_add_file(triage_ruleset *rs, const char *rel, const char *full, int *cap,
                       triage_error *err)
{
    if (rs->nfiles == RL_MAX_FILES) {
        triage_error_set(err, TRIAGE_ERULES, rs->dir, 0, NULL, NULL,
                         "more than %d files in the rule set", RL_MAX_FILES);
        return -1;
    }
    if (rs->nfiles == *cap) {
        int ncap = *cap ? *cap * 2 : 32;
        rl_file_t *nf = realloc(rs->files, (size_t)ncap * sizeof *nf);
        if (!nf) {
            triage_error_set(err, TRIAGE_ENOMEM, full, 0, NULL, NULL, NULL);
            return -1;
        }
        rs->files = nf;
        *cap = ncap;
    }
    rl_file_t *f = &rs->files[rs->nfiles];
    memset(f, 0, sizeof *f);
    if (!(f->path = strdup(rel))) {
        triage_error_set(err, TRIAGE_ENOMEM, full, 0, NULL, NULL, NULL);
        return -1;
    }
    rs->nfiles++;
    return rl_read_file(full, f, err);
}

/* Collect every regular file under dir/rel, recursively. Anything that
** cannot be read is an error naming it (a path too long included); only a
** dangling link, which holds nothing, is passed over. */
static int rl_walk(triage_ruleset *rs, const char *rel, int *cap, triage_error *err)
{
    char *path = *rel ? rl_join(rs->dir, rel) : strdup(rs->dir);
    if (!path) {
        triage_error_set(err, TRIAGE_ENOMEM, rs->dir, 0, NULL, NULL, NULL);
        return -1;
    }
    DIR *d = opendir(path);
    if (!d) {
        triage_error_set(err, TRIAGE_ERULES, path, 0, NULL, NULL,
                         *rel ? "cannot open the directory (%s)"
                              : "cannot open the rules directory (%s); pass --rules DIR",
                         strerror(errno));
        free(path);
        return -1;
    }
    struct dirent *e;
    int rc = 0;
    while (rc == 0 && (errno = 0, e = readdir(d))) {
        if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
            continue;
        char *relp = rl_join(rel, e->d_name), *full = relp ? rl_join(rs->dir, relp) : NULL;
        struct stat st;
        if (!full) {
            rc = -1;
            triage_error_set(err, TRIAGE_ENOMEM, path, 0, NULL, NULL, NULL);
        } else if (stat(full, &st) != 0) {
            if (errno != ENOENT || lstat(full, &st) != 0) {
                rc = -1;
                triage_error_set(err, TRIAGE_ERULES, full, 0, NULL, NULL, "cannot read (%s)",
                                 strerror(errno));
            }
        } else if (S_ISDIR(st.st_mode)) {
            rc = rl_walk(rs, relp, cap, err);
        } else if (S_ISREG(st.st_mode)) {
            rc = rl_add_file(rs, relp, full, cap, err);
        }
        free(relp);
        free(full);
    }
    if (rc == 0 && errno != 0) {
        rc = -1;
        triage_error_set(err, TRIAGE_ERULES, path, 0, NULL, NULL, "cannot list (%s)",
                         strerror(errno));
    }
    closedir(d);
    free(path);
    return rc;
}

int rl_is_rule_file(const char *path)
{
    size_t n = strlen(path);
    return !strchr(path, '/') && n > 4 && !strcmp(path + n - 4, ".lua");
}

int rl_find(const triage_ruleset *rs, const char *path)
{
    for (int i = 0; i < rs->nfiles; i++)
        if (!strcmp(rs->files[i].path, path))
            return i;
    return -1;
}

/* -------------------------------------------------------------- loading */

static void rl_free_files(triage_ruleset *rs)
{
    for (int i = 0; i < rs->nfiles; i++) {
        free(rs->files[i].path);
        free(rs->files[i].data);
    }
    free(rs->files);
}

/* One file into a hash: its path, a NUL, its content and a NUL. */
static void rl_hash_file(struct sha256_ctx *h, const rl_file_t *f)
{
    sha256_update(h, strlen(f->path) + 1, (const uint8_t *)f->path);
    sha256_update(h, f->len, (const uint8_t *)f->data);
    sha256_update(h, 1, (const uint8_t *)"");
}

static void rl_hash_hex(struct sha256_ctx *h, char out[65])
{
    uint8_t digest[SHA256_DIGEST_SIZE];
    sha256_digest(h, sizeof digest, digest);
    base16_encode_update(out, sizeof digest, digest);
    out[2 * sizeof digest] = '\0';
}

/* The hash (README, "Rule set hash"): every file in byte order of relative
** path, as rl_hash_file adds it; lowercase hex. */
static void rl_hash(triage_ruleset *rs)
{
    struct sha256_ctx h;
    sha256_init(&h);
    for (int i = 0; i < rs->nfiles; i++)
        rl_hash_file(&h, &rs->files[i]);
    rl_hash_hex(&h, rs->hash);
}

/* The hash of the files named by paths, as they are in rs; -1 when one is
** not there. */
static int rl_hash_paths(const triage_ruleset *rs, char *const *paths, int n, char out[65])
{
    struct sha256_ctx h;
    sha256_init(&h);
    for (int i = 0; i < n; i++) {
        int k = rl_find(rs, paths[i]);
        if (k < 0)
            return -1;
        rl_hash_file(&h, &rs->files[k]);
    }
    rl_hash_hex(&h, out);
    return 0;
}

/* ------------------------------------------------------------ the lexicon */

/* The lexicon's allocator: charges rl_text. */
static void *rl_text_alloc(void *ud, void *ptr, size_t osize, size_t nsize)
{
    rl_text *t = ud;
    size_t old = ptr ? osize : 0;
    if (nsize == 0) {
        free(ptr);
        t->used -= old;
        return NULL;
    }
    if (nsize > old && t->used + (nsize - old) > t->limit) {
        t->over = 1;
        return NULL;
    }
    void *p = realloc(ptr, nsize);
    if (!p)
        return NULL;
    t->used = t->used - old + nsize;
    return p;
}

static void rl_text_release(rl_text *t)
{
    if (!t || atomic_fetch_sub(&t->refs, 1) != 1)
        return;
    txl_free(t->lx);
    for (int i = 0; i < t->nfiles; i++)
        free(t->files[i]);
    free(t->files);
    free(t);
}

const tx_lexicon *rl_lexicon(const triage_ruleset *rs)
{
    return rs->text ? rs->text->lx : NULL;
}

int rl_text_adopt(triage_ruleset *rs)
{
    const rl_text *t = rs->prev ? rs->prev->text : NULL;
    char hash[65];
    if (rs->text || !t || rl_hash_paths(rs, t->files, t->nfiles, hash) != 0 ||
        strcmp(hash, t->hash) != 0)
        return 0;
    rs->text = (rl_text *)t;
    atomic_fetch_add(&rs->text->refs, 1);
    return 1;
}

int rl_text_build(triage_ruleset *rs, lua_State *L, int idx, const int *files, int nfiles,
                  char *err, size_t errlen)
{
    rl_text *t = calloc(1, sizeof *t);
    if (!t || !(t->files = calloc((size_t)(nfiles ? nfiles : 1), sizeof *t->files))) {
        free(t);
        snprintf(err, errlen, "text data: not enough memory");
        return -1;
    }
    atomic_init(&t->refs, 1);
    /* what the building state has left: the lexicon is charged to it (and to
    ** every state after) once built, so it may never need more */
    const bg_budget *b = bg_of(L);
    t->limit = b->used < b->limit ? b->limit - b->used : 0;
    for (; t->nfiles < nfiles; t->nfiles++)
        if (!(t->files[t->nfiles] = strdup(rs->files[files[t->nfiles]].path))) {
            rl_text_release(t);
            snprintf(err, errlen, "text data: not enough memory");
            return -1;
        }
    rl_hash_paths(rs, t->files, t->nfiles, t->hash);
    tx_alloc a = {rl_text_alloc, t};
    /* files changed (rl_text_adopt said so), words maybe not: explain.lua's
    ** wording, a key's options. The same literals copy the previous
    ** database instead of compiling it (txl_load_reusing). */
    const tx_lexicon *prev = rs->prev && rs->prev->text ? rs->prev->text->lx : NULL;
    if (!(t->lx = prev ? txl_load_reusing(L, idx, &a, prev, err, errlen)
                       : txl_load(L, idx, &a, err, errlen))) {
        if (t->over)
            snprintf(err, errlen, "memory limit exceeded (%zu MiB) building the text lexicon",
                     rs->lim.memory_bytes >> 20);
        rl_text_release(t);
        return -1;
    }
    rs->text = t;
    return 0;
}

size_t rl_text_bytes(const triage_ruleset *rs)
{
    return rs->text ? txl_bytes(rs->text->lx) : 0;
}

triage_ruleset *triage_ruleset_load(const char *dir, const triage_limits *limits,
                                    triage_error *err)
{
    return rl_load(dir, limits, NULL, err);
}

triage_ruleset *rl_load(const char *dir, const triage_limits *limits,
                        const triage_ruleset *prev, triage_error *err)
{
    triage_error_set(err, TRIAGE_OK, NULL, 0, NULL, NULL, NULL);
    triage_ruleset *rs = calloc(1, sizeof *rs);
    if (!rs || !(rs->dir = strdup(dir))) {
        free(rs);
        triage_error_set(err, TRIAGE_ENOMEM, NULL, 0, NULL, NULL, NULL);
        return NULL;
    }
    size_t dl = strlen(rs->dir);
    while (dl > 1 && rs->dir[dl - 1] == '/')
        rs->dir[--dl] = 0;
    atomic_init(&rs->refs, 1);
    rs->lim.memory_bytes = limits && limits->memory_bytes ? limits->memory_bytes : RL_MEMORY_DEFAULT;
    rs->lim.instructions = limits && limits->instructions ? limits->instructions : RL_INSTR_DEFAULT;
    rs->lim.time_ms = limits && limits->time_ms ? limits->time_ms : RL_TIME_DEFAULT;
    rs->lim.string_bytes = limits && limits->string_bytes ? limits->string_bytes : RL_STRING_DEFAULT;
    int cap = 0;
    if (rl_walk(rs, "", &cap, err) != 0) {
        triage_ruleset_release(rs);
        return NULL;
    }
    qsort(rs->files, (size_t)rs->nfiles, sizeof *rs->files, rl_path_cmp);
    rl_hash(rs);
    /* Verify by building one state: a rule set that cannot load never runs.
    ** It builds the lexicon too, or takes over prev's. */
    rs->prev = prev;
    triage_decider *probe = triage_decider_new(rs, NULL, err);
    rs->prev = NULL;
    if (!probe) {
        triage_ruleset_release(rs);
        return NULL;
    }
    rs->nrules = rl_rule_count(probe);
    atomic_fetch_sub(&rs->refs, 1);          /* the spare borrows its rule set */
    atomic_store(&rs->spare, probe);
    return rs;
}

const char *triage_ruleset_hash(const triage_ruleset *rs) { return rs->hash; }
int triage_ruleset_rule_count(const triage_ruleset *rs) { return rs->nrules; }
int rl_file_count(const triage_ruleset *rs) { return rs->nfiles; }
const char *rl_dir(const triage_ruleset *rs) { return rs->dir; }
const triage_limits *rl_limits(const triage_ruleset *rs) { return &rs->lim; }

triage_decider *rl_take_spare(triage_ruleset *rs)
{
    triage_decider *dc = atomic_exchange(&rs->spare, NULL);
    if (dc)
        triage_ruleset_retain(rs);
    return dc;
}

void rl_file(const triage_ruleset *rs, int i, const char **path, const char **data,
             size_t *len)
{
    *path = rs->files[i].path;
    *data = rs->files[i].data;
    *len = rs->files[i].len;
}

triage_ruleset *triage_ruleset_retain(triage_ruleset *rs)
{
    atomic_fetch_add(&rs->refs, 1);
    return rs;
}

void triage_ruleset_release(triage_ruleset *rs)
{
    if (!rs || atomic_fetch_sub(&rs->refs, 1) != 1)
        return;
    triage_decider *spare = atomic_exchange(&rs->spare, NULL);
    if (spare)
        rl_free_spare(spare);
    rl_text_release(rs->text);
    rl_free_files(rs);
    free(rs->dir);
    free(rs);
}

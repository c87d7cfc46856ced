/*
** corpus.c — `triage corpus`: write the synthetic referral corpus and its
** gold decisions (tests/spec/corpus.md) into a directory, and print its
** shares; with --format fhir each referral as the FHIR Bundle a sender would
** send.
*/
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>

#include "cli.h"
#include "triage_corpus.h"

static const char HELP[] =
    "usage: triage corpus [--seed N] [--count N] [--format json|fhir] --out DIR\n"
    "\n"
    "Generate the deterministic synthetic referral corpus: DIR/referrals.jsonl\n"
    "(one referral per line, sorted by received then id) and DIR/gold.jsonl (the\n"
    "gold decision of each, same order: id outcome target unit priority deadline\n"
    "missing request_from). The same seed gives byte-identical files. Prints the\n"
    "corpus's shares and how many gold labels the rendered records no longer\n"
    "support (noise).\n"
    "\n"
    "  --seed N    seed (default 2020)\n"
    "  --count N   number of referrals (default 4753, the year 2020); any size,\n"
    "              generated in bounded memory\n"
    "  --out DIR   output directory, created if needed\n"
    "  --format F  json (default): DIR/referrals.jsonl as above; fhir:\n"
    "              DIR/referrals.fhir.ndjson instead, one FHIR R4 collection\n"
    "              Bundle per referral (docs/fhir.md), same order, which import\n"
    "              and check read back to the same referrals\n"
    "\n"
    "exit status: 0 written; 1 usage error or a file could not be written.\n";

/* The native referrals in in (JSON Lines, as the generator wrote them)
** as FHIR Bundles, one a line, to out. 0, or -1 with a message. */
static int cc_to_fhir(FILE *in, FILE *out)
{
    char *line = NULL;
    size_t cap = 0;
    ssize_t n;
    long k = 0;
    int rc = 0;
    rewind(in);
    while (rc == 0 && (n = getline(&line, &cap, in)) > 0) {
        triage_error err;
        triage_referral *r = triage_referral_parse(line, (size_t)n, "corpus", ++k, &err);
        char *b = r ? triage_fhir_export(r, &err) : NULL;
        if (!b || fprintf(out, "%s\n", b) < 0) {
            fprintf(stderr, "triage corpus: %s\n", b ? strerror(errno) : err.text);
            rc = -1;
        }
        free(b);
        triage_referral_free(r);
    }
    free(line);
    return rc;
}

/* mkdir -p: every missing component of path, mode 0755. */
static int cc_mkdirs(const char *path)
{
    char buf[4096];
    size_t n = strlen(path);
    if (n == 0 || n >= sizeof buf) { errno = ENAMETOOLONG; return -1; }
    memcpy(buf, path, n + 1);
    for (size_t i = 1; i <= n; i++) {
        if (buf[i] != '/' && buf[i] != '\0') continue;
        char keep = buf[i];
        buf[i] = '\0';
        if (mkdir(buf, 0755) != 0 && errno != EEXIST) return -1;
        buf[i] = keep;
    }
    struct stat sb;
    if (stat(path, &sb) != 0) return -1;
    if (!S_ISDIR(sb.st_mode)) { errno = ENOTDIR; return -1; }
    return 0;
}

/* A whole decimal number in [lo, hi], or -1. */
static long long cc_number(const char *s, long long lo, unsigned long long hi)
{
    char *end;
    if (!s || !*s || *s == '-' || *s == '+') return -1;
    errno = 0;
    unsigned long long v = strtoull(s, &end, 10);
    if (errno || *end || v > hi || (long long)v < lo) return -1;
    return (long long)v;
}

static FILE *cc_open(const char *dir, const char *name, char *path, size_t cap)
{
    snprintf(path, cap, "%s/%s", dir, name);
    FILE *f = fopen(path, "wb");
    if (f) setvbuf(f, NULL, _IOFBF, 1 << 20);
    return f;
}

int cli_corpus(int argc, char **argv)
{
    static const struct option opts[] = {{"seed", required_argument, 0, 's'},
                                         {"count", required_argument, 0, 'n'},
                                         {"out", required_argument, 0, 'o'},
                                         {"format", required_argument, 0, 'f'},
                                         {"help", no_argument, 0, 'h'},
                                         {0, 0, 0, 0}};
    triage_corpus_opts o = { TRIAGE_CORPUS_SEED, TRIAGE_CORPUS_COUNT };
    const char *out = NULL;
    int c, fhir = 0;
    optind = 1;
    while ((c = getopt_long(argc, argv, "s:n:o:f:h", opts, NULL)) != -1) {
        long long v;
        switch (c) {
        case 's':
            /* the whole uint64 range: parsed apart from cc_number's signed bound */
            {
                char *end;
                errno = 0;
                unsigned long long u = strtoull(optarg, &end, 10);
                if (!*optarg || *optarg == '-' || *end || errno) {
                    fprintf(stderr, "triage corpus: --seed wants a whole number >= 0, not '%s'\n", optarg);
                    return EXIT_USAGE;
                }
                o.seed = (uint64_t)u;
            }
            break;
        case 'n':
            if ((v = cc_number(optarg, 1, LONG_MAX / 1024)) < 0) {
                fprintf(stderr, "triage corpus: --count wants a whole number >= 1, not '%s'\n", optarg);
                return EXIT_USAGE;
            }
            o.count = (long)v;
            break;
        case 'o': out = optarg; break;
        case 'f':
            if (strcmp(optarg, "json") && strcmp(optarg, "fhir")) {
                fprintf(stderr, "triage corpus: --format must be json or fhir\n");
                return EXIT_USAGE;
            }
            fhir = !strcmp(optarg, "fhir");
            break;
        case 'h': fputs(HELP, stdout); return EXIT_DONE;
        default: fputs(HELP, stderr); return EXIT_USAGE;
        }
    }
    if (optind < argc) {
        fprintf(stderr, "triage corpus: unexpected argument '%s'\n%s", argv[optind], HELP);
        return EXIT_USAGE;
    }
    if (!out || !*out) {
        fprintf(stderr, "triage corpus: say where to write it with --out DIR\n%s", HELP);
        return EXIT_USAGE;
    }
    if (cc_mkdirs(out) != 0) {
        fprintf(stderr, "triage corpus: cannot create directory '%s': %s\n", out, strerror(errno));
        return EXIT_USAGE;
    }
    char rpath[4200], gpath[4200];
    /* FHIR: the native corpus goes through a temporary file, a line at a time */
    FILE *rf = fhir ? cc_open(out, "referrals.fhir.ndjson", rpath, sizeof rpath)
                    : cc_open(out, "referrals.jsonl", rpath, sizeof rpath);
    FILE *native = fhir ? tmpfile() : rf;
    if (rf && !native) {
        fprintf(stderr, "triage corpus: no temporary file: %s\n", strerror(errno));
        fclose(rf);
        return EXIT_USAGE;
    }
    if (!rf) {
        fprintf(stderr, "triage corpus: cannot write '%s': %s\n", rpath, strerror(errno));
        return EXIT_USAGE;
    }
    FILE *gf = cc_open(out, "gold.jsonl", gpath, sizeof gpath);
    if (!gf) {
        fprintf(stderr, "triage corpus: cannot write '%s': %s\n", gpath, strerror(errno));
        fclose(rf);
        if (native != rf) fclose(native);
        return EXIT_USAGE;
    }
    triage_corpus_stats st;
    int rc = triage_corpus_generate(&o, native, gf, &st);
    if (fhir && rc == 0 && (fflush(native) != 0 || cc_to_fhir(native, rf) != 0)) rc = -1;
    if (native != rf) fclose(native);
    if (fclose(rf) != 0) rc = -1;
    if (fclose(gf) != 0) rc = -1;
    if (rc != 0) {
        fprintf(stderr, "triage corpus: writing into '%s' failed: %s\n", out, strerror(errno));
        return EXIT_USAGE;
    }
    printf("seed: %llu\nwrote: %s, %s\n", (unsigned long long)o.seed, rpath, gpath);
    triage_corpus_print_stats(&st, stdout);
    return EXIT_DONE;
}

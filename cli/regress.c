/*
** regress.c — `triage regress`: decide the corpus in memory and measure
** the rule set against gold labels (policy.md, Quality measures): agreement,
** wrongly rejected, needless requests, wrongly accepted, missed acute,
** manual review, the confusion table and per-rule figures. With a baseline
** it is a gate: more wrongly rejected or any missed acute fails.
*/
#include <fcntl.h>
#include <getopt.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "triage.h"

static const char HELP[] =
    "usage: triage regress --gold FILE [--db FILE] [--rules DIR] [--baseline FILE]\n"
    "                      [--save FILE] [--format text|json|html] [--out FILE]\n"
    "\n"
    "Decide every referral in the database with the rules in DIR (in memory, in\n"
    "order of received date, history from this pass; nothing is stored) and\n"
    "compare with the gold decisions in FILE (JSON Lines from 'triage corpus').\n"
    "Reports agreement on (outcome, target, unit), wrongly_rejected (gold accept,\n"
    "decided reject or redirect), needless_requests (gold accept, decided\n"
    "request_info), wrongly_accepted (gold redirect or reject, decided accept),\n"
    "missed_acute (gold acute, decided otherwise), manual_review, the confusion\n"
    "table of outcome x target, and per rule how often it fired and how often on\n"
    "a referral it got wrong.\n"
    "\n"
    "  --gold FILE       gold decisions (required)\n"
    "  --db FILE         database holding the corpus (default: $TRIAGE_DB or triage.db)\n"
    "  --rules DIR       rule set directory (default: rules)\n"
    "  --baseline FILE   metrics saved by an earlier run (--save): fail when\n"
    "                    wrongly_rejected or missed_acute rose, and print what changed\n"
    "  --save FILE       write this run's metrics as JSON (a future baseline)\n"
    "  --format FMT      text (default), json (the metrics), or html (one\n"
    "                    self-contained page with tables and an SVG chart)\n"
    "  --out FILE        write the report to FILE (created 0600) instead of stdout\n"
    "\n"
    "exit status: 0 the gate holds; 1 usage or set-up error; 2 missed_acute > 0,\n"
    "or wrongly_rejected / missed_acute rose against the baseline.\n";

/* Decision classes for the confusion table: outcome with target. */
enum { K_ACCEPT, K_REQUEST, K_R_MUNI, K_R_SPEC, K_R_ADULT, K_R_REGION, K_REJECT,
       K_MANUAL, K_OTHER, K__N };
static const char *const K_NAMES[K__N] = {
    "accept", "request_info", "redirect municipality", "redirect specialist_practice",
    "redirect adult_psychiatry", "redirect other_region", "reject", "manual_review", "other"};

/* Names as the schema spells them, to numbers: -1 when NULL or unknown. */
static int rg_outcome(const char *s)
{
    for (int i = 0; s && i < TRIAGE_N_OUTCOMES; i++)
        if (!strcmp(s, triage_outcome_name((triage_outcome)i)))
            return i;
    return -1;
}

static int rg_target(const char *s)
{
    for (int i = 0; s && i < TRIAGE_N_TARGETS; i++)
        if (!strcmp(s, triage_target_name(i)))
            return i;
    return -1;
}

static int klass(int outcome, int target)
{
    const char *t = triage_target_name(target);
    switch (outcome) {
    case TRIAGE_ACCEPT: return K_ACCEPT;
    case TRIAGE_REQUEST_INFO: return K_REQUEST;
    case TRIAGE_REJECT: return K_REJECT;
    case TRIAGE_MANUAL_REVIEW: return K_MANUAL;
    case TRIAGE_REDIRECT:
        if (!t) break;
        if (!strcmp(t, "municipality")) return K_R_MUNI;
        if (!strcmp(t, "specialist_practice")) return K_R_SPEC;
        if (!strcmp(t, "adult_psychiatry")) return K_R_ADULT;
        if (!strcmp(t, "other_region")) return K_R_REGION;
    }
    return K_OTHER;
}

typedef struct gold_t {
    char id[72];
    int outcome, target, acute;
    char unit[16];
} gold_t;

typedef struct rule_stat { char id[64]; long fired, wrong; } rule_stat;

typedef struct rg {
    gold_t *g;                 /* sorted by id */
    int ng;
    long n, nogold, agree, gold_accept, gold_away, gold_acute;
    long wrongly_rejected, needless, wrongly_accepted, missed_acute, manual;
    long confusion[K__N][K__N];
    rule_stat *rules;
    int nrules, caprules;
} rg;

static int rg_gold_cmp(const void *a, const void *b)
{
    return strcmp(((const gold_t *)a)->id, ((const gold_t *)b)->id);
}

static gold_t *rg_find(rg *x, const char *id)
{
    gold_t key;
    snprintf(key.id, sizeof key.id, "%s", id);
    return bsearch(&key, x->g, (size_t)x->ng, sizeof *x->g, rg_gold_cmp);
}

/* One line of the gold file into x; 0, or -1 when out of memory. */
static int rg_gold_line(rg *x, int *capg, const char *path, long lineno, const char *line)
{
    json_t *o = json_loads(line, 0, NULL);
    const char *id = json_string_value(json_object_get(o, "id"));
    const char *out = json_string_value(json_object_get(o, "outcome"));
    const char *u = json_string_value(json_object_get(o, "unit"));
    const char *p = json_string_value(json_object_get(o, "priority"));
    if (!id || rg_outcome(out) < 0) {
        fprintf(stderr, "%s:%ld: not a gold decision (id and outcome needed)\n", path, lineno);
        json_decref(o);
        return 0;
    }
    if (x->ng == *capg) {
        int cap = *capg ? *capg * 2 : 4096;
        gold_t *g = realloc(x->g, (size_t)cap * sizeof *g);
        if (!g) {
            json_decref(o);
            return -1;
        }
        x->g = g;
        *capg = cap;
    }
    gold_t *g = &x->g[x->ng++];
    snprintf(g->id, sizeof g->id, "%s", id);
    g->outcome = rg_outcome(out);
    g->target = rg_target(json_string_value(json_object_get(o, "target")));
    g->acute = p && !strcmp(p, "acute");
    snprintf(g->unit, sizeof g->unit, "%s", u ? u : "");
    json_decref(o);
    return 0;
}

static int rg_load_gold(rg *x, const char *path)
{
    FILE *f = fopen(path, "r");
    if (!f) {
        fprintf(stderr, "triage regress: cannot read gold file %s; make one with "
                        "'triage corpus --out DIR'\n", path);
        return -1;
    }
    char *line = NULL;
    size_t cap = 0;
    long lineno = 0;
    int capg = 0, rc = 0;
    while (rc == 0 && getline(&line, &cap, f) > 0)
        rc = rg_gold_line(x, &capg, path, ++lineno, line);
    if (rc == 0 && ferror(f))
        rc = -1;
    free(line);
    fclose(f);
    if (rc != 0) {
        fprintf(stderr, "triage regress: cannot read all of gold file %s\n", path);
        return -1;
    }
    qsort(x->g, (size_t)x->ng, sizeof *x->g, rg_gold_cmp);
    return 0;
}

static int rg_rule_cmp(const void *a, const void *b)
{
    return strcmp(((const rule_stat *)a)->id, ((const rule_stat *)b)->id);
}

static rule_stat *rg_rule(rg *x, const char *id)
{
    for (int i = 0; i < x->nrules; i++)
        if (!strcmp(x->rules[i].id, id))
            return &x->rules[i];
    if (x->nrules == x->caprules) {
        int cap = x->caprules ? 2 * x->caprules : 64;
        rule_stat *rules = realloc(x->rules, (size_t)cap * sizeof *rules);
        if (!rules)
            return NULL;
        x->rules = rules;
        x->caprules = cap;
    }
    rule_stat *r = &x->rules[x->nrules++];
    memset(r, 0, sizeof *r);
    snprintf(r->id, sizeof r->id, "%s", id);
    return r;
}

static int rg_take(void *ud, const triage_referral *r, const triage_decision *d)
{
    rg *x = ud;
    x->n++;
    gold_t *g = rg_find(x, triage_referral_id(r));
    int outcome = (int)triage_decision_outcome(d), target = rg_target(triage_decision_target(d));
    const char *unit = triage_decision_unit(d), *priority = triage_decision_priority(d);
    if (outcome == TRIAGE_MANUAL_REVIEW)
        x->manual++;
    if (!g) {
        x->nogold++;
        return 0;
    }
    int wrong = !(g->outcome == outcome && g->target == target &&
                  !strcmp(g->unit, unit ? unit : ""));
    x->agree += !wrong;
    x->confusion[klass(g->outcome, g->target)][klass(outcome, target)]++;
    if (g->outcome == TRIAGE_ACCEPT) {
        x->gold_accept++;
        x->wrongly_rejected += outcome == TRIAGE_REJECT || outcome == TRIAGE_REDIRECT;
        x->needless += outcome == TRIAGE_REQUEST_INFO;
    }
    if (g->outcome == TRIAGE_REDIRECT || g->outcome == TRIAGE_REJECT) {
        x->gold_away++;
        x->wrongly_accepted += outcome == TRIAGE_ACCEPT;
    }
    if (g->acute) {
        x->gold_acute++;
        x->missed_acute += !priority || strcmp(priority, "acute") != 0;
    }
    const char *rule;
    int applied;
    for (int i = 0; triage_decision_step(d, i, &rule, &applied, NULL) == 0; i++) {
        rule_stat *rs = applied ? rg_rule(x, rule) : NULL;
        if (rs) {
            rs->fired++;
            rs->wrong += wrong;
        }
    }
    return 0;
}

static json_t *rg_measure(long count, long of)
{
    return json_pack("{s:I, s:I, s:f}", "count", (json_int_t)count, "of", (json_int_t)of,
                     "rate", of ? (double)count / (double)of : 0.0);
}

static json_t *rg_metrics(rg *x, triage_ruleset *rs)
{
    json_t *m = json_object();
    json_object_set_new(m, "ruleset", json_string(triage_ruleset_hash(rs)));
    json_object_set_new(m, "referrals", json_integer(x->n));
    json_object_set_new(m, "without_gold", json_integer(x->nogold));
    json_object_set_new(m, "agreement", rg_measure(x->agree, x->n - x->nogold));
    json_object_set_new(m, "wrongly_rejected", rg_measure(x->wrongly_rejected, x->gold_accept));
    json_object_set_new(m, "needless_requests", rg_measure(x->needless, x->gold_accept));
    json_object_set_new(m, "wrongly_accepted", rg_measure(x->wrongly_accepted, x->gold_away));
    json_object_set_new(m, "missed_acute", rg_measure(x->missed_acute, x->gold_acute));
    json_object_set_new(m, "manual_review", rg_measure(x->manual, x->n));
    json_t *conf = json_object();
    for (int i = 0; i < K__N; i++) {
        json_t *row = json_object();
        for (int j = 0; j < K__N; j++)
            if (x->confusion[i][j])
                json_object_set_new(row, K_NAMES[j], json_integer(x->confusion[i][j]));
        if (json_object_size(row))
            json_object_set_new(conf, K_NAMES[i], row);
        else
            json_decref(row);
    }
    json_object_set_new(m, "confusion", conf);
    json_t *rules = json_object();
    for (int i = 0; i < x->nrules; i++)
        json_object_set_new(rules, x->rules[i].id,
                            json_pack("{s:I, s:I}", "fired", (json_int_t)x->rules[i].fired,
                                      "wrong", (json_int_t)x->rules[i].wrong));
    json_object_set_new(m, "rules", rules);
    return m;
}

static long rg_count(json_t *m, const char *k)
{
    return (long)json_integer_value(json_object_get(json_object_get(m, k), "count"));
}

static void rg_text(FILE *o, json_t *m, rg *x, triage_ruleset *rs, const char *gold)
{
    fprintf(o, "rule set %.12s (%d rules) on %ld referrals, gold %s\n", triage_ruleset_hash(rs),
            triage_ruleset_rule_count(rs), x->n, gold);
    if (x->nogold)
        fprintf(o, "  %ld referrals have no gold decision and are left out\n", x->nogold);
    static const char *const keys[] = {"agreement", "wrongly_rejected", "needless_requests",
                                       "wrongly_accepted", "missed_acute", "manual_review", NULL};
    static const char *const of[] = {"referrals with gold", "gold accept", "gold accept",
                                     "gold redirect or reject", "gold acute", "referrals"};
    for (int i = 0; keys[i]; i++) {
        json_t *v = json_object_get(m, keys[i]);
        fprintf(o, "  %-18s %6lld  %6.2f%% of %lld %s\n", keys[i],
                (long long)json_integer_value(json_object_get(v, "count")),
                100 * json_real_value(json_object_get(v, "rate")),
                (long long)json_integer_value(json_object_get(v, "of")), of[i]);
    }
    fprintf(o, "confusion (rows: gold, columns: decided)\n  %-28s", "");
    for (int j = 0; j < K__N; j++)
        fprintf(o, " %6.6s", K_NAMES[j] + (strncmp(K_NAMES[j], "redirect ", 9) ? 0 : 9));
    fputc('\n', o);
    for (int i = 0; i < K__N; i++) {
        long row = 0;
        for (int j = 0; j < K__N; j++)
            row += x->confusion[i][j];
        if (!row)
            continue;
        fprintf(o, "  %-28s", K_NAMES[i]);
        for (int j = 0; j < K__N; j++)
            fprintf(o, " %6ld", x->confusion[i][j]);
        fputc('\n', o);
    }
    fprintf(o, "rules (fired = applied; wrong = on a referral decided unlike gold)\n");
    for (int i = 0; i < x->nrules; i++)
        fprintf(o, "  %-12s fired %6ld  wrong %5ld\n", x->rules[i].id, x->rules[i].fired,
                x->rules[i].wrong);
}

static void rg_html_escape(FILE *o, const char *s)
{
    for (; *s; s++) {
        if (*s == '<') fputs("&lt;", o);
        else if (*s == '>') fputs("&gt;", o);
        else if (*s == '&') fputs("&amp;", o);
        else if (*s == '"') fputs("&quot;", o);
        else fputc(*s, o);
    }
}

static void rg_html(FILE *o, json_t *m, rg *x, triage_ruleset *rs)
{
    fprintf(o, "<!doctype html>\n<html lang=\"da\"><head><meta charset=\"utf-8\">"
               "<title>triage regress %.12s</title><style>"
               "body{font:14px/1.4 system-ui,sans-serif;margin:2em;color:#222}"
               "table{border-collapse:collapse;margin:1em 0}td,th{border:1px solid #ccc;"
               "padding:3px 8px;text-align:right}th{background:#f3f3f3}td:first-child,"
               "th:first-child{text-align:left}.bad{color:#b00;font-weight:bold}"
               "</style></head><body>\n", triage_ruleset_hash(rs));
    fprintf(o, "<h1>Regression: rule set <code>%.12s</code></h1>\n<p>%ld referrals, %d rules.</p>\n",
            triage_ruleset_hash(rs), x->n, triage_ruleset_rule_count(rs));
    static const char *const keys[] = {"agreement", "wrongly_rejected", "needless_requests",
                                       "wrongly_accepted", "missed_acute", "manual_review", NULL};
    fprintf(o, "<h2>Measures</h2><table><tr><th>measure</th><th>count</th><th>of</th><th>rate</th></tr>\n");
    for (int i = 0; keys[i]; i++) {
        json_t *v = json_object_get(m, keys[i]);
        long c = (long)json_integer_value(json_object_get(v, "count"));
        fprintf(o, "<tr><td>%s</td><td%s>%ld</td><td>%lld</td><td>%.2f%%</td></tr>\n", keys[i],
                !strcmp(keys[i], "missed_acute") && c ? " class=\"bad\"" : "", c,
                (long long)json_integer_value(json_object_get(v, "of")),
                100 * json_real_value(json_object_get(v, "rate")));
    }
    fprintf(o, "</table>\n<h2>Confusion (rows: gold, columns: decided)</h2><table><tr><th></th>");
    for (int j = 0; j < K__N; j++)
        fprintf(o, "<th>%s</th>", K_NAMES[j]);
    fprintf(o, "</tr>\n");
    for (int i = 0; i < K__N; i++) {
        fprintf(o, "<tr><th>%s</th>", K_NAMES[i]);
        for (int j = 0; j < K__N; j++)
            fprintf(o, "<td%s>%ld</td>", i != j && x->confusion[i][j] ? " class=\"bad\"" : "",
                    x->confusion[i][j]);
        fprintf(o, "</tr>\n");
    }
    /* Chart: gold vs decided count per class, as horizontal bars. */
    long gold[K__N] = {0}, dec[K__N] = {0}, max = 1;
    for (int i = 0; i < K__N; i++)
        for (int j = 0; j < K__N; j++) {
            gold[i] += x->confusion[i][j];
            dec[j] += x->confusion[i][j];
        }
    for (int i = 0; i < K__N; i++) {
        if (gold[i] > max) max = gold[i];
        if (dec[i] > max) max = dec[i];
    }
    int h = 24 * K__N + 30;
    fprintf(o, "</table>\n<h2>Outcomes: gold and decided</h2>\n"
               "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"720\" height=\"%d\" role=\"img\" "
               "aria-label=\"outcomes\">\n", h);
    for (int i = 0; i < K__N; i++) {
        int y = 10 + 24 * i;
        double wg = 480.0 * gold[i] / max, wd = 480.0 * dec[i] / max;
        fprintf(o, "<text x=\"0\" y=\"%d\" font-size=\"11\">%s</text>"
                   "<rect x=\"200\" y=\"%d\" width=\"%.1f\" height=\"9\" fill=\"#8aa\"/>"
                   "<rect x=\"200\" y=\"%d\" width=\"%.1f\" height=\"9\" fill=\"#246\"/>"
                   "<text x=\"%.1f\" y=\"%d\" font-size=\"10\">%ld / %ld</text>\n",
                y + 12, K_NAMES[i], y, wg, y + 10, wd, 205 + (wg > wd ? wg : wd), y + 12,
                gold[i], dec[i]);
    }
    fprintf(o, "<text x=\"200\" y=\"%d\" font-size=\"11\">light: gold, dark: decided</text></svg>\n",
            h - 4);
    fprintf(o, "<h2>Rules</h2><table><tr><th>rule</th><th>fired</th><th>wrong</th></tr>\n");
    for (int i = 0; i < x->nrules; i++) {
        fprintf(o, "<tr><td>");
        rg_html_escape(o, x->rules[i].id);
        fprintf(o, "</td><td>%ld</td><td>%ld</td></tr>\n", x->rules[i].fired, x->rules[i].wrong);
    }
    fprintf(o, "</table>\n</body></html>\n");
}

/* Compare with a baseline; print what changed. Returns 1 when the gate fails. */
static int rg_gate(FILE *o, json_t *m, json_t *base)
{
    int fail = 0;
    long ma = rg_count(m, "missed_acute");
    if (ma > 0) {
        fprintf(o, "GATE: missed_acute is %ld; it must be 0\n", ma);
        fail = 1;
    }
    if (!base)
        return fail;
    fprintf(o, "against the baseline (rule set %.12s):\n",
            json_string_value(json_object_get(base, "ruleset")) ?
            json_string_value(json_object_get(base, "ruleset")) : "?");
    static const char *const keys[] = {"agreement", "wrongly_rejected", "needless_requests",
                                       "wrongly_accepted", "missed_acute", "manual_review", NULL};
    for (int i = 0; keys[i]; i++) {
        long a = rg_count(base, keys[i]), b = rg_count(m, keys[i]);
        fprintf(o, "  %-18s %6ld -> %6ld  (%+ld)\n", keys[i], a, b, b - a);
    }
    if (rg_count(m, "wrongly_rejected") > rg_count(base, "wrongly_rejected")) {
        fprintf(o, "GATE: wrongly_rejected rose from %ld to %ld\n",
                rg_count(base, "wrongly_rejected"), rg_count(m, "wrongly_rejected"));
        fail = 1;
    }
    if (ma > rg_count(base, "missed_acute")) {
        fprintf(o, "GATE: missed_acute rose from %ld to %ld\n", rg_count(base, "missed_acute"), ma);
        fail = 1;
    }
    return fail;
}

static FILE *rg_open_out(const char *path)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    return fd < 0 ? NULL : fdopen(fd, "w");
}

/* What the command was asked for. */
typedef struct rg_opts {
    const char *db, *rules, *gold, *baseline, *save, *out, *format;
} rg_opts;

/* Options into o; -1 (said) when unusable, 1 after --help, 0 to go on. */
static int rg_options(int argc, char **argv, rg_opts *o)
{
    static const struct option opts[] = {{"db", required_argument, 0, 'd'},
                                         {"rules", required_argument, 0, 'r'},
                                         {"gold", required_argument, 0, 'g'},
                                         {"baseline", required_argument, 0, 'b'},
                                         {"save", required_argument, 0, 's'},
                                         {"format", required_argument, 0, 'f'},
                                         {"out", required_argument, 0, 'o'},
                                         {"help", no_argument, 0, 'h'},
                                         {0, 0, 0, 0}};
    int c;
    *o = (rg_opts){cli_default_db(), cli_default_rules(), NULL, NULL, NULL, NULL, "text"};
    optind = 1;
    while ((c = getopt_long(argc, argv, "d:r:g:b:s:f:o:h", opts, NULL)) != -1) {
        switch (c) {
        case 'd': o->db = optarg; break;
        case 'r': o->rules = optarg; break;
        case 'g': o->gold = optarg; break;
        case 'b': o->baseline = optarg; break;
        case 's': o->save = optarg; break;
        case 'f': o->format = optarg; break;
        case 'o': o->out = optarg; break;
        case 'h': fputs(HELP, stdout); return 1;
        default: fputs(HELP, stderr); return -1;
        }
    }
    if (!o->gold) {
        fprintf(stderr, "triage regress: --gold FILE is required (see 'triage corpus')\n");
        return -1;
    }
    if (strcmp(o->format, "text") && strcmp(o->format, "json") && strcmp(o->format, "html")) {
        fprintf(stderr, "triage regress: --format must be text, json or html\n");
        return -1;
    }
    if (access(o->db, F_OK) != 0) {
        fprintf(stderr, "triage regress: no database '%s'; import the corpus with "
                        "'triage import --db %s DIR/referrals.jsonl'\n", o->db, o->db);
        return -1;
    }
    return 0;
}

/* The report in the asked format, the gate's verdict (to stdout for text,
** else stderr) and the saved metrics. Returns the exit status. */
static int rg_report(const rg_opts *o, json_t *m, rg *x, triage_ruleset *rs, json_t *base)
{
    FILE *out = o->out ? rg_open_out(o->out) : stdout;
    if (!out) {
        fprintf(stderr, "triage regress: cannot write %s\n", o->out);
        return EXIT_USAGE;
    }
    if (!strcmp(o->format, "json")) {
        json_dumpf(m, out, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
        fputc('\n', out);
    } else if (!strcmp(o->format, "html")) {
        rg_html(out, m, x, rs);
    } else {
        rg_text(out, m, x, rs, o->gold);
    }
    int fail = rg_gate(!strcmp(o->format, "text") && !o->out ? stdout : stderr, m, base);
    if (o->out)
        fclose(out);
    if (o->save) {
        FILE *sf = rg_open_out(o->save);
        if (!sf || json_dumpf(m, sf, JSON_INDENT(2) | JSON_PRESERVE_ORDER) != 0) {
            fprintf(stderr, "triage regress: cannot write %s\n", o->save);
            fail = -1;
        }
        if (sf) {
            fputc('\n', sf);
            fclose(sf);
        }
    }
    return fail < 0 ? EXIT_USAGE : fail ? EXIT_CHECK : EXIT_DONE;
}

int cli_regress(int argc, char **argv)
{
    rg_opts o;
    int opt = rg_options(argc, argv, &o);
    if (opt != 0)
        return opt > 0 ? EXIT_DONE : EXIT_USAGE;
    json_t *base = NULL;
    if (o.baseline) {
        json_error_t je;
        base = json_load_file(o.baseline, 0, &je);
        if (!base) {
            fprintf(stderr, "triage regress: %s:%d: cannot read the baseline: %s\n", o.baseline,
                    je.line, je.text);
            return EXIT_USAGE;
        }
    }
    rg x;
    memset(&x, 0, sizeof x);
    triage_error err;
    triage_ruleset *rs = NULL;
    triage_store *st = NULL;
    int status = EXIT_USAGE;
    if (rg_load_gold(&x, o.gold) != 0)
        goto done;
    if (!(rs = triage_ruleset_load(o.rules, cli_limits(), &err)) || !(st = triage_store_open(o.db, &err)) ||
        triage_evaluate(st, rs, rg_take, &x, &err) != TRIAGE_OK) {
        fprintf(stderr, "triage regress: %s\n", err.text);
        goto done;
    }
    qsort(x.rules, (size_t)x.nrules, sizeof *x.rules, rg_rule_cmp);
    json_t *m = rg_metrics(&x, rs);
    status = rg_report(&o, m, &x, rs, base);
    json_decref(m);
done:
    json_decref(base);
    triage_store_close(st);
    if (rs)
        triage_ruleset_release(rs);
    free(x.g);
    free(x.rules);
    return status;
}

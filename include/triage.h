/*
** triage.h — public C API of the triage engine.
** Referrals (referral.schema.json) are parsed and validated, kept in a store,
** and decided by a sandboxed Lua rule set into decisions (decision.schema.json).
** Every handle is opaque; every function says who owns what it returns.
*/
#ifndef TRIAGE_H
#define TRIAGE_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#ifdef __cplusplus
extern "C" {
#endif

#define TRIAGE_VERSION "0.1.0"

/* ---------------------------------------------------------------- errors */

typedef enum triage_code {
    TRIAGE_OK = 0,        /* success */
    TRIAGE_EINVAL,        /* a record breaks referral.schema.json */
    TRIAGE_EJSON,         /* input is not well-formed JSON */
    TRIAGE_EIO,           /* a file could not be read or written */
    TRIAGE_ENOMEM,        /* out of memory */
    TRIAGE_ERULES,        /* a rule set failed to load (syntax, runtime at load) */
    TRIAGE_ESTORE,        /* the SQLite store failed */
    TRIAGE_EDUPLICATE,    /* a referral with this id is already stored */
    TRIAGE_ENOTFOUND,     /* no such referral */
    TRIAGE_EUSAGE         /* the caller passed something unusable */
} triage_code;

/* Where and why something failed. Filled by any function that takes one;
** all strings are NUL-terminated and never hold a CPR number. */
typedef struct triage_error {
    triage_code code;     /* TRIAGE_OK when nothing failed */
    const char *msg;      /* constant description of code; never NULL */
    long line;            /* input line (1-based) or rule file line; 0 if none */
    char file[256];       /* input or rule file; "" if none */
    char id[72];          /* referral id when known; "" otherwise */
    char field[96];       /* dotted field path, e.g. "patient.birth_date" */
    char text[512];       /* the whole message, ready to print:
                             "FILE:LINE: ID: FIELD: what is wrong" */
} triage_error;

/* Constant description of a code (static storage; never NULL). */
const char *triage_strerror(triage_code code);

/* The one constructor of a triage_error: fills *err and returns code, so
** that a failing function can end in `return triage_error_set(...)`.
** err NULL: nothing is written. file, id and field say where it failed;
** NULL or "" leaves that part out (line <= 0 likewise). fmt is printf's
** (NULL: the code's description, or an empty text for TRIAGE_OK, which is
** how a caller marks "no error, here"). Nothing is borrowed: every string is
** copied into err's fixed fields, cut between UTF-8 characters where it does
** not fit (a file name keeps its end, "…/dir/file.lua"), control bytes as
** '?', and every CPR-like digit run masked, so err may outlive all arguments
** and is safe to print or log. err->text is "FILE:LINE: ID: FIELD: what". */
triage_code triage_error_set(triage_error *err, triage_code code, const char *file,
                             long line, const char *id, const char *field,
                             const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 7, 8)))
#endif
    ;

/* Copy s into out (cap bytes, always NUL-terminated) with every CPR-like
** digit run masked and bytes that are not UTF-8 replaced, as in everything
** the engine writes: for a caller's own logs and messages. s may be NULL
** (out becomes ""). */
void triage_mask_cpr(char *out, size_t cap, const char *s);

/* ----------------------------------------------------------------- dates */

/* A calendar day as a number: days since 1970-01-01, proleptic Gregorian,
** so that days compare and subtract as integers. */
typedef int32_t triage_day;
#define TRIAGE_NO_DAY INT32_MIN   /* "no date" */

/* Parse exactly len bytes of s as "YYYY-MM-DD" naming a real day (so not
** "2020-13-45" or "2020-02-30"). Returns 1 and sets *out (out may be NULL to
** only check), or 0 and leaves *out alone. s may be NULL when len is 0. */
int triage_date_parse(const char *s, size_t len, triage_day *out);

/* Write day as "YYYY-MM-DD" (10 characters and the NUL) into out. */
void triage_date_format(triage_day day, char out[11]);

/* Day arithmetic, the engine's own, so that what a caller computes (the
** corpus generator's gold decisions) agrees with what the rules compute. */
triage_day triage_date_from_ymd(int y, int m, int d);   /* no range check */
void triage_date_to_ymd(triage_day day, int *y, int *m, int *d);
/* The same day n months later (n may be negative); the 31st becomes the
** month's last day. */
triage_day triage_date_add_months(triage_day day, int n);
/* Whole years from birth to at; negative when at is before birth. */
int triage_date_age(triage_day birth, triage_day at);

/* ------------------------------------------------------------- referrals */

typedef struct triage_referral triage_referral;

/* Parse and validate one referral from JSON text of len bytes.
** Returns a new referral (free with triage_referral_free) or NULL with err
** filled (err may be NULL). file/line only label error messages (may be
** NULL/0). A CPR number never appears in err. */
triage_referral *triage_referral_parse(const char *json, size_t len,
                                       const char *file, long line,
                                       triage_error *err);

/* Free a referral; NULL is a no-op. */
void triage_referral_free(triage_referral *r);

/* The referral's id (owned by r, valid while r lives). */
const char *triage_referral_id(const triage_referral *r);

/* Reads JSON values one after another from a file or stdin ("-"): one object,
** JSON Lines, an array of objects, or objects over several lines. Each record
** is labelled with the line on which it starts. */
typedef struct triage_reader triage_reader;

/* Open path ("-" = stdin). Returns NULL with err filled on failure. Free with
** triage_reader_close. The whole input is read into memory once. */
triage_reader *triage_reader_open(const char *path, triage_error *err);

/* The same over len bytes in memory, e.g. an HTTP request body: the bytes are
** copied, so data may go once this returns. label names the input in messages
** (NULL: none; a message then starts with the line). Returns NULL with err
** filled when out of memory. */
triage_reader *triage_reader_open_memory(const char *data, size_t len,
                                         const char *label, triage_error *err);

/* Next record. Returns 1 and sets *out (caller frees with
** triage_referral_free); 0 at end of input; -1 for a bad record: *out is
** NULL, err says why, and if raw is not NULL *raw and *raw_len point at the
** record's bytes (owned by the reader, valid until the next call) so that it
** can be quarantined. Reading goes on after -1. */
int triage_reader_next(triage_reader *rd, triage_referral **out,
                       triage_error *err, const char **raw, size_t *raw_len);

/* The line on which the record last returned by triage_reader_next starts. */
long triage_reader_line(const triage_reader *rd);

void triage_reader_close(triage_reader *rd);

/* ------------------------------------------------------------- rule sets */

/* Limits for every Lua state made from a rule set. Zero means the default. */
typedef struct triage_limits {
    size_t memory_bytes;        /* Lua heap per state (default 64 MiB) */
    uint64_t instructions;      /* VM instructions per referral (default 20M), counted
                                ** once a run has lasted longer than the sandbox
                                ** watchdog's delay (4-8 ms; a normal referral takes
                                ** some µs): a runaway rule is stopped after at most
                                ** that delay plus this budget */
} triage_limits;

typedef struct triage_ruleset triage_ruleset;

/* Load every file under dir, hash them, and verify the rule set by building
** one sandboxed state from it. Returns a rule set with one reference (drop it
** with triage_ruleset_release) or NULL with err filled (file and line of the
** failing rule file). limits may be NULL for the defaults. */
triage_ruleset *triage_ruleset_load(const char *dir, const triage_limits *limits,
                                    triage_error *err);

/* Lowercase hex SHA-256 of the rule set (64 chars; owned by rs). */
const char *triage_ruleset_hash(const triage_ruleset *rs);

/* Number of rules the rule set declares. */
int triage_ruleset_rule_count(const triage_ruleset *rs);

/* Reference counting: a rule set lives while any decider or caller holds it. */
triage_ruleset *triage_ruleset_retain(triage_ruleset *rs);
void triage_ruleset_release(triage_ruleset *rs);

/* How a rule set's own test cases went. */
typedef struct triage_test_result {
    int files;              /* case files found: DIR/tests/ *.json */
    int passed, failed;     /* cases */
} triage_test_result;

/* Run the rule set's own test cases. A case file is a JSON array of
** {"name", "referral", "before": [...], "expect": {...}}; each case is decided
** on a fresh history holding only its "before" referrals. Failures are
** printed to out (may be NULL), every case when verbose. The first failure is
** also described in first (may be NULL): the case's file and line, and what
** differed. Returns TRIAGE_OK when the cases ran (res counts how they went: a
** failed case is no error here), or the error that kept a decider from being
** built (in first). res must not be NULL. */
triage_code triage_ruleset_test(triage_ruleset *rs, FILE *out, int verbose,
                                triage_test_result *res, triage_error *first);

/* ------------------------------------------------------------ rule host */

/* A host keeps the active rule set of a long-running process and replaces
** it safely: build the new one in a fresh sandbox, run its own tests, and
** only then swap. Deciders finish on the rule set they started with; an old
** rule set is freed when the last decider lets go of it. Thread-safe. */
typedef struct triage_host triage_host;

/* Load dir (its tests must pass). Returns NULL with err filled on failure.
** Close with triage_host_close. limits may be NULL. */
triage_host *triage_host_open(const char *dir, const triage_limits *limits,
                              triage_error *err);
void triage_host_close(triage_host *h);

/* The active rule set, with a reference for the caller (drop it with
** triage_ruleset_release). Never NULL. */
triage_ruleset *triage_host_acquire(triage_host *h);

/* Reload now. TRIAGE_OK when the active rule set is the directory's (swapped
** or already current); otherwise the old one stays active, err says why
** (file and line) and it is kept as the last error. */
triage_code triage_host_reload(triage_host *h, triage_error *err);

/* Watch the directory (inotify, every subdirectory) and reload shortly after
** changes settle. Returns TRIAGE_OK, or an error when watching is impossible. */
triage_code triage_host_watch(triage_host *h, triage_error *err);

/* Called after every reload attempt, from the thread that made it: rs is the
** active rule set (borrowed), err the failure or NULL. */
typedef void (*triage_reload_fn)(void *ud, const triage_ruleset *rs,
                                 const triage_error *err);
void triage_host_on_reload(triage_host *h, triage_reload_fn fn, void *ud);

typedef struct triage_host_status {
    char ruleset[65];       /* active hash */
    char loaded_at[32];     /* when it became active, ISO-8601 UTC */
    long reloads;           /* swaps since open */
    long failures;          /* failed attempts since open */
    int has_error;          /* last attempt failed: last_error is set */
    triage_error last_error;
} triage_host_status;

void triage_host_status_get(triage_host *h, triage_host_status *out);

/* ----------------------------------------------------------------- store */

typedef struct triage_store triage_store;

/* Open or create a store at path (":memory:" for an in-memory one). A new
** file is created mode 0600. Returns NULL with err filled on failure. Close
** with triage_store_close. One store handle is used by one thread. */
triage_store *triage_store_open(const char *path, triage_error *err);
void triage_store_close(triage_store *st);

/* Batches: everything between begin and commit is one transaction. Calls
** outside a batch commit one by one. */
triage_code triage_store_begin(triage_store *st, triage_error *err);
triage_code triage_store_commit(triage_store *st, triage_error *err);
triage_code triage_store_rollback(triage_store *st);

/* Store a validated referral (r stays the caller's). source and line say
** where it came from (may be NULL/0). TRIAGE_EDUPLICATE when the id is
** already stored: nothing changes. */
triage_code triage_store_put(triage_store *st, const triage_referral *r,
                             const char *source, long line, triage_error *err);

/* Keep a record that could not be imported, with the error that stopped it,
** so nothing is lost. raw may be NULL (raw_len 0). */
triage_code triage_store_quarantine(triage_store *st, const char *raw,
                                    size_t raw_len, const triage_error *why,
                                    triage_error *err);

/* Fetch one stored referral by id. Returns a new referral (caller frees) or
** NULL with err->code TRIAGE_ENOTFOUND / TRIAGE_ESTORE. */
triage_referral *triage_store_get(triage_store *st, const char *id,
                                  triage_error *err);

/* Called once per referral; takes ownership of r (free it, or keep it).
** Return 0 to go on, anything else to stop early. */
typedef int (*triage_referral_fn)(void *ud, triage_referral *r);

/* Every referral with no decision from rule set hash, in order of received
** then id. */
triage_code triage_store_each_undecided(triage_store *st, const char *hash,
                                        triage_referral_fn fn, void *ud,
                                        triage_error *err);

/* Counts for summaries; -1 on error. what: "referrals", "quarantine",
** "decisions", or "undecided" (needs hash; otherwise hash may be NULL). */
long triage_store_count(triage_store *st, const char *what, const char *hash);

/* ------------------------------------------------------------- decisions */

typedef struct triage_decision triage_decision;

typedef enum triage_outcome {
    TRIAGE_ACCEPT,
    TRIAGE_REQUEST_INFO,
    TRIAGE_REDIRECT,
    TRIAGE_REJECT,
    TRIAGE_MANUAL_REVIEW
} triage_outcome;

#define TRIAGE_N_OUTCOMES 5   /* triage_outcome runs 0 .. TRIAGE_N_OUTCOMES - 1 */
#define TRIAGE_N_TARGETS 5    /* targets, numbered as triage_target_name */

/* Outcome as the schema spells it ("accept", ...; static storage). */
const char *triage_outcome_name(triage_outcome o);

/* Target i (0 .. TRIAGE_N_TARGETS - 1) as the schema spells it, in the
** schema's order: "buc", "specialist_practice", "municipality",
** "adult_psychiatry", "other_region"; NULL for any other i (static storage). */
const char *triage_target_name(int i);

/* A decision's fields. Every string returned is owned by d and lives as long
** as d; none holds a CPR number (masked on the way in). d must not be NULL,
** except where a function says what it returns for NULL. */

/* The outcome; TRIAGE_MANUAL_REVIEW when d is NULL. */
triage_outcome triage_decision_outcome(const triage_decision *d);

/* The referral's id. */
const char *triage_decision_id(const triage_decision *d);

/* The rule set that decided: lowercase hex SHA-256, 64 characters. */
const char *triage_decision_ruleset(const triage_decision *d);

/* Target as the schema spells it ("buc", ...) or NULL when there is none or
** d is NULL (static storage). */
const char *triage_decision_target(const triage_decision *d);

/* The unit ("B205", ...), or NULL when there is none. */
const char *triage_decision_unit(const triage_decision *d);

/* "acute", "urgent" or "routine", or NULL when there is none (static). */
const char *triage_decision_priority(const triage_decision *d);

/* The deadline, or TRIAGE_NO_DAY when there is none. */
triage_day triage_decision_deadline(const triage_decision *d);

/* Whom the missing items are asked of: "referrer" or "municipality", or NULL
** when nobody (static). */
const char *triage_decision_request_from(const triage_decision *d);

/* The items the rules marked missing, in the schema's order
** ("cognitive_assessment", ..., "somatic_measurements"; static storage). The
** decision's JSON lists them when the outcome is request_info. Item i of
** 0 .. count - 1; NULL for any other i. */
int triage_decision_missing_count(const triage_decision *d);
const char *triage_decision_missing(const triage_decision *d, int i);

/* The reasons, in the order the rules gave them: reason i of 0 .. count - 1
** sets *rule (the rule id) and *text (Danish, for the referrer) and returns
** 0; any other i returns -1 and sets both to NULL. rule or text may be NULL
** when not wanted. */
int triage_decision_reason_count(const triage_decision *d);
int triage_decision_reason(const triage_decision *d, int i, const char **rule,
                           const char **text);

/* The trace, recorded only when decided with TRIAGE_EXPLAIN (explained then
** returns 1, else 0 and the count is 0): every rule evaluated, in order. Step
** i of 0 .. count - 1 sets *rule, *applied (1 when its action ran) and *why
** (why it applied or not; "" when the rule gave no reason) and returns 0; any
** other i returns -1 and sets *rule and *why to NULL. Any out pointer may be
** NULL when not wanted. */
int triage_decision_explained(const triage_decision *d);
int triage_decision_step_count(const triage_decision *d);
int triage_decision_step(const triage_decision *d, int i, const char **rule,
                         int *applied, const char **why);

/* The rule that decided: for manual_review the rule that failed (its first
** reason's rule, "ENGINE" for the engine's own), else the last rule in the
** trace whose action ran, else the first reason's rule; "" when none of
** these is known (a decision without trace or reasons). */
const char *triage_decision_deciding_rule(const triage_decision *d);

/* The decision as one JSON object in decision.schema.json, without a newline,
** with the trace when it was decided with explain. Caller frees with free(). */
char *triage_decision_json(const triage_decision *d);

void triage_decision_free(triage_decision *d);

/* --------------------------------------------------------------- deciders */

/* A decider is one sandboxed Lua state built from a rule set, for one thread.
** It holds a reference to the rule set. store (may be NULL: no history) is
** where rules look up a child's earlier referrals; it must outlive the
** decider and be used by this thread only. */
typedef struct triage_decider triage_decider;

triage_decider *triage_decider_new(triage_ruleset *rs, triage_store *store,
                                   triage_error *err);
void triage_decider_free(triage_decider *dc);

/* The rule set this decider runs (borrowed). */
triage_ruleset *triage_decider_ruleset(const triage_decider *dc);

#define TRIAGE_EXPLAIN 1u  /* record the trace: every rule evaluated, and why */

/* Decide one referral. Never fails for rule errors or limits: those give a
** manual_review decision naming the rule. Returns NULL only when out of
** memory. Caller frees with triage_decision_free. */
triage_decision *triage_decide(triage_decider *dc, const triage_referral *r,
                               unsigned flags);

/* Small named values kept beside the data, e.g. the rule set a long-running
** process has active ("active"). value is copied. */
triage_code triage_store_meta_set(triage_store *st, const char *key,
                                  const char *value, triage_error *err);
/* The value, or NULL when there is none. Caller frees with free(). */
char *triage_store_meta_get(triage_store *st, const char *key);

/* Append a decision to the store's audit log (d stays the caller's). */
triage_code triage_store_put_decision(triage_store *st, const triage_decision *d,
                                      triage_error *err);


/* ------------------------------------------------------------- work list */

#define TRIAGE_LIST_LIMIT 50        /* work-list rows per page by default */
#define TRIAGE_LIST_LIMIT_MAX 1000  /* and at the most */

/* Filters for the intake work list; NULL (or 0) means no filter. Each
** referral appears once, with its latest decision. */
typedef struct triage_query {
    const char *outcome;   /* latest outcome, or "new" for undecided */
    const char *target;    /* latest decision's target */
    const char *unit;      /* latest decision's unit */
    const char *priority;  /* latest decision's priority */
    const char *from, *to; /* received on or after / on or before (YYYY-MM-DD) */
    const char *due;       /* deadline on or before (YYYY-MM-DD); sorts by deadline */
    const char *q;         /* substring of the id or the municipality */
    long limit;            /* rows per page (0: TRIAGE_LIST_LIMIT; at most
                              TRIAGE_LIST_LIMIT_MAX) */
    long offset;
} triage_query;

/* A referral as the store keeps it: the columns of its row. Strings are
** borrowed for the call that hands the row over; NULL where the column has
** no value. No field holds a CPR number. */
typedef struct triage_row {
    const char *id;
    const char *received;        /* YYYY-MM-DD */
    const char *municipality;    /* as the referrer wrote it */
    const char *age_band;        /* "0-7", "8-13", "14-17" or "18+"; NULL
                                    without a birth date */
    const char *referrer_kind;
    const char *status;          /* the latest decision's outcome, or "new" */
    const char *imported_at;     /* ISO-8601 UTC */
    const char *json;            /* the referral as received, compact JSON;
                                    NULL in a work-list row */
} triage_row;

/* One decision of the store's audit log. decision is rebuilt from the log
** (its fields and reasons; a trace is never kept) and borrowed for the call. */
typedef struct triage_logged {
    long seq;                    /* its place in the log, from 1 */
    const char *decided_at;      /* ISO-8601 UTC */
    const triage_decision *decision;
} triage_logged;

/* Called with a row and n decisions of its log (log is NULL when n is 0);
** all borrowed for the call. Return 0 to go on, anything else to stop. */
typedef int (*triage_row_fn)(void *ud, const triage_row *row,
                             const triage_logged *log, int n);

/* The intake work list: each referral that q lets through, once, with its
** latest decision (n = 1) or none (n = 0, status "new"); newest first, or by
** deadline when q->due is set; q->limit rows from q->offset on. *total (may
** be NULL) is set to how many referrals q lets through in all. q may be NULL
** for no filter. Returns TRIAGE_OK (also when fn stopped early) or an error
** in err. */
triage_code triage_store_list(triage_store *st, const triage_query *q, long *total,
                              triage_row_fn fn, void *ud, triage_error *err);

/* One referral as stored (row->json set) with its whole log, oldest first:
** fn is called once. TRIAGE_ENOTFOUND when no referral has this id (fn is
** not called), or TRIAGE_ESTORE, with err filled. */
triage_code triage_store_record(triage_store *st, const char *id, triage_row_fn fn,
                                void *ud, triage_error *err);

/* ------------------------------------------------------------ whole stores */

/* What triage_run did. */
typedef struct triage_run_summary {
    long decided;
    long by_outcome[TRIAGE_N_OUTCOMES];   /* indexed by triage_outcome */
    long by_target[TRIAGE_N_TARGETS + 1]; /* numbered as triage_target_name;
                                             the last counts "no target" */
    double seconds;                       /* wall time of the whole run */
    /* Where it went. The calling thread opens a read connection and a
    ** decider per thread (setup), reads the undecided referrals (read) and
    ** stores the decisions (store; commit: the transactions' begin and
    ** commit); decide is the deciding, summed over the threads. With one
    ** thread they add up to seconds; with more, deciding runs beside the
    ** calling thread's reading and storing. */
    double setup_seconds, read_seconds, decide_seconds, store_seconds, commit_seconds;
} triage_run_summary;

/* Called after each chunk of decisions is stored: done of total. */
typedef void (*triage_progress_fn)(void *ud, long done, long total);

/* Decide every referral of st that has no decision from rs, on threads
** threads, and append the decisions to the audit log, one transaction per
** chunk of referrals. A child's referrals are decided in order of received
** then id, on one thread, so that history sees every decision before it.
** With more than one thread, the calling thread reads and stores while
** the threads decide (threads + 1 threads in all).
** db_path names st's file so that each thread opens its own read connection
** (":memory:" runs on one thread). progress may be NULL. Returns TRIAGE_OK,
** or an error in err: the decisions stored before it stay stored. sum must
** not be NULL; it counts what was stored. */
triage_code triage_run(triage_store *st, const char *db_path, triage_ruleset *rs,
                       int threads, triage_progress_fn progress, void *ud,
                       triage_run_summary *sum, triage_error *err);

/* Called once per referral with its decision, both borrowed for the call.
** Return 0 to go on, anything else to stop. */
typedef int (*triage_decided_fn)(void *ud, const triage_referral *r,
                                 const triage_decision *d);

/* Decide every referral of st with rs in memory, with the trace, in order of
** received then id: what `regress` and `diff` measure a rule set with. A
** child's history is the decisions of this same pass, never what the store
** holds, so the figures do not depend on earlier runs; nothing is written.
** Returns TRIAGE_OK (also when fn stopped early) or an error in err. */
triage_code triage_evaluate(triage_store *st, triage_ruleset *rs,
                            triage_decided_fn fn, void *ud, triage_error *err);

#ifdef __cplusplus
}
#endif
#endif

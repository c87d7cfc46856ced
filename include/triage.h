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
    TRIAGE_ENOTFOUND,     /* no such referral (or user) */
    TRIAGE_EUSAGE,        /* the caller passed something unusable */
    TRIAGE_EAUTH,         /* wrong name or password, a disabled account, no or
                             an expired session */
    TRIAGE_EDENIED,       /* this person's role may not do this */
    TRIAGE_ECONFLICT,     /* the referral's state does not allow it (now) */
    TRIAGE_EREPEATED,     /* this FHIR message was received before: nothing changed */
    TRIAGE_EWITHDRAWN     /* the referral was withdrawn (cancel-referral) */
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

/* The referral's free text, as stored (valid UTF-8; "" when it has none),
** owned by r; *len (may be NULL) is its length in bytes. The evidence of an
** explained decision (triage_decision_evidence) points into it. */
const char *triage_referral_text(const triage_referral *r, size_t *len);

/* A referral may be sent as HL7 FHIR R4 (docs/fhir.md): a JSON value with
** "resourceType" — a ServiceRequest with contained resources, a Bundle, or
** a MedCom-style message Bundle — is mapped onto the native record and
** validated exactly as one; wherever referrals are read (the reader,
** triage_referral_parse) both forms are taken, mixed freely. Errors then name
** the FHIRPath of the element in the document as sent (err->field). What a
** FHIR referral was as sent is its origin. */

/* The MedCom message event a FHIR referral came with. */
typedef enum triage_event {
    TRIAGE_EVENT_NONE,    /* not a message: a ServiceRequest or another Bundle */
    TRIAGE_EVENT_NEW,     /* new-referral */
    TRIAGE_EVENT_UPDATE,  /* update-referral: a new version of the referral with
                             this id, to replace it (triage_store_update) */
    TRIAGE_EVENT_CANCEL   /* cancel-referral: the referral with this id is
                             withdrawn (triage_store_withdraw); no referral */
} triage_event;

/* "new-referral", "update-referral", "cancel-referral"; NULL for
** TRIAGE_EVENT_NONE or any other value (static storage). */
const char *triage_event_name(triage_event e);

typedef struct triage_origin triage_origin;

/* The origin of a referral read from FHIR, NULL for a native record or a
** referral read back from a store's native JSON. Owned by r, valid while r
** lives. */
const triage_origin *triage_referral_origin(const triage_referral *r);

/* An origin's parts; o must not be NULL. Strings are owned by o. */
triage_event triage_origin_event(const triage_origin *o);
/* The incoming MessageHeader.id, or NULL when it was not a message. */
const char *triage_origin_message_id(const triage_origin *o);
/* The referral's id (for a cancel, the referral withdrawn). */
const char *triage_origin_referral_id(const triage_origin *o);
/* The document's bytes as sent (*len set when len is not NULL; not NUL-
** terminated by contract, though they are), or NULL when not kept. */
const char *triage_origin_fhir(const triage_origin *o, size_t *len);

/* Reads JSON values one after another from a file or stdin ("-"): one object,
** JSON Lines, an array of objects, or objects over several lines. Each record
** is labelled with the line on which it starts. A value may be native or
** FHIR (a Bundle is one value). */
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
** can be quarantined. Reading goes on after -1.
** TRIAGE_READ_CANCEL for a FHIR cancel-referral message, which is no
** referral: *out is NULL, triage_reader_origin says which referral is
** withdrawn, err is TRIAGE_OK with where it came from (file, line, id), and
** raw and raw_len point at its bytes. A caller that stores referrals withdraws it
** (triage_store_withdraw); one that only decides may skip it. */
#define TRIAGE_READ_CANCEL 2
int triage_reader_next(triage_reader *rd, triage_referral **out,
                       triage_error *err, const char **raw, size_t *raw_len);

/* The origin of the record triage_reader_next last returned (1 or
** TRIAGE_READ_CANCEL) when it was FHIR; NULL for a native record, after an
** error and before the first record. Owned by the reader, valid until the
** next call (a referral keeps its own: triage_referral_origin). */
const triage_origin *triage_reader_origin(const triage_reader *rd);

/* The line on which the record last returned by triage_reader_next starts. */
long triage_reader_line(const triage_reader *rd);

void triage_reader_close(triage_reader *rd);

/* ------------------------------------------------------------- rule sets */

/* Limits for every Lua state made from a rule set (rules/README.md, "Limits").
** Zero means the default. A run is one referral, or one file's load; a limit
** once hit ends the run whatever pcall the rule is in, and the referral goes
** to manual_review naming the rule (at load, the rule set fails to load,
** naming file and line). */
typedef struct triage_limits {
    size_t memory_bytes;        /* bytes per state: the Lua heap and everything C holds
                                ** for it — regex and JIT code, JIT stacks, match data,
                                ** the text scanner (default 64 MiB) */
    uint64_t instructions;      /* VM instructions per run (default 20M), counted
                                ** once a run has lasted longer than the sandbox
                                ** watchdog's delay (4-8 ms; a normal referral takes
                                ** some µs): a runaway rule is stopped after at
                                ** most that delay plus this budget */
    uint32_t time_ms;           /* wall clock per run (default 10,000 ms), for loops
                                ** of costly library calls the count cannot see */
    size_t string_bytes;        /* the longest string a rule may make (default 4 MiB) */
} triage_limits;

/* Parse a limits spec, "memory=128M,instructions=50M,time=20s,string=8M"
** (any of the keys, in any order; bytes take K, M, G as powers of 1024,
** instructions k/K, M, G as powers of 1000, time ms or s) into *out, whose
** other fields are left as they are. TRIAGE_EUSAGE with err saying what is
** wrong. The `triage` command reads $TRIAGE_LIMITS so. */
triage_code triage_limits_parse(const char *spec, triage_limits *out, triage_error *err);

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
    int passed, failed;     /* cases and text passages */
    int text_files;         /* text passage files found: DIR/tests/text/ *.jsonl */
    int passages;           /* text passages among the cases */
} triage_test_result;

/* Run the rule set's own test cases. A case file is a JSON array of
** {"name", "referral", "before": [...], "expect": {...}}; each case is decided
** on a fresh history holding only its "before" referrals. A text passage
** (tests/text/ *.jsonl, one per line: rules/tests/text/README.md) is a case
** too: the text layer reads it with the rule set's words, and every
** evidence it expects must be read (a failure names the passage and the
** evidence that differs). Failures are
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

/* Checkpoints: a file store keeps new writes in its write-ahead log, and a
** checkpoint copies them into the database file and syncs it to disk. By
** default the commit that fills the log past 1,000 pages runs one, so that
** commit waits for the syncs (tens of milliseconds on a slow disk). A
** server, whose commits answer requests, defers them on its handles and
** runs them from a background thread instead.
**
** triage_store_defer_checkpoints: this handle's commits never checkpoint;
** the caller then calls triage_store_checkpoint regularly (on any handle of
** the same file), else the log grows. Nothing for an in-memory store.
** triage_store_checkpoint: copy what the log holds into the database file
** and sync it, without waiting for readers or writers (a passive
** checkpoint: what a reader still needs stays for the next one). TRIAGE_OK,
** or TRIAGE_ESTORE with err filled. */
void triage_store_defer_checkpoints(triage_store *st);
triage_code triage_store_checkpoint(triage_store *st, triage_error *err);

/* Batches: everything between begin and commit is one transaction. Calls
** outside a batch commit one by one. */
triage_code triage_store_begin(triage_store *st, triage_error *err);
triage_code triage_store_commit(triage_store *st, triage_error *err);
triage_code triage_store_rollback(triage_store *st);

/* Store a validated referral (r stays the caller's) as a new one. source
** and line say where it came from (may be NULL/0). TRIAGE_EDUPLICATE when
** the id is already stored: nothing changes. A referral that came as FHIR
** (triage_referral_origin) is kept with its message id, event and the
** document as sent (triage_store_current gives it back with its origin);
** a message whose id was received before gives TRIAGE_EREPEATED and
** changes nothing. The event itself is the caller's to act on: an
** update-referral goes to triage_store_update. */
triage_code triage_store_put(triage_store *st, const triage_referral *r,
                             const char *source, long line, triage_error *err);

/* Replace the stored referral that has r's id by r (update-referral), in
** one transaction: the version it replaces is kept whole in the
** referral's changes (triage_store_changes), its decisions stay in the
** log, and r is undecided until decided again (triage_run decides it).
** TRIAGE_ENOTFOUND when no referral has the id, TRIAGE_EWITHDRAWN when it
** was withdrawn, TRIAGE_EREPEATED when r's message was received before:
** nothing changes then. */
triage_code triage_store_update(triage_store *st, const triage_referral *r,
                                const char *source, long line, triage_error *err);

/* Withdraw the referral that the cancel-referral message o names (from
** triage_reader_origin): it keeps its data and its decision log, is never
** decided again by triage_run, no longer counts as a child's earlier
** referral, stores no new decision as its status ("withdrawn"), and its
** changes record the withdrawal with the message. TRIAGE_ENOTFOUND when
** no referral has the id, TRIAGE_EWITHDRAWN when it is withdrawn already,
** TRIAGE_EREPEATED when o's message was received before. */
triage_code triage_store_withdraw(triage_store *st, const triage_origin *o,
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

/* A number that moves when another handle or process commits to st's
** database and stays while only st writes (SQLite's PRAGMA data_version):
** a poller asks it before anything costlier. -1 if st is NULL or on error. */
long triage_store_version(triage_store *st);

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

/* With TRIAGE_EXPLAIN, the evidence keys reason i rests on (the names of
** rules/data/text: "ppv", "ADHD", "bmi"), as its rule declared them: j of
** 0 .. count - 1, NULL for any other i or j. Without explain the count is 0. */
int triage_decision_reason_evidence_count(const triage_decision *d, int i);
const char *triage_decision_reason_evidence(const triage_decision *d, int i, int j);

/* With TRIAGE_EXPLAIN, what the text layer read in the referral's letter,
** in the order it stands: every mention of an evidence key, counted or
** dropped, and each of the child's measurements. Item i of 0 .. count - 1
** sets *key ("suicidal_ideation", "weight_kg"), *counted (1 when it is
** evidence, 0 when dropped), *why (Danish: "negeret af 'ikke'", "om en
** anden person: 'storebror'") and *start / *end (byte offsets [start, end)
** into the referral's text exactly as stored) and returns 0; any other i
** returns -1 and sets the strings to NULL. Without explain the count is 0.
** Any out pointer may be NULL. */
int triage_decision_evidence_count(const triage_decision *d);
int triage_decision_evidence(const triage_decision *d, int i, const char **key, int *counted,
                             const char **why, size_t *start, size_t *end);

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
    const char *review;    /* review status: "new", "suggested", "confirmed",
                              "overridden" or "answered" */
    const char *assignee;  /* assigned to this user name; "-" for nobody */
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
    const char *review;          /* review status (triage_review_status_name) */
    const char *assignee;        /* the user it is assigned to, or NULL */
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

/* A referral's life as FHIR messages told it, one change per message:
** borrowed for the call. */
typedef struct triage_change {
    long seq;                  /* its place among all changes, from 1 */
    const char *at;            /* when it was stored, ISO-8601 UTC */
    triage_event event;        /* new, update or cancel */
    const char *message_id;    /* the message's MessageHeader.id */
    int version;               /* the version it made (new 1, update n + 1)
                                  or withdrew (cancel) */
    const char *source;        /* where it came from, or NULL */
    long line;
    const char *replaced;      /* update: the version it replaced as stored
                                  (native JSON); NULL otherwise */
    const char *replaced_fhir; /* and the FHIR that version came as; NULL if none */
} triage_change;

typedef int (*triage_change_fn)(void *ud, const triage_change *c);

/* The changes of referral id, oldest first (none for a referral imported
** as native JSON and never updated). Returns TRIAGE_OK (also when fn
** stopped early), TRIAGE_ENOTFOUND when no referral has the id, or
** TRIAGE_ESTORE, with err filled. */
triage_code triage_store_changes(triage_store *st, const char *id, triage_change_fn fn,
                                 void *ud, triage_error *err);

/* A referral as it stands: what a FHIR answer or an export is made from.
** Borrowed for the call. */
typedef struct triage_current {
    const triage_referral *referral;  /* the current version: read again from
                                         the FHIR it came as (with its origin),
                                         else from its native JSON */
    int version;                      /* 1, and one more per update */
    const triage_decision *decision;  /* the latest decision of this version,
                                         or NULL: undecided */
    const char *decided_at;           /* the decision's, ISO-8601 UTC; NULL if none */
    const char *withdrawn_at;         /* when it was withdrawn; NULL if it is not */
} triage_current;

typedef int (*triage_current_fn)(void *ud, const triage_current *c);

/* Referral id as it stands: fn is called once. TRIAGE_ENOTFOUND when no
** referral has the id (fn is not called), or TRIAGE_ESTORE, with err. */
triage_code triage_store_current(triage_store *st, const char *id, triage_current_fn fn,
                                 void *ud, triage_error *err);

/* Every referral as it stands, in order of received then id. fn must not
** use st. Returns TRIAGE_OK (also when fn stopped early) or an error. */
triage_code triage_store_each_current(triage_store *st, triage_current_fn fn, void *ud,
                                      triage_error *err);

/* The id of the referral whose FHIR resource of type ("Task": the triage
** Task, one per referral; "ServiceRequest": the referral as sent) has id,
** into out[72]. Only referrals that came as FHIR have resources to find.
** TRIAGE_ENOTFOUND when none has, TRIAGE_EUSAGE for another type. */
triage_code triage_store_fhir_find(triage_store *st, const char *type, const char *id,
                                   char out[72], triage_error *err);

/* ------------------------------------------------------------------ FHIR */

/* The FHIR writer of a rule set (docs/fhir.md, "out"): its Danish texts
** come from the rule set's data/fhir.json. Every function returns compact
** JSON text, one line, that the caller frees with free(), or NULL with err
** filled (err may be NULL). */
typedef struct triage_fhir triage_fhir;

/* A writer with rs's texts (rs may be released afterwards). NULL with err
** when the rule set has no valid data/fhir.json. */
triage_fhir *triage_fhir_open(const triage_ruleset *rs, triage_error *err);
void triage_fhir_close(triage_fhir *fw);   /* NULL is a no-op */

#define TRIAGE_FHIR_COLLECTION 1u   /* a collection Bundle even where the
                                       referral came in a message (export) */

/* The answer to referral r decided as d: a Bundle with the Task first (one
** Task per referral: its id stays the same whoever decides and when), the
** ServiceRequest with its new status, the Patient, the requester, and per
** outcome a Communication or a new ServiceRequest. A referral that came in
** a message gets the response message Bundle (unless flags say
** TRIAGE_FHIR_COLLECTION); a native one has its resources written from
** the record. decided_at (ISO-8601 UTC, the store's) NULL means now; the
** same decision and decided_at give the same Bundle. */
char *triage_fhir_answer(const triage_fhir *fw, const triage_decision *d,
                         const triage_referral *r, const char *decided_at, unsigned flags,
                         triage_error *err);

/* The answer to a withdrawal: r's Task cancelled and its ServiceRequest
** revoked. r is the referral as stored, or NULL when only the cancel
** message is known; cancel (may be NULL when r is not) is the
** cancel-referral message, answered by a response message Bundle unless
** flags say TRIAGE_FHIR_COLLECTION. withdrawn_at NULL means now. */
char *triage_fhir_withdrawn(const triage_fhir *fw, const triage_referral *r,
                            const triage_origin *cancel, const char *withdrawn_at,
                            unsigned flags, triage_error *err);

/* The native referral r as a sending system would send it: a collection
** Bundle that reads back to a referral deciding exactly as r does (what
** `triage corpus --format fhir` writes). */
char *triage_fhir_export(const triage_referral *r, triage_error *err);

/* The referral's ServiceRequest as it was sent (a native referral's as
** triage_fhir_answer writes it), status unchanged. */
char *triage_fhir_request(const triage_referral *r, triage_error *err);

/* An OperationOutcome for e (a bad record, a store's refusal): one issue
** whose severity is error, diagnostics e->text (never a CPR number) and,
** when e->field is set, expression [e->field], the FHIRPath; its code is
** issue (FHIR's issue-type: "login", "not-supported", ...) or, when issue
** is NULL, one by e->code (invalid, structure, not-found, duplicate,
** conflict, exception). NULL only when out of memory. */
char *triage_fhir_outcome(const triage_error *e, const char *issue);

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

/* ------------------------------------------------------ people, sessions */

/* Local accounts, kept in the store. Intake staff review referrals; rule
** authors read and try referrals (what-if); admins manage accounts. */
typedef enum triage_role {
    TRIAGE_ROLE_INTAKE,
    TRIAGE_ROLE_AUTHOR,
    TRIAGE_ROLE_ADMIN
} triage_role;

/* "intake", "author" or "admin" (static storage); NULL for another value. */
const char *triage_role_name(triage_role role);
/* The role spelled s: 1 with *out set, or 0 (s may be NULL). */
int triage_role_parse(const char *s, triage_role *out);

#define TRIAGE_NAME_MAX 32        /* bytes of a user name, at most */
#define TRIAGE_PASSWORD_MIN 10    /* bytes of a password, at least */
#define TRIAGE_PASSWORD_MAX 1024  /* and at most */

typedef struct triage_user {
    char name[TRIAGE_NAME_MAX + 1];
    triage_role role;
    int disabled;                 /* 1 once disabled: no login, no session */
    char created_at[32];          /* ISO-8601 UTC */
} triage_user;

/* Add an account. name: an ASCII letter, then letters, digits, '.', '_' or
** '-', at most TRIAGE_NAME_MAX bytes; password: TRIAGE_PASSWORD_MIN to
** TRIAGE_PASSWORD_MAX bytes, kept only as its Argon2id hash (libsodium's
** crypto_pwhash_str). by is who adds it, for the log (NULL: "cli", the
** command line). TRIAGE_EUSAGE with err->field "name" or "password" for a
** bad one; TRIAGE_EDUPLICATE when the name is taken, also by a disabled
** account (a name stays one person's in the log). */
triage_code triage_user_add(triage_store *st, const char *name, triage_role role,
                            const char *password, const char *by, triage_error *err);

/* Disable an account and end its sessions; the account stays, and so does
** what the log says it did. by as for triage_user_add. TRIAGE_ENOTFOUND
** when there is no such account. */
triage_code triage_user_disable(triage_store *st, const char *name, const char *by,
                                triage_error *err);

/* The account named name into *out; TRIAGE_ENOTFOUND when there is none. */
triage_code triage_user_get(triage_store *st, const char *name, triage_user *out,
                            triage_error *err);

/* Called once per account (borrowed for the call); return 0 to go on. */
typedef int (*triage_user_fn)(void *ud, const triage_user *u);
/* Every account, by name. */
triage_code triage_user_list(triage_store *st, triage_user_fn fn, void *ud,
                             triage_error *err);

/* Check name's password. An unknown name costs the same hashing work as a
** known one, so that timing does not tell which names exist. TRIAGE_EAUTH
** "wrong name or password"; for a disabled account, and only when the
** password is right, TRIAGE_EAUTH "this account is disabled". out (may be
** NULL) receives the account. */
triage_code triage_user_verify(triage_store *st, const char *name, const char *password,
                               triage_user *out, triage_error *err);

/* A person's session on the intake page: the value of its cookie and the
** CSRF token its state-changing requests carry, each 64 hex digits from 32
** random bytes. The store keeps a hash of the id, never the id. */
typedef struct triage_session {
    char id[65];
    char csrf[65];
    triage_user user;
} triage_session;

#define TRIAGE_SESSION_IDLE 1800  /* seconds without a request that end a
                                     session, unless the caller says */

/* Open a session for the enabled account name (after triage_user_verify);
** a login event goes to the log. */
triage_code triage_session_open(triage_store *st, const char *name, triage_session *out,
                                triage_error *err);

/* The live session whose cookie value is id: last used within idle
** seconds (0: TRIAGE_SESSION_IDLE) and its account enabled. Counts as a
** use. Otherwise TRIAGE_EAUTH, saying "not logged in", "the session has
** expired; log in again" (the session is removed) or "this account is
** disabled". */
triage_code triage_session_find(triage_store *st, const char *id, long idle,
                                triage_session *out, triage_error *err);

/* End the session whose cookie value is id (log out): a logout event goes
** to the log. No error when there is no such session. */
triage_code triage_session_close(triage_store *st, const char *id, triage_error *err);

/* ---------------------------------------------------------------- review */

/* Where people have brought a referral: new (the rules have not decided
** it), suggested (the rules' suggestion waits for a person), confirmed or
** overridden (a person decided), answered (the referrer has been
** answered). A later rule set's suggestion never changes a person's
** decision. */
typedef enum triage_review_status {
    TRIAGE_NEW,
    TRIAGE_SUGGESTED,
    TRIAGE_CONFIRMED,
    TRIAGE_OVERRIDDEN,
    TRIAGE_ANSWERED
} triage_review_status;

/* "new", "suggested", "confirmed", "overridden", "answered" (static); NULL
** for another value. */
const char *triage_review_status_name(triage_review_status s);

/* A decision from JSON text of len bytes, checked against
** decision.schema.json: the required fields, each field's type, enum or
** date, no item of missing twice; the trace is not read. Returns a new
** decision (free with triage_decision_free), or NULL with err naming the
** field ("outcome: not one of accept, ..."). */
triage_decision *triage_decision_parse(const char *json, size_t len, triage_error *err);

/* Whether d is a decision a person can make, by what the spec says of a
** decision's fields beyond the schema: accept goes to buc with a unit, a
** priority and a deadline; request_info lists what is missing and whom it
** is asked of; redirect names a target other than buc, with a priority and
** a deadline only together (an acute redirect); reject has no target;
** missing only on request_info; manual_review is the rules' way of saying
** they could not decide, never a person's decision. TRIAGE_OK, or
** TRIAGE_EUSAGE with err naming the field. */
triage_code triage_decision_check(const triage_decision *d, triage_error *err);

/* An action of a person on a referral. */
typedef struct triage_action {
    const char *kind;        /* "confirm" (the rules' latest suggestion),
                                "override", "assign", "note" or "answer" */
    const char *actor;       /* the person: an enabled intake account */
    const triage_decision *decision;  /* override: the person's decision, for
                                this referral and passing triage_decision_check;
                                its reasons are not kept (text is) */
    const char *text;        /* override: why (required); note: the note;
                                answer: the letter as sent. CPR-like numbers
                                are masked before it is kept */
    const char *assignee;    /* assign: an enabled account's name, or NULL to
                                leave the referral to nobody */
    long seen;               /* the referral's latest log entry the person
                                saw (triage_review_state.last_seq): a confirm,
                                override or answer is refused with
                                TRIAGE_ECONFLICT when another person has
                                decided or answered since. -1: no check */
    long suggestion;         /* the rules' suggestion the person saw (its
                                seq, triage_review_state.suggestion_seq): a
                                confirm or override is refused with
                                TRIAGE_ECONFLICT when another has come since
                                (0: the person saw none). -1: no check */
    const char *key;         /* the client's own name for this action, at most
                                64 bytes, or NULL: the same actor and key
                                again append nothing and answer with the
                                first action's entry (a retry is safe) */
} triage_action;

typedef struct triage_action_result {
    long seq;                       /* its log entry */
    int repeated;                   /* 1: key had been seen; nothing appended */
    triage_review_status status;    /* the referral's status after it */
} triage_action_result;

/* Append a person's action to the referral's log, in one transaction,
** beside the rules' latest suggestion and its rule set. Refused, with
** nothing stored: TRIAGE_ENOTFOUND (no referral id); TRIAGE_EDENIED (the
** actor is no enabled intake account); TRIAGE_EUSAGE, err->field named (no
** reason for an override, a decision a person cannot make, an unknown
** assignee, an unknown kind); TRIAGE_ECONFLICT (a confirm without a
** suggestion or of manual_review, an answer before a person decided, seen
** or suggestion out of date, a key used for another referral). res may be
** NULL. */
triage_code triage_review(triage_store *st, const char *id, const triage_action *a,
                          triage_action_result *res, triage_error *err);

/* One entry of the log; everything borrowed for the call. */
typedef struct triage_audit_entry {
    long seq;
    const char *referral_id;      /* NULL for an account event */
    const char *at;               /* ISO-8601 UTC */
    const char *actor;            /* a user name, or "cli" */
    const char *action;           /* confirm override assign note answer |
                                     user_add user_disable login logout */
    const char *status;           /* where it brought the referral, or NULL */
    const triage_decision *decision;  /* confirm, override: the person's */
    const char *text;             /* the reason, note, letter; or the role of
                                     an added account; NULL when none */
    const char *assignee;         /* assign: to whom (NULL: nobody) */
    long suggestion_seq;          /* the rules' suggestion in force (its seq in
                                     the decision log); 0 when none */
    const triage_decision *suggestion;  /* it, rebuilt; NULL when none */
    const char *ruleset;          /* its rule set hash, or NULL */
} triage_audit_entry;

typedef int (*triage_audit_fn)(void *ud, const triage_audit_entry *e);

/* The log of referral id, oldest first; id NULL: the account events.
** TRIAGE_ENOTFOUND when no referral has this id. */
triage_code triage_audit(triage_store *st, const char *id, triage_audit_fn fn, void *ud,
                         triage_error *err);

/* Where one referral stands; filled by triage_review_state_get, emptied by
** triage_review_state_clear (which frees the decisions). */
typedef struct triage_review_state {
    triage_review_status status;
    char assignee[TRIAGE_NAME_MAX + 1];   /* "" when nobody */
    long last_seq;                        /* its latest log entry; 0: none */
    long suggestion_seq;                  /* the rules' latest suggestion; 0: none */
    triage_decision *suggestion;          /* it, or NULL */
    triage_decision *decision;            /* the person's decision in force, or NULL */
    long decision_seq;                    /* its log entry; 0: none */
    char decided_by[TRIAGE_NAME_MAX + 1]; /* "" when no person decided */
    char decided_at[32];
} triage_review_state;

triage_code triage_review_state_get(triage_store *st, const char *id,
                                    triage_review_state *out, triage_error *err);
void triage_review_state_clear(triage_review_state *s);

/* ------------------------------------------------------- learning from people */

/* How the rules agree with the people who reviewed their suggestions: over
** each referral a person decided (its latest confirm or override), the
** suggestion beside that decision against the person's. With a shadow
** rule set, the same for its suggestions, and how often it differs from
** the active rules. */
typedef struct triage_agreement {
    long reviewed;                /* referrals a person decided, with a suggestion */
    long agree;                   /* the person's outcome is the suggestion's */
    long agree_full;              /* and target and unit too */
    long overridden;              /* the person overrode it */
    double kappa;                 /* Cohen's kappa on outcome; NAN when undefined
                                     (no referral, or chance agreement is 1) */
    long matrix[TRIAGE_N_OUTCOMES][TRIAGE_N_OUTCOMES];  /* [rules'][person's] */
    char shadow[65];              /* the latest shadow rule set to decide; "" none */
    long shadow_decided;          /* referrals both it and the active rules decided */
    long shadow_differs;          /* of them, another outcome, target or unit */
    long shadow_reviewed;         /* referrals a person decided that it decided */
    long shadow_agree;            /* of them, the person's outcome is its */
    long shadow_agree_active;     /* and the active rules' suggestion agreed there */
    double shadow_kappa;          /* Cohen's kappa, it against the people */
    long shadow_matrix[TRIAGE_N_OUTCOMES][TRIAGE_N_OUTCOMES];  /* [its][person's] */
} triage_agreement;

/* Cohen's kappa of a k x k table of counts (row-major: [a][b]): observed
** agreement against what the two margins give by chance. NAN when there is
** nothing to compare or chance agreement is 1. */
double triage_kappa(const long *table, int k);

triage_code triage_agreement_get(triage_store *st, triage_agreement *out, triage_error *err);

/* The whole report as one JSON object, for `triage agreement --format json`
** and the intake page: {"reviewed", "agree", "agree_full", "overridden",
** "agreement" (agree / reviewed, or null), "kappa" (or null), "outcomes" (the
** matrix's order), "matrix" ([rules'][person's]), "overrides" (the newest
** 1,000, each {"id", "at", "by", "reason", "ruleset", "suggested",
** "decided"}: a decision's fields without reasons), "overrides_total",
** "shadow": null or {"ruleset", "decided", "differs", "reviewed", "agree",
** "agree_active", "kappa", "matrix", "differences" (referrals where it
** differs from the active rules or the person: {"id", "active",
** "candidate", "person"}), "differences_total"}}. Caller frees with free(). */
char *triage_agreement_json(triage_store *st, triage_error *err);

/* Every referral whose person's decision in force is an override, newest
** first, as its log entry (with the suggestion it overrode). */
triage_code triage_overrides(triage_store *st, triage_audit_fn fn, void *ud,
                             triage_error *err);

/* Write each override as a rule test case, DIR/overrides.json (DIR is made
** when missing): the referral, its earlier referrals as "before", and the
** person's decision as "expect" (outcome, target, unit, priority,
** deadline, missing, request_from), named by referral, person and reason.
** The CPR is replaced by the birth date it gives, and CPR-like numbers in
** the text are masked: a case file holds no CPR (a child's history then
** keeps together by a stand-in number that is no CPR). *n (may be NULL)
** receives how many cases. `triage test --cases DIR` runs them. */
triage_code triage_overrides_export(triage_store *st, const char *dir, long *n,
                                    triage_error *err);

/* Run the case files paths[0 .. npaths - 1] (each a JSON array of cases, as
** in DIR/tests/) against rs, as triage_ruleset_test does. A file that cannot
** be read fails (in first and in res->failed). */
triage_code triage_ruleset_test_files(triage_ruleset *rs, const char *const *paths,
                                      int npaths, FILE *out, int verbose,
                                      triage_test_result *res, triage_error *first);

/* ---------------------------------------------------------- shadow rules */

/* Keep d, a candidate rule set's decision, beside the active suggestions:
** it is never a suggestion, nor any referral's history. A second decision
** from the same rule set for the same referral replaces nothing and is no
** error. */
triage_code triage_store_put_shadow(triage_store *st, const triage_decision *d,
                                    triage_error *err);

/* Decide, with candidate, up to max referrals that have no shadow decision
** from its rule set (in order of received then id) and keep each with
** triage_store_put_shadow, in one transaction. Returns how many, or -1 with
** err filled. */
long triage_shadow_run(triage_store *st, triage_decider *candidate, long max,
                       triage_error *err);

/* One referral the shadow rule set decided, all borrowed for the call. */
typedef struct triage_shadow_row {
    const char *id;
    const triage_decision *candidate;   /* the shadow rule set's decision */
    const triage_decision *active;      /* the rules' latest suggestion, or NULL */
    const triage_decision *person;      /* a person's decision in force, or NULL */
} triage_shadow_row;
typedef int (*triage_shadow_fn)(void *ud, const triage_shadow_row *row);

/* Every referral shadow rule set ruleset (NULL: the latest to decide)
** decided, by id. */
triage_code triage_shadow_each(triage_store *st, const char *ruleset, triage_shadow_fn fn,
                               void *ud, triage_error *err);

/* ------------------------------------------------------------------ answers */

#define TRIAGE_BY_PERSON 1u  /* the decision answered is a person's */

/* The answer to the referrer of r, whose decision is d (a person's when
** flags has TRIAGE_BY_PERSON, else the rules' suggestion), as the rule set
** writes it: its lib/answer.lua, with the wording of data/answers.lua and
** the places of data/places.lua, reads r and the facts rules read. A JSON
** object: {"subject", "body" (the letter, plain text), "recipient",
** "municipality" (its proper name; absent outside the region), "place"
** (where the child goes: {"name", "address", "contact", "how"}, each when
** known; absent when nowhere)}. date is the letter's date (TRIAGE_NO_DAY:
** today). Caller frees with free(); NULL with err filled when the rule set
** has no lib/answer.lua or it fails. */
char *triage_answer(triage_decider *dc, const triage_referral *r, const triage_decision *d,
                    unsigned flags, triage_day date, triage_error *err);

/* What a person deciding may choose, as the rule set has it (lib/answer.lua's
** catalog): a JSON object {"outcomes", "priorities", "missing",
** "request_from", "targets", "units": [{"code", "label"}, ...] in the order
** a form shows them, "deadline_days": {priority: days}}. Caller frees with
** free(); NULL with err filled on failure. */
char *triage_policy(triage_decider *dc, triage_error *err);


/* ------------------------------------------------------------- CDS Hooks */

/* The HL7 CDS Hooks 2.0 service of a rule set (docs/cds.md): a referrer's
** system sends the draft referral before it is sent (hooks order-select,
** order-sign) and gets cards in Danish: critical for acute risk, a warning
** per missing item and for a child who belongs elsewhere (with a suggestion
** that changes the ServiceRequest's performer), info for the expected unit,
** priority and deadline. The texts are the rule set's data/cds.json, with
** data/fhir.json's names of missing items and recipients. */
typedef struct triage_cds triage_cds;

/* The card writer of dc's rule set (dc gives the policy catalog: unit and
** priority names; it may be freed afterwards). NULL with err filled when
** the rule set has no valid data/cds.json or data/fhir.json, or a fixed
** summary is 140 characters or more. Close with triage_cds_close. */
triage_cds *triage_cds_open(triage_decider *dc, triage_error *err);
void triage_cds_close(triage_cds *c);   /* NULL is a no-op */

/* The rule set hash the writer was made from (owned by c). */
const char *triage_cds_ruleset(const triage_cds *c);

/* The discovery answer, {"services": [...]} (GET /cds-services). Caller
** frees with free(); NULL with err when out of memory. */
char *triage_cds_services(const triage_cds *c, triage_error *err);

/* The hook of service id ("order-sign", "order-select"; owned by c), or
** NULL when c has no such service. */
const char *triage_cds_service_hook(const triage_cds *c, const char *id);

/* The answer to a call, {"cards": [...]}: for d, r's decision (r is the
** draft as read, never stored), or with d NULL for a draft that could not be
** read, one warning card saying why (*why: its text names the FHIRPath;
** never a CPR). Every card gets a new uuid; when st is not NULL each card is
** recorded there with service and hook_instance (copied), so that feedback
** can name it. Caller frees with free(); NULL with err filled. */
char *triage_cds_cards(const triage_cds *c, triage_store *st, const char *service,
                       const char *hook_instance, const triage_decision *d,
                       const triage_referral *r, const triage_error *why, triage_error *err);

/* Answer a call to service (POST /cds-services/{id}; docs/cds.md, "A
** call"): json, the request body of len bytes, is parsed once here; each
** draft ServiceRequest of context.draftOrders (for order-select those of
** context.selections), with the other draftOrders entries and the
** prefetched resources, is read as a FHIR referral straight from the parsed
** values, decided by dc (its store gives the child's history) and answered
** with cards, recorded in st (may be NULL) as triage_cds_cards does. The
** draft is never stored. Returns the reply body (caller frees with free())
** with *status 200, {"cards": [...]}, or 412, an OperationOutcome whose
** expression is ServiceRequest.subject or .requester (the Patient or the
** requester is neither in draftOrders nor in prefetch). NULL with *status 0
** and err: TRIAGE_EINVAL for a malformed request, err->field naming the
** field ("hook", "context.draftOrders", "body" for one that is not a JSON
** object); TRIAGE_ENOTFOUND when c has no such service; TRIAGE_ESTORE when
** the cards could not be recorded; TRIAGE_ENOMEM. */
char *triage_cds_call(const triage_cds *c, triage_decider *dc, triage_store *st,
                      const char *service, const char *json, size_t len, int *status,
                      triage_error *err);

/* Record CDS Hooks feedback, {"feedback": [...]} of len bytes, for cards
** given by service: each entry's card (a uuid given by this service),
** outcome (accepted | overridden), outcomeTimestamp, acceptedSuggestions,
** overrideReason (reason coding, userComment: kept with CPR numbers
** masked). All entries or none, in one transaction; *n (may be NULL) says
** how many. TRIAGE_EINVAL with err->field naming the entry's field
** ("feedback[1].outcome"), TRIAGE_ENOTFOUND for a card not given by this
** service, TRIAGE_ESTORE. */
triage_code triage_cds_feedback(triage_store *st, const char *service, const char *json,
                                size_t len, long *n, triage_error *err);

/* How referrers took the cards, per kind (acute, missing, redirect, reject,
** accept, manual_review, unreadable) and item, as one JSON object:
** {"given", "accepted", "overridden", "kinds": [{"kind", "given",
** "accepted", "overridden", "no_feedback", "items": [{"item", ...}],
** "reasons": [{"code", "display", "count"}]}]}; a card's latest feedback
** counts. Caller frees with free(); NULL with err filled. */
char *triage_cds_report(triage_store *st, triage_error *err);

#ifdef __cplusplus
}
#endif
#endif

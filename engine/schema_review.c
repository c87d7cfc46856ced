/*
** schema_review.c — the store's schema step for people and review: local
** accounts and their sessions, the append-only review log (the audit
** trail), and the suggestions a shadow rule set would have made. Run once,
** inside the store's migration transaction (store_schema.c's list of steps).
*/
#include "store.h"

const char st_review_schema[] =
    /* A name is never reused, so that the log's actor stays one person;
    ** a person leaving is disabled, never deleted. */
    "CREATE TABLE users("
    " name TEXT PRIMARY KEY NOT NULL,"
    " role TEXT NOT NULL CHECK (role IN ('intake','author','admin')),"
    " pwhash TEXT NOT NULL,"                 /* crypto_pwhash_str: Argon2id */
    " disabled INTEGER NOT NULL DEFAULT 0 CHECK (disabled IN (0, 1)),"
    " created_at TEXT NOT NULL);"
    /* id is the BLAKE2b hash of the cookie's value: a copy of the database
    ** holds no live session. seen is Unix seconds of the last request. */
    "CREATE TABLE sessions("
    " id TEXT PRIMARY KEY NOT NULL,"
    " user TEXT NOT NULL REFERENCES users(name),"
    " csrf TEXT NOT NULL,"
    " created_at TEXT NOT NULL,"
    " seen INTEGER NOT NULL);"
    "CREATE INDEX sessions_user ON sessions(user);"
    /* Every action a person takes, appended, never changed. status is where
    ** the action brought the referral (NULL: unchanged); decision the
    ** person's decision as decision.schema.json has it (confirm, override);
    ** suggestion_seq and ruleset the engine's suggestion in force then;
    ** key the client's idempotency key. Account events have no referral. */
    "CREATE TABLE audit("
    " seq INTEGER PRIMARY KEY,"
    " referral_id TEXT REFERENCES referrals(id),"
    " at TEXT NOT NULL,"
    " actor TEXT NOT NULL,"
    " action TEXT NOT NULL CHECK (action IN ('confirm','override','assign','note','answer',"
    "  'user_add','user_disable','login','logout')),"
    " status TEXT CHECK (status IN ('confirmed','overridden','answered')),"
    " decision TEXT, outcome TEXT,"
    " text TEXT, assignee TEXT,"
    " suggestion_seq INTEGER REFERENCES decisions(seq),"
    " ruleset TEXT,"
    " key TEXT);"
    "CREATE INDEX audit_referral ON audit(referral_id, seq);"
    "CREATE UNIQUE INDEX audit_key ON audit(actor, key) WHERE key IS NOT NULL;"
    "CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit"
    " BEGIN SELECT RAISE(ABORT, 'the review log is append-only'); END;"
    "CREATE TRIGGER audit_no_delete BEFORE DELETE ON audit"
    " BEGIN SELECT RAISE(ABORT, 'the review log is append-only'); END;"
    /* A candidate rule set's suggestion, kept beside the active one and never
    ** taken for it: one per referral and rule set. */
    "CREATE TABLE shadow("
    " seq INTEGER PRIMARY KEY,"
    " referral_id TEXT NOT NULL REFERENCES referrals(id),"
    " ruleset TEXT NOT NULL, outcome TEXT NOT NULL, target TEXT, unit TEXT,"
    " decision TEXT NOT NULL,"
    " decided_at TEXT NOT NULL);"
    "CREATE UNIQUE INDEX shadow_referral ON shadow(referral_id, ruleset);"
    "CREATE INDEX shadow_ruleset ON shadow(ruleset);";

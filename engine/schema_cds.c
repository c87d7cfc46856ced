/*
** schema_cds.c — the store's schema step for the CDS Hooks service: each
** card it gave a referrer's system (never the draft it was about: that is
** decided and forgotten), and what the referrer did with it, as CDS Hooks
** feedback tells it. Run once, inside the store's migration transaction.
*/
#include "cds.h"

const char cds_schema[] =
    /* A card given: its uuid (feedback names it), the service and call
    ** (hookInstance), its kind and item (the missing item, the target, the
    ** unit; NULL when none) and the rule set that decided. */
    "CREATE TABLE cds_card("
    " uuid TEXT PRIMARY KEY NOT NULL,"
    " service TEXT NOT NULL,"
    " hook_instance TEXT NOT NULL,"
    " kind TEXT NOT NULL CHECK (kind IN ('acute','missing','redirect','reject','accept',"
    "  'manual_review','unreadable')),"
    " item TEXT,"
    " ruleset TEXT NOT NULL,"
    " given_at TEXT NOT NULL);"
    "CREATE INDEX cds_card_kind ON cds_card(kind, item);"
    /* Feedback, appended: a card's latest entry is what the referrer did. The
    ** comment is kept with any CPR-like number masked. */
    "CREATE TABLE cds_feedback("
    " seq INTEGER PRIMARY KEY,"
    " card TEXT NOT NULL REFERENCES cds_card(uuid),"
    " outcome TEXT NOT NULL CHECK (outcome IN ('accepted','overridden')),"
    " suggestions TEXT,"                         /* accepted suggestions' uuids, JSON */
    " reason_system TEXT, reason_code TEXT, reason_display TEXT,"
    " comment TEXT,"
    " outcome_at TEXT NOT NULL,"
    " received_at TEXT NOT NULL);"
    "CREATE INDEX cds_feedback_card ON cds_feedback(card, seq);";

/*
** store_run.h — what the `run` loop needs from the store beyond store.h:
** a read transaction around a chunk's decisions, so that the history
** lookups share one snapshot and one set of locks instead of one each.
*/
#ifndef TRIAGE_STORE_RUN_H
#define TRIAGE_STORE_RUN_H
#include "triage.h"

/* Open a read transaction (none is open, no batch). Returns 0, or -1 when
** it cannot be had: reads then run on their own as before. */
int st_read_begin(triage_store *st);
/* End the transaction st_read_begin opened; nothing was written in it. */
void st_read_end(triage_store *st);
/* Read pages with read() into the connection's cache, not through the
** memory map: for a reader that begins each transaction after another
** connection wrote, when SQLite unmaps the file. */
void st_read_unmapped(triage_store *st);
#endif

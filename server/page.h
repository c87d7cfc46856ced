/*
** page.h — the intake page: its files, embedded by the build
** (web_assets.c, generated from web/ by web/embed.cmake), and the handler
** that serves them.
*/
#ifndef TRIAGE_SV_PAGE_H
#define TRIAGE_SV_PAGE_H
#include <stddef.h>
#include "http.h"

typedef struct sv_asset {
    const char *path;           /* "/index.html" */
    const char *type;           /* Content-Type */
    const unsigned char *data;
    size_t len;
} sv_asset;
extern const sv_asset sv_assets[];
extern const int sv_nassets;

sv_result page_serve(sv_call *c);   /* GET / and the page's files */
#endif

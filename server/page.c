/*
** page.c — the intake page (web/), served from the binary: "/" is
** index.html, "/henvis" the referrers' pre-check page (henvis.html); every
** other path outside /api/ names one of its files.
*/
#include <string.h>

#include "page.h"

sv_result page_serve(sv_call *c)
{
    const char *path = !strcmp(c->url, "/") ? "/index.html"
                     : !strcmp(c->url, "/henvis") ? "/henvis.html" : c->url;
    for (int i = 0; i < sv_nassets; i++) {
        if (strcmp(path, sv_assets[i].path) != 0)
            continue;
        if (strcmp(c->method, "GET") != 0 && strcmp(c->method, "HEAD") != 0)
            return sv_error(c, 405, "method not allowed", NULL);
        return sv_send(c, 200, sv_assets[i].type, sv_assets[i].data, sv_assets[i].len,
                       MHD_RESPMEM_PERSISTENT);
    }
    return sv_error(c, 404, "not found", NULL);
}

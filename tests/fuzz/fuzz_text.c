/*
** fuzz_text.c — libFuzzer target for the Danish text layer: the input is a
** letter (skipped unless valid UTF-8: the referral parser lets nothing else
** through), read with the shipped rule set's words. Every mention, date,
** measurement and sentence must lie inside the letter, in order, and every
** explanation must be writable; a crash or a broken span is a failure.
*/
#include <stdint.h>
#include <string.h>

#include "date.h"
#include "fuzz_util.h"
#include "text_evidence.h"
#include "text_load.h"

static tx_lexicon *lx;
static tx_reader *rd;

/* Whether s[0..n) is valid UTF-8 (shortest forms, no surrogates). */
static int fz_utf8(const uint8_t *s, size_t n)
{
    for (size_t i = 0; i < n;) {
        uint8_t c = s[i];
        size_t w = c < 0x80 ? 1 : (c >> 5) == 6 ? 2 : (c >> 4) == 14 ? 3 : (c >> 3) == 30 ? 4 : 0;
        if (!w || i + w > n || (w == 2 && c < 0xC2) || (w == 4 && c > 0xF4))
            return 0;
        for (size_t k = 1; k < w; k++)
            if ((s[i + k] & 0xC0) != 0x80)
                return 0;
        if (w == 3 && ((c == 0xE0 && s[i + 1] < 0xA0) || (c == 0xED && s[i + 1] >= 0xA0)))
            return 0;
        if (w == 4 && ((c == 0xF0 && s[i + 1] < 0x90) || (c == 0xF4 && s[i + 1] >= 0x90)))
            return 0;
        i += w;
    }
    return 1;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!lx) {
        char err[512];
        lx = txl_load_dir(TRIAGE_SOURCE_DIR "/rules", &tx_malloc, err, sizeof err);
        if (!lx)
            fz_fail("the shipped text data does not load: %s", err);
        rd = txe_new(lx, &tx_malloc);
        if (!rd)
            fz_fail("no reader");
    }
    if (!fz_utf8(data, size))
        return 0;
    const char *text = (const char *)data;
    const tx_evidence *ev = txe_read(rd, text, size, dt_from_ymd(2024, 5, 10));
    if (!ev)
        fz_fail("a letter of %zu bytes not read", size);
    char buf[512];
    for (uint32_t i = 0; i < ev->nmention; i++) {
        const tx_mention *m = &ev->mention[i];
        if (m->ostart > m->oend || m->oend > size)
            fz_fail("mention %u at %u..%u of %zu bytes", i, m->ostart, m->oend, size);
        txe_explain(rd, i, buf, sizeof buf);
    }
    for (uint32_t k = 0; k < ev->nkey; k++)
        txe_explain_key(rd, k, buf, sizeof buf);
    const tx_norm *n = txe_norm(rd);
    for (uint32_t i = 0; i < ev->nsentence; i++) {
        const tx_sentence *s = &ev->sentence[i];
        if (s->start >= s->end || s->end > n->len || (i && s->start < ev->sentence[i - 1].end))
            fz_fail("sentence %u at %u..%u of %u", i, s->start, s->end, n->len);
        tx_span o = txe_orig(rd, s->start, s->end);
        if (o.start > o.end || o.end > size)
            fz_fail("sentence %u maps to %u..%u of %zu", i, o.start, o.end, size);
    }
    for (uint32_t i = 0; i < ev->ndate; i++)
        if (ev->date[i].start >= ev->date[i].end || ev->date[i].end > n->len)
            fz_fail("date %u at %u..%u", i, ev->date[i].start, ev->date[i].end);
    for (uint32_t i = 0; i < ev->nmeasure; i++)
        if (ev->measure[i].start > ev->measure[i].end || ev->measure[i].end > n->len)
            fz_fail("measure %u at %u..%u", i, ev->measure[i].start, ev->measure[i].end);
    return 0;
}

/*
** test_sha256.c — SHA-256 against the FIPS 180-4 / NIST example vectors,
** and incremental hashing in odd-sized pieces against one-shot hashing.
*/
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>
#include "sha256.h"

static void test_empty(void **state)
{
    char hex[65];
    sha256_hex("", 0, hex);
    assert_string_equal(hex, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
}

static void test_abc(void **state)
{
    char hex[65];
    sha256_hex("abc", 3, hex);
    assert_string_equal(hex, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

static void test_448_bits(void **state)
{
    const char *m = "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";
    char hex[65];
    assert_int_equal(strlen(m), 56);   /* 448 bits: the padding needs a second block */
    sha256_hex(m, strlen(m), hex);
    assert_string_equal(hex, "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
}

static void test_million_a(void **state)
{
    static char block[1000];
    sha256_ctx c;
    char hex[65];
    int i;
    memset(block, 'a', sizeof block);
    sha256_init(&c);
    for (i = 0; i < 1000; i++)
        sha256_update(&c, block, sizeof block);
    sha256_final_hex(&c, hex);
    assert_string_equal(hex, "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
}

/* Every split of a 200-byte message into pieces of 1..70 bytes hashes the same. */
static void test_pieces(void **state)
{
    unsigned char msg[200];
    char want[65], got[65];
    size_t step, off;
    for (off = 0; off < sizeof msg; off++) msg[off] = (unsigned char)(off * 7 + 3);
    sha256_hex(msg, sizeof msg, want);
    for (step = 1; step <= 70; step++) {
        sha256_ctx c;
        sha256_init(&c);
        for (off = 0; off < sizeof msg; off += step)
            sha256_update(&c, msg + off, off + step > sizeof msg ? sizeof msg - off : step);
        sha256_final_hex(&c, got);
        assert_string_equal(got, want);
    }
}

/* Lengths at the padding boundaries: 55 bytes fit one block, 56..63 need two. */
static void test_boundaries(void **state)
{
    static const struct { size_t n; const char *hex; } v[] = {
        { 55, "9f4390f8d30c2dd92ec9f095b65e2b9ae9b0a925a5258e241c9f1e910f734318" },
        { 56, "b35439a4ac6f0948b6d6f9e3c6af0f5f590ce20f1bde7090ef7970686ec6738a" },
        { 63, "7d3e74a05d7db15bce4ad9ec0658ea98e3f06eeecf16b4c6fff2da457ddc2f34" },
        { 64, "ffe054fe7ae0cb6dc65c3af9b61d5209f439851db43d0ba5997337df154668eb" },
        { 65, "635361c48bb9eab14198e76ea8ab7f1a41685d6ad62aa9146d301d4f17eb0ae0" },
    };
    char a[65], got[65];
    size_t i;
    memset(a, 'a', sizeof a);
    for (i = 0; i < sizeof v / sizeof v[0]; i++) {
        sha256_hex(a, v[i].n, got);
        assert_string_equal(got, v[i].hex);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_empty),
        cmocka_unit_test(test_abc),
        cmocka_unit_test(test_448_bits),
        cmocka_unit_test(test_million_a),
        cmocka_unit_test(test_pieces),
        cmocka_unit_test(test_boundaries),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

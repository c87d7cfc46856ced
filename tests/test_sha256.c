/*
** test_sha256.c — the rule set hash: SHA-256 (nettle) of, per file in byte
** order of relative path, the path, a NUL, the content and a NUL. Known
** vectors were computed apart from the engine (printf ... | sha256sum);
** a path too long to open is an error naming it, never a different hash.
*/
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>
#include <nettle/sha2.h>

#include "testutil.h"

#define RULE "rule{ id='A', when=function() return false end }\n"

/* The hash of the rule set in dir (loads, or the test fails). */
static void hash_is(const char *dir, const char *want)
{
    triage_error err;
    triage_ruleset *rs = triage_ruleset_load(dir, NULL, &err);
    if (!rs)
        fail_msg("%s", err.text);
    assert_string_equal(triage_ruleset_hash(rs), want);
    triage_ruleset_release(rs);
}

/* The library as linked, on FIPS 180-4's examples: the rule set hash is
** only as right as the SHA-256 under it. */
static void test_sha256_library_gives_the_fips_180_4_digests(void **state)
{
    (void)state;
    static const struct { const char *msg; const char *hex; } v[] = {
        {"", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"},
        {"abc", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"},
        {"abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq",
         "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1"},
    };
    for (size_t i = 0; i < sizeof v / sizeof *v; i++) {
        struct sha256_ctx c;
        uint8_t d[SHA256_DIGEST_SIZE];
        char hex[65];
        sha256_init(&c);
        sha256_update(&c, strlen(v[i].msg), (const uint8_t *)v[i].msg);
        sha256_digest(&c, sizeof d, d);
        for (size_t k = 0; k < sizeof d; k++)
            snprintf(hex + 2 * k, 3, "%02x", d[k]);
        assert_string_equal(hex, v[i].hex);
    }
}

static void test_ruleset_hash_is_sha256_of_paths_and_contents_in_path_order(void **state)
{
    (void)state;
    char *dir = tu_rules(RULE);
    tu_write(dir, "data/x.lua", "return 1\n");
    /* printf "10-rules.lua\0$RULE\0data/x.lua\0return 1\n\0" | sha256sum */
    hash_is(dir, "7e53ef469e9f4a24b5dc9b24ffad7873a4563ba7d0cf2e5dfa25caecab4bbc22");
    tu_write(dir, "data/x.lua", "return 2\n");
    hash_is(dir, "631d7499ece62b3493ef9a10a8840dbb9bb71f15e63f49a90ba15be3240ab702");
    tu_rmtree(dir);
    free(dir);
}

static void test_ruleset_hash_covers_empty_and_large_files(void **state)
{
    (void)state;
    char *dir = tu_rules(RULE);
    tu_write(dir, "data/empty", "");
    hash_is(dir, "af76ea798b98648433016b1c8a1fff27239dcfdb209f675f1e067f0525f960a3");
    char empty[1100];
    snprintf(empty, sizeof empty, "%s/data/empty", dir);
    assert_int_equal(unlink(empty), 0);
    char *big = malloc(1000001);
    assert_non_null(big);
    memset(big, 'a', 1000000);
    big[1000000] = '\0';
    tu_write(dir, "data/a.txt", big);   /* a million 'a', as in FIPS 180-4 */
    free(big);
    hash_is(dir, "99a6faaf6f2eccbe8add2f5a6c3c16a5f1d61b829987a5c69ca9fb8fb0ec54da");
    tu_rmtree(dir);
    free(dir);
}

/* Directories of 200-byte names, depth deep, under dir; returns an fd of
** the deepest (the caller closes it). */
static int deep_dirs(const char *dir, int depth)
{
    char name[201];
    memset(name, 'd', 200);
    name[200] = '\0';
    int fd = open(dir, O_RDONLY | O_DIRECTORY);
    assert_true(fd >= 0);
    for (int i = 0; i < depth; i++) {
        assert_int_equal(mkdirat(fd, name, 0700), 0);
        int next = openat(fd, name, O_RDONLY | O_DIRECTORY);
        assert_true(next >= 0);
        close(fd);
        fd = next;
    }
    return fd;
}

/* Paths were once cut into fixed buffers, so a deep file could be read
** under a cut name, or not at all, and the hash silently change. */
static void test_ruleset_hash_uses_whole_long_paths(void **state)
{
    (void)state;
    char *dir = tu_rules(RULE);
    int fd = deep_dirs(dir, 12);     /* a relative path of about 2,400 bytes */
    int f = openat(fd, "x.lua", O_WRONLY | O_CREAT | O_TRUNC, 0600);
    assert_true(f >= 0);
    assert_int_equal(write(f, "return 1\n", 9), 9);
    close(f);
    close(fd);
    /* the hash, built here from the whole path */
    char rel[12 * 201 + 8], *p = rel;
    for (int i = 0; i < 12; i++) {
        memset(p, 'd', 200);
        p[200] = '/';
        p += 201;
    }
    strcpy(p, "x.lua");
    struct sha256_ctx c;
    uint8_t d[SHA256_DIGEST_SIZE];
    char want[65];
    sha256_init(&c);
    sha256_update(&c, sizeof "10-rules.lua", (const uint8_t *)"10-rules.lua");
    sha256_update(&c, sizeof RULE, (const uint8_t *)RULE);          /* with its NUL */
    sha256_update(&c, strlen(rel) + 1, (const uint8_t *)rel);
    sha256_update(&c, sizeof "return 1\n", (const uint8_t *)"return 1\n");
    sha256_digest(&c, sizeof d, d);
    for (size_t k = 0; k < sizeof d; k++)
        snprintf(want + 2 * k, 3, "%02x", d[k]);
    hash_is(dir, want);
    tu_rmtree(dir);
    free(dir);
}

static void test_ruleset_load_fails_naming_a_path_too_long_to_open(void **state)
{
    (void)state;
    char *dir = tu_rules(RULE);
    int fd = deep_dirs(dir, 22);     /* past PATH_MAX (4,096 bytes) */
    int f = openat(fd, "x.lua", O_WRONLY | O_CREAT | O_TRUNC, 0600);
    assert_true(f >= 0);
    close(f);
    close(fd);
    triage_error err;
    assert_null(triage_ruleset_load(dir, NULL, &err));
    assert_int_equal(err.code, TRIAGE_ERULES);
    assert_non_null(strstr(err.text, strerror(ENAMETOOLONG)));
    /* names the first path too long (a directory on the way), by its end */
    assert_memory_equal(err.file, "\xE2\x80\xA6", 3);
    assert_true(strlen(err.file) > 200 && strstr(err.file, "/dddd"));
    tu_rmtree(dir);
    free(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_sha256_library_gives_the_fips_180_4_digests),
        cmocka_unit_test(test_ruleset_hash_is_sha256_of_paths_and_contents_in_path_order),
        cmocka_unit_test(test_ruleset_hash_covers_empty_and_large_files),
        cmocka_unit_test(test_ruleset_hash_uses_whole_long_paths),
        cmocka_unit_test(test_ruleset_load_fails_naming_a_path_too_long_to_open),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

/*
** replay.c — a main() for the fuzz targets without libFuzzer: feed each file
** named (or each file in each directory named) to LLVMFuzzerTestOneInput
** once. CTest runs the saved crash inputs and seeds this way in every build.
*/
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int rp_file(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        fprintf(stderr, "replay: cannot open %s\n", path);
        return 0;
    }
    size_t cap = 4096, n = 0, got;
    uint8_t *buf = malloc(cap);
    while (buf && (got = fread(buf + n, 1, cap - n, f)) > 0)
        if ((n += got) == cap) {
            uint8_t *nb = realloc(buf, cap *= 2);
            if (!nb) { free(buf); buf = NULL; }
            buf = nb;
        }
    fclose(f);
    if (!buf)
        return 0;
    /* An exact-size copy, so that a read past the end is caught by tools. */
    uint8_t *exact = malloc(n ? n : 1);
    memcpy(exact, buf, n);
    free(buf);
    LLVMFuzzerTestOneInput(exact, n);
    free(exact);
    return 1;
}

static int rp_cmp(const struct dirent **a, const struct dirent **b)
{
    return strcmp((*a)->d_name, (*b)->d_name);
}

int main(int argc, char **argv)
{
    long files = 0;
    for (int i = 1; i < argc; i++) {
        struct stat st;
        if (stat(argv[i], &st) != 0)
            continue;                /* a seed directory that is not there */
        if (!S_ISDIR(st.st_mode)) {
            files += rp_file(argv[i]);
            continue;
        }
        struct dirent **ent;
        int n = scandir(argv[i], &ent, NULL, rp_cmp);
        for (int k = 0; k < n; k++) {
            char path[4096];
            snprintf(path, sizeof path, "%s/%s", argv[i], ent[k]->d_name);
            if (ent[k]->d_name[0] != '.' && stat(path, &st) == 0 && S_ISREG(st.st_mode))
                files += rp_file(path);
            free(ent[k]);
        }
        free(ent);
    }
    printf("replayed %ld inputs\n", files);
    return files > 0 ? 0 : 1;
}

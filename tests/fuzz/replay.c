/*
 * replay.c: runs a fuzz target's LLVMFuzzerTestOneInput over files without
 * libFuzzer, so `make check` replays every kept crasher (tests/fuzz/regress)
 * and the seed corpus on every run with the project's own compiler (and
 * under SANITIZE=1 with ASan+UBSan).
 *
 *   fuzz-replay-NAME FILE|DIR ...
 *
 * Each argument is a file, or a directory whose regular files are fed one
 * by one (not recursively, sorted).  Prints "N inputs" and exits 0 when
 * every input ran; a failing check or a sanitizer report aborts.
 */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "fuzz.h"

static int
run_file(const char *path)
{
	FILE *fp;
	uint8_t *buf = NULL;
	size_t len = 0, cap = 0, n;

	if ((fp = fopen(path, "rb")) == NULL) {
		fprintf(stderr, "fuzz-replay: %s: %s\n", path, strerror(errno));
		return -1;
	}
	for (;;) {
		if (len == cap) {
			cap = cap ? cap * 2 : 65536;
			if ((buf = realloc(buf, cap)) == NULL)
				abort();
		}
		n = fread(buf + len, 1, cap - len, fp);
		len += n;
		if (n == 0)
			break;
	}
	if (ferror(fp)) {
		fprintf(stderr, "fuzz-replay: %s: read error\n", path);
		fclose(fp);
		free(buf);
		return -1;
	}
	fclose(fp);
	/* An exact-size copy, so ASan sees a read past the input's end. */
	{
		uint8_t *exact = malloc(len ? len : 1);

		if (exact == NULL)
			abort();
		if (len > 0)
			memcpy(exact, buf, len);
		free(buf);
		LLVMFuzzerTestOneInput(exact, len);
		free(exact);
	}
	return 0;
}

static int
cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int
main(int argc, char *argv[])
{
	struct stat st;
	long count = 0;
	int failed = 0;

	if (argc < 2) {
		fprintf(stderr, "usage: fuzz-replay-NAME FILE|DIR ...\n");
		return 2;
	}
	LLVMFuzzerInitialize(&argc, &argv);
	for (int i = 1; i < argc; i++) {
		if (stat(argv[i], &st) == -1) {
			fprintf(stderr, "fuzz-replay: %s: %s\n", argv[i],
			    strerror(errno));
			failed = 1;
			continue;
		}
		if (!S_ISDIR(st.st_mode)) {
			if (run_file(argv[i]) == -1)
				failed = 1;
			else
				count++;
			continue;
		}
		DIR *d = opendir(argv[i]);
		struct dirent *de;
		char **names = NULL;
		size_t nn = 0;

		if (d == NULL) {
			fprintf(stderr, "fuzz-replay: %s: %s\n", argv[i],
			    strerror(errno));
			failed = 1;
			continue;
		}
		while ((de = readdir(d)) != NULL) {
			char *path;

			if (de->d_name[0] == '.')
				continue;
			if (asprintf(&path, "%s/%s", argv[i], de->d_name) == -1)
				abort();
			if (stat(path, &st) == -1 || !S_ISREG(st.st_mode)) {
				free(path);
				continue;
			}
			if ((names = reallocarray(names, nn + 1,
			    sizeof(*names))) == NULL)
				abort();
			names[nn++] = path;
		}
		closedir(d);
		qsort(names, nn, sizeof(*names), cmp_str);
		for (size_t k = 0; k < nn; k++) {
			if (getenv("FUZZ_REPLAY_VERBOSE") != NULL)
				fprintf(stderr, "fuzz-replay: %s\n", names[k]);
			if (run_file(names[k]) == -1)
				failed = 1;
			else
				count++;
			free(names[k]);
		}
		free(names);
	}
	printf("%ld inputs\n", count);
	return failed ? 1 : 0;
}

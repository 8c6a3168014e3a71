/* open_bench.c - median cost of one open(O_RDONLY|O_CLOEXEC)+close, cycling over given paths. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

/*
 * The open+close microbenchmark of issue 3 (MAC on open).  It runs the
 * same way natively, in a guest and under strace, so it only measures
 * from inside: the guest's start-up cost is not part of the number.
 * Every open must succeed; a failure is reported and exits 1, so a
 * policy that denies the benchmark's own files cannot pass as "fast".
 */

#define MAX_REPS 1000

static void usage(void)
{
	fprintf(stderr, "usage: open_bench [-n N] [-r REPS] PATH...\n");
	exit(2);
}

static long parse_count(const char *s, long max)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || end == s || *end || v < 1 || v > max)
		usage();
	return v;
}

static double now_ns(void)
{
	struct timespec ts;

	if (clock_gettime(CLOCK_MONOTONIC, &ts)) {
		perror("open_bench: clock_gettime");
		exit(1);
	}
	return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

/* N open+close pairs over PATHS; returns ns per pair. */
static double run_once(char *const *paths, int npaths, long n)
{
	double t0 = now_ns();

	for (long i = 0; i < n; i++) {
		const char *p = paths[i % npaths];
		int fd = open(p, O_RDONLY | O_CLOEXEC);

		if (fd < 0) {
			fprintf(stderr, "open_bench: open %s: %s\n", p, strerror(errno));
			exit(1);
		}
		if (close(fd)) {
			fprintf(stderr, "open_bench: close %s: %s\n", p, strerror(errno));
			exit(1);
		}
	}
	return (now_ns() - t0) / (double)n;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

int main(int argc, char **argv)
{
	static double per[MAX_REPS];
	long n = 20000, reps = 5, warm;
	double med;
	int c;

	while ((c = getopt(argc, argv, "n:r:")) != -1) {
		switch (c) {
		case 'n':
			n = parse_count(optarg, 1000000000L);
			break;
		case 'r':
			reps = parse_count(optarg, MAX_REPS);
			break;
		default:
			usage();
		}
	}
	if (optind >= argc)
		usage();

	/* Warm the dentry cache (and the monitor's caches) outside the timing. */
	warm = n < 1000 ? n : 1000;
	run_once(argv + optind, argc - optind, warm);
	for (long r = 0; r < reps; r++)
		per[r] = run_once(argv + optind, argc - optind, n);
	qsort(per, (size_t)reps, sizeof(per[0]), cmp_double);
	med = reps % 2 ? per[reps / 2] : (per[reps / 2 - 1] + per[reps / 2]) / 2;
	printf("open_close_ns=%.0f\n", med);
	return 0;
}

/* evlog_dump.c - test helper: print "seq kind offset length" for every record of a log. */
#include <fcntl.h>
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>

#include "evlog/evlog.h"

int main(int argc, char **argv)
{
	struct evlog_reader *r;
	struct evlog_record rec;
	struct stat st;
	uint64_t prev_off = 0, prev_seq = 0;
	const char *prev_kind = NULL;
	int n;

	if (argc != 2) {
		fprintf(stderr, "usage: evlog_dump LOG\n");
		return 2;
	}
	int fd = open(argv[1], O_RDONLY | O_CLOEXEC);
	if (fd < 0 || fstat(fd, &st) < 0 || evlog_reader_new(&r, fd) < 0) {
		perror(argv[1]);
		return 2;
	}
	/* A record ends where the next begins; the last ends at the end of file. */
	while ((n = evlog_reader_next(r, &rec)) == 1) {
		if (prev_kind)
			printf("%llu %s %llu %llu\n", (unsigned long long)prev_seq, prev_kind,
			       (unsigned long long)prev_off,
			       (unsigned long long)(rec.offset - prev_off));
		prev_seq = rec.seq;
		prev_off = rec.offset;
		prev_kind = evlog_kind_name(rec.kind);
		if (!prev_kind)
			prev_kind = "unknown";
	}
	if (prev_kind)
		printf("%llu %s %llu %llu\n", (unsigned long long)prev_seq, prev_kind,
		       (unsigned long long)prev_off,
		       (unsigned long long)(evlog_reader_offset(r) - prev_off));
	evlog_reader_free(r);
	close(fd);
	return n < 0 ? 1 : 0;
}

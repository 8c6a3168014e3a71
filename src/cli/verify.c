/* verify.c - `vmmsec verify`: check every log of DIR against its chain, signatures and anchors. */
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli/cli.h"
#include "cli/logs.h"
#include "evlog/evlog.h"
#include "util/util.h"

/*
 * Verify one log; returns CLI_OK, CLI_TAMPERED or CLI_USAGE (I/O).  With an
 * anchor, *seen is set when the log's id could be read into @logid.
 */
static int verify_one(const char *path, const char *anchor_path, uint8_t logid[EVLOG_LOGID_BYTES],
		      bool *seen)
{
	struct evlog_anchors anchors = {0};
	struct evlog_verify_result res;
	struct evlog_reader *rd = NULL;
	bool have_anchor = false;
	int r;

	cleanup_fd int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	if (fd < 0) {
		cli_cannot(errno, "open %s", path);
		return CLI_USAGE;
	}
	if (anchor_path) {
		r = evlog_reader_new(&rd, fd);
		if (r == 0) {
			memcpy(logid, evlog_reader_header(rd)->logid, EVLOG_LOGID_BYTES);
			*seen = true;
			evlog_reader_free(rd);
			cleanup_fd int afd = open(anchor_path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
			unsigned line = 0, col = 0;
			if (afd < 0) {
				cli_cannot(errno, "open anchor file %s", anchor_path);
				return CLI_USAGE;
			}
			r = evlog_anchors_load(afd, logid, &anchors, &line, &col);
			if (r == -EBADMSG) {
				fprintf(stderr, "%s:%u:%u: malformed anchor line\n", anchor_path,
					line, col);
				return CLI_USAGE;
			}
			if (r < 0 && r != -ENOENT) {
				cli_cannot(-r, "read anchor file %s", anchor_path);
				return CLI_USAGE;
			}
			if (r == -ENOENT) {
				char hex[2 * EVLOG_LOGID_BYTES + 1];
				evlog_hex(logid, EVLOG_LOGID_BYTES, hex);
				printf("%s: TAMPERED: wrong-key at seq 0 (offset 0): anchor file "
				       "%s has no entry for log id %s\n",
				       path, anchor_path, hex);
				return CLI_TAMPERED;
			}
			have_anchor = true;
		}
		/* A header too broken to read is reported by evlog_verify below. */
	}
	r = evlog_verify(fd, have_anchor ? &anchors : NULL, &res);
	if (have_anchor)
		evlog_anchors_release(&anchors);
	if (r < 0) {
		cli_cannot(-r, "read %s", path);
		return CLI_USAGE;
	}
	if (res.damage != EVLOG_INTACT) {
		printf("%s: TAMPERED: %s at seq %llu (offset %llu): %s\n", path,
		       evlog_damage_name(res.damage), (unsigned long long)res.bad_seq,
		       (unsigned long long)res.bad_offset, res.detail);
		return CLI_TAMPERED;
	}
	printf("%s: intact: %llu records, last seq %llu, %s%s\n", path,
	       (unsigned long long)res.records, (unsigned long long)res.last_seq,
	       res.final ? "sealed by the final checkpoint"
			 : "NOT finally sealed (the monitor stopped early)",
	       have_anchor ? ", matches its anchors" : "");
	if (!res.final && res.detail[0])
		printf("  %s\n", res.detail);
	return CLI_OK;
}

/* A log the anchor file knows but DIR lacks was deleted whole. */
static int missing_logs(const char *dir, const char *anchor_path,
			uint8_t (*seen)[EVLOG_LOGID_BYTES], size_t nseen)
{
	uint8_t(*ids)[EVLOG_LOGID_BYTES] = NULL;
	size_t n = 0;
	unsigned line = 0, col = 0;
	int rc = CLI_OK;

	cleanup_fd int afd = open(anchor_path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	if (afd < 0) {
		cli_cannot(errno, "open anchor file %s", anchor_path);
		return CLI_USAGE;
	}
	int r = evlog_anchors_logids(afd, &ids, &n, &line, &col);
	if (r == -EBADMSG) {
		fprintf(stderr, "%s:%u:%u: malformed anchor line\n", anchor_path, line, col);
		return CLI_USAGE;
	}
	if (r < 0) {
		cli_cannot(-r, "read anchor file %s", anchor_path);
		return CLI_USAGE;
	}
	for (size_t i = 0; i < n; i++) {
		bool found = false;
		for (size_t j = 0; j < nseen && !found; j++)
			found = !memcmp(ids[i], seen[j], EVLOG_LOGID_BYTES);
		if (!found) {
			char hex[2 * EVLOG_LOGID_BYTES + 1];
			evlog_hex(ids[i], EVLOG_LOGID_BYTES, hex);
			printf("%s: TAMPERED: deleted: the anchor file names log %s, which is not "
			       "in "
			       "this directory\n",
			       dir, hex);
			rc = CLI_TAMPERED;
		}
	}
	free(ids);
	return rc;
}

int cli_verify(int argc, char **argv)
{
	static const struct option opts[] = {
		{"anchor", required_argument, NULL, 'a'},
		{0},
	};
	const char *anchor = NULL;
	struct cli_logs logs;
	int c, worst = CLI_OK;

	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "a:", opts, NULL)) != -1) {
		if (c != 'a') {
			cli_say("verify: unknown or incomplete option '%s'", argv[optind - 1]);
			return CLI_USAGE;
		}
		anchor = optarg;
	}
	if (optind != argc - 1) {
		cli_say("usage: vmmsec verify DIR|FILE [--anchor FILE]");
		return CLI_USAGE;
	}
	int r = cli_logs_find(argv[optind], &logs);
	if (r < 0) {
		cli_cannot(-r, "read %s", argv[optind]);
		return CLI_USAGE;
	}
	if (logs.n == 0) {
		cli_say("%s: no evidence logs (vmmsec-*.evl) found", argv[optind]);
		cli_logs_free(&logs);
		return CLI_USAGE;
	}
	uint8_t(*seen)[EVLOG_LOGID_BYTES] = calloc(logs.n ? logs.n : 1, EVLOG_LOGID_BYTES);
	size_t nseen = 0;
	if (!seen) {
		cli_logs_free(&logs);
		cli_cannot(ENOMEM, "verify");
		return CLI_USAGE;
	}
	for (size_t i = 0; i < logs.n; i++) {
		bool got = false;
		int v = verify_one(logs.path[i], anchor, seen[nseen], &got);
		nseen += got;
		/* Tampering outranks an I/O error: say what was proven. */
		if (v == CLI_TAMPERED || (v == CLI_USAGE && worst == CLI_OK))
			worst = v;
	}
	struct stat st;
	if (anchor && stat(argv[optind], &st) == 0 && S_ISDIR(st.st_mode)) {
		int v = missing_logs(argv[optind], anchor, seen, nseen);
		if (v == CLI_TAMPERED || (v == CLI_USAGE && worst == CLI_OK))
			worst = v;
	}
	free(seen);
	cli_logs_free(&logs);
	return worst;
}

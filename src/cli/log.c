/* log.c - `vmmsec log`: print evidence records as text or JSON Lines, optionally following. */
#include <fcntl.h>
#include <getopt.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/inotify.h>
#include <unistd.h>

#include "cli/cli.h"
#include "cli/logs.h"
#include "evlog/evlog.h"
#include "report/report.h"
#include "util/util.h"

struct log_args {
	const char *path;
	enum report_format fmt;
	int kind; /* -1: all */
	bool follow;
};

static int parse_args(int argc, char **argv, struct log_args *a)
{
	static const struct option opts[] = {
		{"json", no_argument, NULL, 'j'},
		{"kind", required_argument, NULL, 'k'},
		{"follow", no_argument, NULL, 'f'},
		{0},
	};
	int c;

	*a = (struct log_args){.fmt = REPORT_HUMAN, .kind = -1};
	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "jk:f", opts, NULL)) != -1) {
		switch (c) {
		case 'j':
			a->fmt = REPORT_JSON;
			break;
		case 'k':
			a->kind = evlog_kind_parse(optarg);
			if (a->kind < 0) {
				cli_say("invalid --kind '%s': expected guest-start, guest-exit, syslog, "
					"lost, checkpoint or access", optarg);
				return -1;
			}
			break;
		case 'f':
			a->follow = true;
			break;
		default:
			cli_say("log: unknown or incomplete option '%s'", argv[optind - 1]);
			return -1;
		}
	}
	if (optind != argc - 1) {
		cli_say("usage: vmmsec log DIR|FILE [--json] [--kind KIND] [--follow]");
		return -1;
	}
	a->path = argv[optind];
	return 0;
}

/* Wait until @fd's file grows (or anything happens in its directory). */
static int wait_for_more(int ino)
{
	char buf[4096];
	struct pollfd p = {.fd = ino, .events = POLLIN};
	if (poll(&p, 1, -1) < 0)
		return errno == EINTR ? 0 : -errno;
	while (read(ino, buf, sizeof(buf)) > 0)
		;
	return 0;
}

/*
 * Print every record of one log.  Returns 0 at its end, 1 if a record is
 * damaged, 2 on I/O errors.  Following, it waits at the end instead.
 */
static int print_log(const char *path, const struct log_args *a, bool follow, struct report_buf *b)
{
	struct evlog_reader *rd = NULL;
	struct evlog_record rec;
	cleanup_fd int ino = -1;

	cleanup_fd int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	if (fd < 0) {
		cli_cannot(errno, "open %s", path);
		return 2;
	}
	int r = evlog_reader_new(&rd, fd);
	if (r < 0) {
		if (r == -EBADMSG)
			fprintf(stderr, "%s:0: not a vmmsec evidence log (bad header)\n", path);
		else
			cli_cannot(-r, "read %s", path);
		return r == -EBADMSG ? 1 : 2;
	}
	if (follow) {
		ino = inotify_init1(IN_CLOEXEC | IN_NONBLOCK);
		if (ino < 0 || inotify_add_watch(ino, path, IN_MODIFY | IN_CLOSE_WRITE) < 0) {
			cli_cannot(errno, "watch %s", path);
			evlog_reader_free(rd);
			return 2;
		}
	}
	int rc = 0;
	for (;;) {
		r = evlog_reader_next(rd, &rec);
		if (r == 1) {
			if (a->kind >= 0 && rec.kind != a->kind)
				continue;
			report_buf_reset(b);
			if (report_render(&rec, a->fmt, b) < 0 ||
			    fwrite(b->data, 1, b->len, stdout) != b->len) {
				cli_cannot(ENOMEM, "print %s", path);
				rc = 2;
				break;
			}
			if (follow)
				fflush(stdout);
			continue;
		}
		/* At the end (or a record still being written), a follower waits. */
		if (follow && (r == 0 || r == -EBADMSG)) {
			fflush(stdout);
			if (wait_for_more(ino) < 0) {
				rc = 2;
				break;
			}
			continue;
		}
		if (r == -EBADMSG) {
			fflush(stdout);
			fprintf(stderr, "%s: record at offset %llu is damaged or incomplete; "
					"stopping (check with vmmsec verify)\n",
				path, (unsigned long long)evlog_reader_offset(rd));
			rc = 1;
		} else if (r < 0) {
			cli_cannot(-r, "read %s", path);
			rc = 2;
		}
		break;
	}
	evlog_reader_free(rd);
	return rc;
}

int cli_log(int argc, char **argv)
{
	struct log_args a;
	struct cli_logs logs;
	struct report_buf b;
	int rc = 0;

	if (parse_args(argc, argv, &a) < 0)
		return CLI_USAGE;
	int r = cli_logs_find(a.path, &logs);
	if (r < 0) {
		cli_cannot(-r, "read %s", a.path);
		return CLI_USAGE;
	}
	if (logs.n == 0 && !a.follow) {
		cli_say("%s: no evidence logs (vmmsec-*.evl) found", a.path);
		cli_logs_free(&logs);
		return CLI_USAGE;
	}
	report_buf_init(&b);
	for (size_t i = 0; i < logs.n && rc != 2; i++) {
		int v = print_log(logs.path[i], &a, a.follow && i == logs.n - 1, &b);
		if (v > rc)
			rc = v;
	}
	report_buf_release(&b);
	cli_logs_free(&logs);
	if (fflush(stdout) != 0 && rc == 0) {
		cli_cannot(errno, "write output");
		rc = CLI_USAGE;
	}
	return rc;
}

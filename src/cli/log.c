/* log.c - `vmmsec log`: print evidence records as text or JSON Lines, optionally following. */
#include <fcntl.h>
#include <getopt.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <stdlib.h>
#include <sys/inotify.h>
#include <sys/stat.h>
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
				cli_say("invalid --kind '%s': expected guest-start, guest-exit, "
					"syslog, "
					"lost, checkpoint or access",
					optarg);
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

/* Following a directory: has a log newer than @path appeared? */
static bool newer_log(const char *dir, const char *path)
{
	struct cli_logs l;
	bool newer = false;

	if (!dir || cli_logs_find(dir, &l) < 0)
		return false;
	newer = l.n > 0 && strcmp(l.path[l.n - 1], path) != 0;
	cli_logs_free(&l);
	return newer;
}

/*
 * Print every record of one log.  Returns 0 at its end, 1 if a record is
 * damaged, 2 on I/O errors.  Following, it waits at the end instead, until
 * a newer log appears in @dir.
 */
static int print_log(const char *path, const struct log_args *a, bool follow, const char *dir,
		     struct report_buf *b)
{
	struct evlog_reader *rd = NULL;
	struct evlog_record rec;
	cleanup_fd int ino = -1;

	cleanup_fd int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	if (fd < 0) {
		cli_cannot(errno, "open %s", path);
		return 2;
	}
	if (follow) {
		ino = inotify_init1(IN_CLOEXEC | IN_NONBLOCK);
		if (ino < 0 || inotify_add_watch(ino, path, IN_MODIFY | IN_CLOSE_WRITE) < 0 ||
		    (dir && inotify_add_watch(ino, dir, IN_CREATE | IN_MOVED_TO) < 0)) {
			cli_cannot(errno, "watch %s", path);
			return 2;
		}
	}
	int r = evlog_reader_new(&rd, fd);
	/* Following a log being created: its header is on its way. */
	while (follow && r == -EBADMSG) {
		if (wait_for_more(ino) < 0)
			return 2;
		r = evlog_reader_new(&rd, fd);
	}
	if (r < 0) {
		if (r == -EBADMSG)
			fprintf(stderr, "%s:0: not a vmmsec evidence log (bad header)\n", path);
		else
			cli_cannot(-r, "read %s", path);
		return r == -EBADMSG ? 1 : 2;
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
			if (r == 0 && newer_log(dir, path))
				break; /* a new run started: move on to its log */
			if (wait_for_more(ino) < 0) {
				rc = 2;
				break;
			}
			continue;
		}
		if (r == -EBADMSG) {
			fflush(stdout);
			fprintf(stderr,
				"%s: record at offset %llu is damaged or incomplete; "
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

/* --follow on a directory without logs yet: wait for the first one. */
static int wait_for_first(const char *dir)
{
	struct cli_logs l;
	cleanup_fd int ino = inotify_init1(IN_CLOEXEC | IN_NONBLOCK);

	if (ino < 0 || inotify_add_watch(ino, dir, IN_CREATE | IN_MOVED_TO) < 0) {
		cli_cannot(errno, "watch %s", dir);
		return CLI_USAGE;
	}
	for (;;) {
		if (cli_logs_find(dir, &l) < 0)
			return CLI_USAGE;
		size_t n = l.n;
		cli_logs_free(&l);
		if (n > 0)
			return 0;
		if (wait_for_more(ino) < 0)
			return CLI_USAGE;
	}
}

int cli_log(int argc, char **argv)
{
	struct log_args a;
	struct cli_logs logs;
	struct report_buf b;
	int rc = 0;

	if (parse_args(argc, argv, &a) < 0)
		return CLI_USAGE;
	struct stat st;
	if (stat(a.path, &st) < 0) {
		cli_cannot(errno, "read %s", a.path);
		return CLI_USAGE;
	}
	const char *dir = S_ISDIR(st.st_mode) ? a.path : NULL;
	if (a.follow && dir && (rc = wait_for_first(dir)) != 0)
		return rc;
	int r = cli_logs_find(a.path, &logs);
	if (r < 0) {
		cli_cannot(-r, "read %s", a.path);
		return CLI_USAGE;
	}
	if (logs.n == 0) {
		cli_say("%s: no evidence logs (vmmsec-*.evl) found", a.path);
		cli_logs_free(&logs);
		return CLI_USAGE;
	}
	report_buf_init(&b);
	char *done = NULL; /* following: the last log printed */
	for (size_t i = 0; i < logs.n && rc != 2; i++) {
		bool last = i == logs.n - 1;
		int v = print_log(logs.path[i], &a, a.follow && last, dir, &b);
		if (v > rc)
			rc = v;
		if (a.follow && last && rc != 2) {
			/* A newer log appeared: continue with the ones after this. */
			free(done);
			done = strdup(logs.path[i]);
			cli_logs_free(&logs);
			if (!done || cli_logs_find(a.path, &logs) < 0)
				break;
			for (i = 0; i < logs.n && strcmp(logs.path[i], done); i++)
				;
		}
	}
	free(done);
	report_buf_release(&b);
	cli_logs_free(&logs);
	if (fflush(stdout) != 0 && rc == 0) {
		cli_cannot(errno, "write output");
		rc = CLI_USAGE;
	}
	return rc;
}

/* logs.c - find the evidence-log files of a DIR (or a single FILE) in time order. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <unistd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cli/logs.h"
#include "evlog/evlog.h"

struct keyed {
	int64_t created;
	char *path;
};

static int cmp(const void *a, const void *b)
{
	const struct keyed *x = a, *y = b;
	if (x->created != y->created)
		return x->created < y->created ? -1 : 1;
	return strcmp(x->path, y->path);
}

/*
 * Creation time from the header.  A header that cannot be read yet is a log
 * being created right now: it sorts last, as the newest.
 */
static int64_t created_ns(const char *path)
{
	struct evlog_reader *r;
	int64_t t = INT64_MAX;
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	if (fd < 0)
		return t;
	if (evlog_reader_new(&r, fd) == 0) {
		t = evlog_reader_header(r)->created_ns;
		evlog_reader_free(r);
	}
	close(fd);
	return t;
}

/* Order by creation time: names only have whole seconds. */
static int sort_logs(struct cli_logs *l)
{
	struct keyed *k = calloc(l->n, sizeof(*k));
	if (!k)
		return -ENOMEM;
	for (size_t i = 0; i < l->n; i++)
		k[i] = (struct keyed){created_ns(l->path[i]), l->path[i]};
	qsort(k, l->n, sizeof(*k), cmp);
	for (size_t i = 0; i < l->n; i++)
		l->path[i] = k[i].path;
	free(k);
	return 0;
}

static bool is_log_name(const char *n)
{
	size_t l = strlen(n);
	return l > 4 && !strcmp(n + l - 4, ".evl") && !strncmp(n, "vmmsec-", 7);
}

void cli_logs_free(struct cli_logs *l)
{
	for (size_t i = 0; i < l->n; i++)
		free(l->path[i]);
	free(l->path);
	l->path = NULL;
	l->n = 0;
}

int cli_logs_find(const char *path, struct cli_logs *out)
{
	struct stat st;

	*out = (struct cli_logs){0};
	if (stat(path, &st) < 0)
		return -errno;
	if (!S_ISDIR(st.st_mode)) {
		out->path = calloc(1, sizeof(char *));
		if (!out->path || !(out->path[0] = strdup(path)))
			return -ENOMEM;
		out->n = 1;
		return 0;
	}
	DIR *d = opendir(path);
	if (!d)
		return -errno;
	struct dirent *e;
	size_t cap = 0;
	int r = 0;
	while ((e = readdir(d))) {
		if (!is_log_name(e->d_name))
			continue;
		if (out->n == cap) {
			cap = cap ? cap * 2 : 8;
			char **p = realloc(out->path, cap * sizeof(char *));
			if (!p) {
				r = -ENOMEM;
				break;
			}
			out->path = p;
		}
		if (asprintf(&out->path[out->n], "%s/%s", path, e->d_name) < 0) {
			r = -ENOMEM;
			break;
		}
		out->n++;
	}
	closedir(d);
	if (r < 0) {
		cli_logs_free(out);
		return r;
	}
	if (out->n && (r = sort_logs(out)) < 0)
		cli_logs_free(out);
	return r;
}

/* pins.c - hold O_PATH fds on the policy's objects so that their inode numbers cannot be reused. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <unistd.h>

#include "util/util.h"

int util_pins_add(struct util_pins *p, int fd)
{
	if (p->n == p->cap) {
		size_t cap = p->cap ? 2 * p->cap : 64;
		int *v = realloc(p->fd, cap * sizeof(*v));
		if (!v)
			return -ENOMEM;
		p->fd = v;
		p->cap = cap;
	}
	p->fd[p->n++] = fd;
	return 0;
}

void util_pins_release(struct util_pins *p)
{
	for (size_t i = 0; i < p->n; i++)
		close(p->fd[i]);
	free(p->fd);
	*p = (struct util_pins){0};
}

int util_nofile_raise(void)
{
	struct rlimit rl;

	if (getrlimit(RLIMIT_NOFILE, &rl) < 0)
		return -errno;
	/* With CAP_SYS_RESOURCE the hard limit may go up to fs.nr_open; else it is what there is. */
	FILE *f = fopen("/proc/sys/fs/nr_open", "re");
	unsigned long nr = 0;
	if (f) {
		if (fscanf(f, "%lu", &nr) != 1)
			nr = 0;
		fclose(f);
	}
	if (nr > rl.rlim_max) {
		struct rlimit up = {nr, nr};
		if (setrlimit(RLIMIT_NOFILE, &up) == 0)
			return 0;
	}
	rl.rlim_cur = rl.rlim_max;
	return setrlimit(RLIMIT_NOFILE, &rl) < 0 ? -errno : 0;
}

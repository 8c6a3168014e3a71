/* load.c - bind the access file's paths to the guest's objects before the broker starts. */
#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "mac/internal.h"
#include "util/util.h"

/* Open @path as the guest sees it: inside @root, absolute symlinks included. */
static int open_in_root(int root, const char *path)
{
	struct open_how how = {.flags = O_PATH | O_CLOEXEC, .resolve = RESOLVE_IN_ROOT};
	long fd = syscall(SYS_openat2, root, path, &how, sizeof(how));
	return fd < 0 ? -errno : (int)fd;
}

static int key_of_fd(int fd, struct policy_key *key)
{
	struct stat st;

	if (fstat(fd, &st) < 0)
		return -errno;
	*key = (struct policy_key){.dev = st.st_dev, .ino = st.st_ino};
	return 0;
}

struct load_ctx {
	int root;
	struct util_pins *pins;
};

/* The object at @path, kept pinned for the run (util_pins). */
static int resolve(void *ctx, const char *path, struct policy_key *key)
{
	struct load_ctx *l = ctx;
	cleanup_fd int fd = open_in_root(l->root, path);
	int r = fd < 0 ? fd : key_of_fd(fd, key);

	if (r == 0 && (r = util_pins_add(l->pins, fd)) == 0)
		fd = -1;
	return r;
}

void mac_policy_free(struct mac_policy *mp)
{
	if (!mp)
		return;
	for (size_t i = 0; i < mp->ndirs; i++) {
		util_closep(&mp->dirs[i].fd);
		free(mp->dirs[i].kpath);
	}
	free(mp->dirs);
	util_pins_release(&mp->pins);
	policy_compiled_free(mp->c);
	free(mp);
}

int mac_policy_load(const struct policy *p, int root_fd, struct mac_policy **out,
		    struct policy_errors *errs)
{
	struct mac_policy *mp = calloc(1, sizeof(*mp));
	int r;

	*out = NULL;
	if (!mp)
		return -ENOMEM;
	struct load_ctx l = {.root = root_fd, .pins = &mp->pins};
	if ((r = policy_compile(p, resolve, &l, &mp->c, errs)) < 0)
		goto fail;
	size_t n = policy_path_count(mp->c);
	mp->dirs = calloc(n ? n : 1, sizeof(*mp->dirs));
	if (!mp->dirs) {
		r = -ENOMEM;
		goto fail;
	}
	/*
	 * Directories whose directives reach beneath them are pinned: an
	 * object's ancestors are found among them by the kernel's own path of
	 * both, which follows renames (the broker refreshes it after each).
	 */
	for (size_t i = 0; i < n; i++) {
		bool subtree;
		const char *path = policy_path_at(mp->c, i, &subtree);
		if (!subtree)
			continue;
		struct mac_dir *d = &mp->dirs[mp->ndirs++];
		d->path = path;
		d->fd = open_in_root(root_fd, path);
		if (d->fd == -ENOENT) {
			d->fd = -1;
			continue;
		}
		if (d->fd < 0 || (r = key_of_fd(d->fd, &d->key)) < 0) {
			r = d->fd < 0 ? d->fd : r;
			d->fd = d->fd < 0 ? -1 : d->fd;
			goto fail;
		}
	}
	*out = mp;
	return 0;
fail:
	mac_policy_free(mp);
	return r;
}

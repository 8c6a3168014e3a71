/* view.c - build the guest's file-system view: /proc, /dev, /run/systemd/journal and hidden paths. */
#include <dirent.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>

#include "guest/internal.h"
#include "util/util.h"

static int fd_path(int fd, char *buf, size_t len)
{
	int n = snprintf(buf, len, "/proc/self/fd/%d", fd);
	return n < 0 || (size_t)n >= len ? -ENAMETOOLONG : 0;
}

/* Bind the object open at @fd onto the existing mount point @dst. */
static int bind_fd(int fd, const char *dst, unsigned long extra)
{
	char src[64];
	int r = fd_path(fd, src, sizeof(src));
	if (r < 0)
		return r;
	if (mount(src, dst, NULL, MS_BIND | MS_REC, NULL) < 0)
		return -errno;
	if (extra && mount(NULL, dst, NULL, MS_REMOUNT | MS_BIND | extra, NULL) < 0)
		return -errno;
	return 0;
}

static int touch(const char *path, mode_t mode)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, mode);
	if (fd < 0)
		return -errno;
	close(fd);
	return 0;
}

static int bind_socket(const char *path, int type, int *out, uint64_t *dev, uint64_t *ino)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	struct stat st;
	cleanup_fd int fd = socket(AF_UNIX, type | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);

	int one = 1;

	if (fd < 0)
		return -errno;
	/*
	 * Credentials must be on before the first message is queued: the
	 * kernel attaches them at send time only if the receiver asked.
	 */
	if (setsockopt(fd, SOL_SOCKET, SO_PASSCRED, &one, sizeof(one)) < 0)
		return -errno;
	if (strlen(path) >= sizeof(sa.sun_path))
		return -ENAMETOOLONG;
	strcpy(sa.sun_path, path);
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0)
		return -errno;
	if (type == SOCK_STREAM && listen(fd, SOMAXCONN) < 0)
		return -errno;
	if (lstat(path, &st) < 0)
		return -errno;
	*dev = st.st_dev;
	*ino = st.st_ino;
	*out = steal_fd(&fd);
	return 0;
}

/* Devices the guest gets, bound from the host like bubblewrap's --dev. */
static const char *const dev_nodes[] = {"null", "zero", "full", "random", "urandom", "tty"};

static int build_dev(void)
{
	int host[VMM_ARRAY_SIZE(dev_nodes)];
	char path[64];
	int r = 0;

	for (size_t i = 0; i < VMM_ARRAY_SIZE(dev_nodes); i++) {
		snprintf(path, sizeof(path), "/dev/%s", dev_nodes[i]);
		host[i] = open(path, O_PATH | O_CLOEXEC | O_NOFOLLOW);
	}
	if (mount("tmpfs", "/dev", "tmpfs", MS_NOSUID | MS_STRICTATIME, "mode=0755") < 0) {
		r = -errno;
		goto out;
	}
	for (size_t i = 0; i < VMM_ARRAY_SIZE(dev_nodes); i++) {
		if (host[i] < 0)
			continue; /* the host lacks it: so does the guest */
		snprintf(path, sizeof(path), "/dev/%s", dev_nodes[i]);
		if ((r = touch(path, 0666)) < 0 || (r = bind_fd(host[i], path, 0)) < 0)
			goto out;
	}
	if (mkdir("/dev/shm", 01777) < 0 || chmod("/dev/shm", 01777) < 0 ||
	    mount("tmpfs", "/dev/shm", "tmpfs", MS_NOSUID | MS_NODEV, "mode=1777") < 0 ||
	    mkdir("/dev/pts", 0755) < 0 ||
	    mount("devpts", "/dev/pts", "devpts", MS_NOSUID | MS_NOEXEC,
		  "newinstance,ptmxmode=0666,mode=620") < 0 ||
	    symlink("pts/ptmx", "/dev/ptmx") < 0 || symlink("/proc/self/fd", "/dev/fd") < 0 ||
	    symlink("/proc/self/fd/0", "/dev/stdin") < 0 ||
	    symlink("/proc/self/fd/1", "/dev/stdout") < 0 ||
	    symlink("/proc/self/fd/2", "/dev/stderr") < 0)
		r = -errno;
out:
	for (size_t i = 0; i < VMM_ARRAY_SIZE(dev_nodes); i++)
		if (host[i] >= 0)
			close(host[i]);
	return r;
}

/*
 * Replace directory @path with a tmpfs that re-exposes each of its entries
 * by bind mount (symlinks copied), so that new entries can be added without
 * touching the host.  The old directory is read through @old, opened before
 * the tmpfs covers it.
 */
static int replicate_dir(const char *path)
{
	cleanup_fd int old = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
	struct stat st;
	DIR *d;
	struct dirent *e;
	int r = 0;

	if (old < 0)
		return -errno;
	if (fstat(old, &st) < 0)
		return -errno;
	if (mount("tmpfs", path, "tmpfs", MS_NOSUID | MS_NODEV, "mode=0755") < 0)
		return -errno;
	if (chmod(path, st.st_mode & 07777) < 0)
		return -errno;
	int dfd = dup(old);
	if (dfd < 0 || !(d = fdopendir(dfd))) {
		if (dfd >= 0)
			close(dfd);
		return -errno;
	}
	while ((e = readdir(d))) {
		char dst[PATH_MAX], src[PATH_MAX], target[PATH_MAX];
		struct stat es;
		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
			continue;
		if (snprintf(dst, sizeof(dst), "%s/%s", path, e->d_name) >= (int)sizeof(dst) ||
		    snprintf(src, sizeof(src), "/proc/self/fd/%d/%s", old, e->d_name) >=
			    (int)sizeof(src)) {
			r = -ENAMETOOLONG;
			break;
		}
		if (fstatat(old, e->d_name, &es, AT_SYMLINK_NOFOLLOW) < 0)
			continue; /* vanished meanwhile */
		if (S_ISLNK(es.st_mode)) {
			ssize_t n = readlinkat(old, e->d_name, target, sizeof(target) - 1);
			if (n < 0)
				continue;
			target[n] = 0;
			if (symlink(target, dst) < 0) {
				r = -errno;
				break;
			}
			continue;
		}
		if (S_ISDIR(es.st_mode) ? mkdir(dst, 0755) < 0 : (r = touch(dst, 0644)) < 0) {
			r = r ? r : -errno;
			break;
		}
		if (mount(src, dst, NULL, MS_BIND | MS_REC, NULL) < 0) {
			r = -errno;
			break;
		}
	}
	closedir(d);
	return r;
}

/*
 * Make @path (absolute) an empty directory on a tmpfs of our own: replicate
 * the deepest existing ancestor and each new level, then mount a fresh tmpfs
 * on @path itself, which also hides whatever the host had there.
 */
static int graft_dir(const char *path)
{
	char cur[PATH_MAX] = "";
	const char *p = path;

	while (*p == '/') {
		const char *end = strchr(p + 1, '/');
		size_t len = end ? (size_t)(end - p) : strlen(p);
		size_t cl = strlen(cur);
		struct stat st;
		if (cl + len + 1 > sizeof(cur))
			return -ENAMETOOLONG;
		memcpy(cur + cl, p, len);
		cur[cl + len] = 0;
		if (lstat(cur, &st) < 0) {
			if (errno != ENOENT)
				return -errno;
			/* Parent must be ours before we can add to it. */
			char parent[PATH_MAX];
			memcpy(parent, cur, cl);
			parent[cl] = 0;
			int r = replicate_dir(cl ? parent : "/");
			if (r < 0)
				return r;
			if (mkdir(cur, 0755) < 0)
				return -errno;
		} else if (!S_ISDIR(st.st_mode)) {
			return -ENOTDIR;
		}
		p += len;
	}
	if (mount("tmpfs", path, "tmpfs", MS_NOSUID | MS_NODEV | MS_NOEXEC, "mode=0755") < 0)
		return -errno;
	return 0;
}

/* Cover @path: an empty read-only tmpfs on a directory, /dev/null on anything else. */
static int hide_path(const char *path)
{
	struct stat st;

	/*
	 * ENOENT: nothing to hide.  EACCES: a parent is closed to the guest's
	 * ids (init has the same ones), so the guest cannot reach it either.
	 */
	if (lstat(path, &st) < 0)
		return errno == ENOENT || errno == EACCES ? 0 : -errno;
	if (S_ISDIR(st.st_mode)) {
		if (mount("tmpfs", path, "tmpfs", MS_NOSUID | MS_NODEV | MS_NOEXEC | MS_RDONLY,
			  "mode=0000,size=4k") < 0)
			return -errno;
		return 0;
	}
	if (mount("/dev/null", path, NULL, MS_BIND, NULL) < 0 ||
	    mount(NULL, path, NULL,
		  MS_REMOUNT | MS_BIND | MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL) < 0)
		return -errno;
	return 0;
}

static int seal_ro(const char *path, unsigned long flags)
{
	if (mount(NULL, path, NULL, MS_REMOUNT | MS_BIND | MS_RDONLY | flags, NULL) < 0)
		return -errno;
	return 0;
}

int guest_view_build(const struct guest_config *cfg, int fds[GUEST_NSOCK],
		     uint64_t dev[GUEST_NSOCK], uint64_t ino[GUEST_NSOCK], uint32_t *step)
{
	int r;

	*step = GUEST_STEP_MOUNT_PRIVATE;
	/* Nothing we mount may propagate back to the host. */
	if (mount(NULL, "/", NULL, MS_REC | MS_SLAVE, NULL) < 0)
		return -errno;
	*step = GUEST_STEP_PROC;
	if (mount("proc", "/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL) < 0)
		return -errno;
	/* Hide first: the log may live under /dev or /run of the host. */
	*step = GUEST_STEP_HIDE;
	for (size_t i = 0; i < cfg->nhide; i++)
		if ((r = hide_path(cfg->hide[i])) < 0)
			return r;
	*step = GUEST_STEP_DEV;
	if ((r = build_dev()) < 0)
		return r;
	*step = GUEST_STEP_RUN;
	if ((r = graft_dir("/run/systemd/journal")) < 0)
		return r;
	*step = GUEST_STEP_SOCKETS;
	mode_t old = umask(0); /* sockets must be writable by every guest uid */
	for (int s = 0; s < GUEST_NSOCK; s++) {
		int type = s == GUEST_SOCK_JSTDOUT ? SOCK_STREAM : SOCK_DGRAM;
		r = bind_socket(guest_sock_path(s), type, &fds[s], &dev[s], &ino[s]);
		if (r < 0) {
			umask(old);
			return r;
		}
	}
	umask(old);
	/*
	 * Seal: the guest's root owns these tmpfs inodes (same kuid as ours),
	 * so only a read-only mount, which it cannot remount without
	 * CAP_SYS_ADMIN in U1, stops it unlinking or replacing the sockets.
	 */
	if ((r = seal_ro("/dev", MS_NOSUID)) < 0 ||
	    (r = seal_ro("/run/systemd/journal", MS_NOSUID | MS_NODEV | MS_NOEXEC)) < 0)
		return r;
	*step = GUEST_STEP_NONE;
	return 0;
}

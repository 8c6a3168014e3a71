/* creds.c - who a trapped thread is, and taking on exactly its file-system credentials. */
#include <errno.h>
#include <fcntl.h>
#include <linux/capability.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/fsuid.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "mac/internal.h"
#include "util/util.h"

#ifndef PIDFD_THREAD
#define PIDFD_THREAD O_EXCL /* Linux 6.9 */
#endif

/* Parse "Key:\tV1\tV2..." of /proc/PID/status: up to @max numbers in @base. */
static int field_nums(const char *status, const char *key, int base, uint64_t *v, int max)
{
	const char *p = strstr(status, key);
	int n = 0;

	if (!p)
		return -1;
	p += strlen(key);
	while (n < max) {
		while (*p == '\t' || *p == ' ')
			p++;
		if (*p < '0' || (*p > '9' && (base != 16 || !((*p >= 'a' && *p <= 'f')))))
			break;
		char *end;
		v[n++] = strtoull(p, &end, base);
		p = end;
	}
	return n;
}

static int read_status(struct mac_broker_state *b, pid_t tid, char *buf, size_t len)
{
	char name[32];

	snprintf(name, sizeof(name), "%d/status", (int)tid);
	cleanup_fd int fd = openat(b->hostproc, name, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	ssize_t n = read(fd, buf, len - 1);
	if (n <= 0)
		return n < 0 ? -errno : -EIO;
	buf[n] = 0;
	return 0;
}

/* Fill @c for thread @tid from /proc (ids as the guest sees them: the broker is in U2). */
static int fill(struct mac_broker_state *b, struct mac_cred *c, pid_t tid)
{
	char st[4096];
	uint64_t v[64];
	int r, n;

	if ((r = read_status(b, tid, st, sizeof(st))) < 0)
		return r;
	memset(c, 0, sizeof(*c));
	c->pidfd = -1;
	c->tid = tid;
	const char *nm = strstr(st, "Name:\t");
	if (nm) {
		nm += 6;
		size_t l = strcspn(nm, "\n");
		memcpy(c->comm, nm, l < sizeof(c->comm) - 1 ? l : sizeof(c->comm) - 1);
	}
	if (field_nums(st, "\nUmask:", 8, v, 1) != 1)
		return -EPROTO;
	c->umask = (mode_t)v[0];
	if (field_nums(st, "\nTgid:", 10, v, 1) != 1)
		return -EPROTO;
	c->tgid = (pid_t)v[0];
	if (field_nums(st, "\nUid:", 10, v, 4) != 4)
		return -EPROTO;
	c->uid = (uint32_t)v[0];
	c->fsuid = (uint32_t)v[3];
	if (field_nums(st, "\nGid:", 10, v, 4) != 4)
		return -EPROTO;
	c->gid = (uint32_t)v[0];
	c->fsgid = (uint32_t)v[3];
	n = field_nums(st, "\nGroups:", 10, v, 64);
	if (n < 0)
		return -EPROTO;
	/* More groups than we can mirror: refuse rather than act with fewer or more. */
	if (n == 64)
		return -E2BIG;
	c->ngroups = (uint32_t)n;
	for (int i = 0; i < n; i++)
		c->groups[i] = (uint32_t)v[i];
	if ((n = field_nums(st, "\nNStgid:", 10, v, 64)) < 1)
		return -EPROTO;
	c->ns_tgid = (pid_t)v[n - 1];
	if ((n = field_nums(st, "\nNSpid:", 10, v, 64)) < 1)
		return -EPROTO;
	c->ns_tid = (pid_t)v[n - 1];
	if (field_nums(st, "\nCapEff:", 16, v, 1) != 1)
		return -EPROTO;
	c->capeff = v[0];
	c->valid = true;
	return 0;
}

static bool alive(const struct mac_cred *c)
{
	return syscall(SYS_pidfd_send_signal, c->pidfd, 0, NULL, 0) == 0;
}

/*
 * The credentials of thread @tid, which waits in a notification.  Cached
 * per thread; the cache is only trusted while a pidfd of that very thread
 * says it is alive (a live thread's tid cannot belong to another), and it
 * is dropped whenever the thread may change its credentials (those calls
 * are trapped: mac_cred_forget).  NULL with errno set on failure.
 */
struct mac_cred *mac_cred_get(struct mac_broker_state *b, pid_t tid)
{
	struct mac_cred *c = &b->cache[(unsigned)tid % MAC_CRED_SLOTS];

	if (c->valid && c->tid == tid && c->pidfd >= 0 && alive(c))
		return c;
	util_closep(&c->pidfd);
	c->valid = false;
	/* The pidfd first: the status read below then describes the thread it pins. */
	int pfd = -1;
	if (b->pidfd_thread)
		pfd = (int)syscall(SYS_pidfd_open, tid, PIDFD_THREAD);
	int r = fill(b, c, tid);
	if (r < 0) {
		if (pfd >= 0)
			close(pfd);
		errno = -r;
		return NULL;
	}
	if (pfd < 0 && c->tgid == tid)
		pfd = (int)syscall(SYS_pidfd_open, tid, 0);
	c->pidfd = pfd;
	return c;
}

void mac_cred_forget(struct mac_broker_state *b, pid_t tid, bool whole_process)
{
	struct mac_cred *c = &b->cache[(unsigned)tid % MAC_CRED_SLOTS];
	pid_t tgid = 0;

	if (c->valid && c->tid == tid) {
		tgid = c->tgid;
		c->valid = false;
		util_closep(&c->pidfd);
	}
	if (!whole_process)
		return;
	if (!tgid) {
		char st[4096];
		uint64_t v;
		if (read_status(b, tid, st, sizeof(st)) == 0 &&
		    field_nums(st, "\nTgid:", 10, &v, 1) == 1)
			tgid = (pid_t)v;
	}
	for (size_t i = 0; i < MAC_CRED_SLOTS; i++) {
		struct mac_cred *x = &b->cache[i];
		/* Unknown process: forget everything rather than keep a stale entry. */
		if (x->valid && (!tgid || x->tgid == tgid)) {
			x->valid = false;
			util_closep(&x->pidfd);
		}
	}
}

static int set_caps(const struct mac_broker_state *b, struct mac_tcred *cur, uint64_t eff)
{
	struct __user_cap_header_struct h = {.version = _LINUX_CAPABILITY_VERSION_3};
	struct __user_cap_data_struct d[2] = {
		{.effective = (uint32_t)eff, .permitted = (uint32_t)b->fullcaps},
		{.effective = (uint32_t)(eff >> 32), .permitted = (uint32_t)(b->fullcaps >> 32)},
	};

	if (syscall(SYS_capset, &h, d) < 0)
		return -errno;
	cur->capeff = eff;
	return 0;
}

/* Every capability the broker holds in U2: needed to read guest memory and /proc. */
int mac_cred_full(struct mac_broker_state *b)
{
	return b->cur.capeff == b->fullcaps ? 0 : set_caps(b, &b->cur, b->fullcaps);
}

/* Only what differs is changed, and in the calling thread alone. */
int mac_tcred_apply(const struct mac_broker_state *b, struct mac_tcred *cur,
		    const struct mac_tcred *want)
{
	int r;
	bool groups = cur->ngroups != want->ngroups ||
		      memcmp(cur->groups, want->groups, want->ngroups * sizeof(want->groups[0]));
	bool ids = groups || cur->fsuid != want->fsuid || cur->fsgid != want->fsgid;

	if (ids) {
		if (cur->capeff != b->fullcaps && (r = set_caps(b, cur, b->fullcaps)) < 0)
			return r;
		gid_t gl[64];
		for (uint32_t i = 0; i < want->ngroups; i++)
			gl[i] = want->groups[i];
		/* The raw call: glibc's setgroups would change every thread. */
		if (groups && syscall(SYS_setgroups, (size_t)want->ngroups, gl) < 0)
			return -errno;
		setfsgid(want->fsgid);
		setfsuid(want->fsuid);
		cur->capeff = ~(uint64_t)0; /* setfsuid may have changed the effective set */
		if ((uint32_t)setfsuid((uid_t)-1) != want->fsuid ||
		    (uint32_t)setfsgid((gid_t)-1) != want->fsgid)
			return -EPERM;
		cur->fsuid = want->fsuid;
		cur->fsgid = want->fsgid;
		cur->ngroups = want->ngroups;
		memcpy(cur->groups, want->groups, sizeof(cur->groups));
	}
	if (cur->capeff != want->capeff && (r = set_caps(b, cur, want->capeff)) < 0)
		return r;
	return 0;
}

/*
 * Take on @c's fsuid, fsgid, supplementary groups, effective capabilities
 * and (for creates) umask, so the kernel checks every access exactly as it
 * would for the guest thread.
 */
int mac_cred_adopt(struct mac_broker_state *b, const struct mac_cred *c, bool with_umask)
{
	struct mac_tcred want = {.fsuid = c->fsuid,
				 .fsgid = c->fsgid,
				 .ngroups = c->ngroups,
				 .capeff = c->capeff & b->fullcaps};
	int r;

	memcpy(want.groups, c->groups, c->ngroups * sizeof(c->groups[0]));
	if ((r = mac_tcred_apply(b, &b->cur, &want)) < 0)
		return r;
	if (with_umask && b->cur_umask != c->umask) {
		umask(c->umask);
		b->cur_umask = c->umask;
	}
	return 0;
}

int mac_cred_init(struct mac_broker_state *b)
{
	char st[4096];
	uint64_t v;

	if (read_status(b, getpid(), st, sizeof(st)) < 0 ||
	    field_nums(st, "\nCapPrm:", 16, &v, 1) != 1)
		return -EPROTO;
	b->fullcaps = v;
	b->cur.capeff = ~(uint64_t)0;
	/*
	 * Start from what the broker holds: unprivileged, U2 forbids
	 * setgroups, and the guest has the broker's groups anyway.
	 */
	struct mac_cred self;
	int r = fill(b, &self, getpid());
	if (r < 0)
		return r;
	b->cur.fsuid = self.fsuid;
	b->cur.fsgid = self.fsgid;
	b->cur.ngroups = self.ngroups;
	memcpy(b->cur.groups, self.groups, sizeof(b->cur.groups));
	b->cur_umask = umask(0);
	umask(b->cur_umask);
	for (size_t i = 0; i < MAC_CRED_SLOTS; i++)
		b->cache[i].pidfd = -1;
	int fd = (int)syscall(SYS_pidfd_open, getpid(), PIDFD_THREAD);
	b->pidfd_thread = fd >= 0;
	if (fd >= 0)
		close(fd);
	return mac_cred_full(b);
}

/* sender.c - per-pid cache of sender identity read through pinned /proc/PID fds. */
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "evlog/evlog.h"
#include "monitor/sender.h"
#include "util/util.h"

#define SLOTS 256u /* two fds each: stays well inside RLIMIT_NOFILE */
#define PROBE 16u

struct slot {
	uint32_t pid; /* 0 = free */
	int dirfd;
	int statusfd;
	int commfd;
	bool have_status;
	uint64_t batch;
	struct monitor_sender info;
};

/* Paths seen for recorded executables (dev, ino): a sender may be gone before its exe is read. */
#define EXES 16u
struct exe_seen {
	uint64_t dev, ino; /* ino 0: free */
	size_t len;
	char path[PATH_MAX];
};

struct monitor_senders {
	struct slot slot[SLOTS];
	struct monitor_sender scratch;
	struct exe_seen exe[EXES];
	unsigned next_exe;
};

int monitor_senders_new(struct monitor_senders **out)
{
	struct monitor_senders *s = calloc(1, sizeof(*s));
	if (!s)
		return -ENOMEM;
	for (unsigned i = 0; i < SLOTS; i++)
		s->slot[i].dirfd = s->slot[i].statusfd = s->slot[i].commfd = -1;
	*out = s;
	return 0;
}

static void slot_clear(struct slot *sl)
{
	util_closep(&sl->dirfd);
	util_closep(&sl->statusfd);
	util_closep(&sl->commfd);
	sl->dirfd = sl->statusfd = sl->commfd = -1;
	sl->have_status = false;
	sl->pid = 0;
	sl->batch = 0;
}

void monitor_senders_free(struct monitor_senders *s)
{
	if (!s)
		return;
	for (unsigned i = 0; i < SLOTS; i++)
		slot_clear(&s->slot[i]);
	free(s);
}

/* Value of "Key:\t..." in a /proc status text, or NULL. */
static const char *status_field(const char *text, const char *key)
{
	size_t kl = strlen(key);
	for (const char *p = text; p && *p; p = strchr(p, '\n'), p = p ? p + 1 : NULL)
		if (!strncmp(p, key, kl) && p[kl] == ':')
			return p + kl + 1;
	return NULL;
}

static int parse_status(struct monitor_sender *m, const char *text)
{
	const char *v;
	unsigned long a, b;

	if (!(v = status_field(text, "Uid")) || sscanf(v, "%lu", &a) != 1)
		return -EBADMSG;
	m->host_uid = (uint32_t)a;
	if (!(v = status_field(text, "Gid")) || sscanf(v, "%lu", &a) != 1)
		return -EBADMSG;
	m->host_gid = (uint32_t)a;
	/* NSpid lists the pid from our namespace inward; the guest's is next. */
	if ((v = status_field(text, "NSpid")) && sscanf(v, "%lu %lu", &a, &b) == 2)
		m->guest_pid = (uint32_t)b;
	return 0;
}

static int open_proc(struct slot *sl)
{
	char path[32];

	snprintf(path, sizeof(path), "/proc/%u", sl->pid);
	sl->dirfd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (sl->dirfd < 0)
		return -errno;
	sl->statusfd = openat(sl->dirfd, "status", O_RDONLY | O_CLOEXEC);
	sl->commfd = openat(sl->dirfd, "comm", O_RDONLY | O_CLOEXEC);
	if (sl->statusfd < 0 || sl->commfd < 0)
		return -errno;
	return 0;
}

/*
 * Re-read the sender.  /proc/PID/status is costly to generate, so it is
 * read the first time and again only when the kernel-reported ids of this
 * batch differ from the true ids last seen (the process changed identity,
 * or claims one it does not have).  comm and exe are cheap and read every
 * batch: they change at execve or prctl.
 */
static int refresh(struct slot *sl, uint32_t claimed_uid, uint32_t claimed_gid)
{
	char buf[4096];
	ssize_t n;
	int r;

	if (sl->dirfd < 0 && (r = open_proc(sl)) < 0)
		return r;
	if (!sl->have_status || claimed_uid != sl->info.host_uid ||
	    claimed_gid != sl->info.host_gid) {
		n = pread(sl->statusfd, buf, sizeof(buf) - 1, 0);
		if (n <= 0)
			return n < 0 ? -errno : -ESRCH;
		buf[n] = 0;
		if ((r = parse_status(&sl->info, buf)) < 0)
			return r;
		sl->have_status = true;
	}
	n = pread(sl->commfd, sl->info.comm, sizeof(sl->info.comm), 0);
	if (n <= 0)
		return n < 0 ? -errno : -ESRCH;
	sl->info.comm_len = (size_t)n - (sl->info.comm[n - 1] == '\n');
	n = readlinkat(sl->dirfd, "exe", sl->info.exe, sizeof(sl->info.exe));
	if (n < 0 || (size_t)n >= sizeof(sl->info.exe)) {
		/* A zombie has no exe: it exited after sending. */
		sl->info.exe_len = 0;
		sl->info.flags |= EVLOG_SENDER_NO_EXE;
	} else {
		sl->info.exe_len = (size_t)n;
		sl->info.flags &= ~EVLOG_SENDER_NO_EXE;
	}
	return 0;
}

/* The slot of @pid, taken over from another pid if need be (its /proc fds are then closed). */
static struct slot *slot_of(struct monitor_senders *s, uint32_t pid)
{
	unsigned h = (pid * 2654435761u) % SLOTS;
	struct slot *sl = NULL;

	for (unsigned i = 0; i < PROBE; i++) {
		struct slot *c = &s->slot[(h + i) % SLOTS];
		if (c->pid == pid) {
			sl = c;
			break;
		}
		if (!sl && c->pid == 0)
			sl = c;
	}
	if (!sl)
		sl = &s->slot[h]; /* table crowded: evict */
	if (sl->pid != pid) {
		slot_clear(sl);
		sl->pid = pid;
		memset(&sl->info, 0, sizeof(sl->info));
		sl->info.host_pid = pid;
	}
	return sl;
}

const struct monitor_sender *monitor_senders_get(struct monitor_senders *s, uint32_t pid,
						 uint32_t claimed_uid, uint32_t claimed_gid,
						 uint64_t batch)
{
	struct slot *sl = slot_of(s, pid);

	if (sl->batch == batch && batch != 0 && claimed_uid == sl->info.host_uid &&
	    claimed_gid == sl->info.host_gid)
		return &sl->info;
	int r = refresh(sl, claimed_uid, claimed_gid);
	if (r < 0 && sl->batch != 0) {
		/* The cached process is gone; the pid may name a newer one. */
		slot_clear(sl);
		sl->pid = pid;
		r = refresh(sl, claimed_uid, claimed_gid);
	}
	if (r < 0) {
		/*
		 * Gone: report it as exited, keeping what an earlier batch
		 * saw (the pinned fd guarantees that was this process).
		 */
		s->scratch = sl->info;
		s->scratch.flags |=
			EVLOG_SENDER_EXITED | (sl->info.exe_len ? 0 : EVLOG_SENDER_NO_EXE);
		slot_clear(sl);
		return &s->scratch;
	}
	sl->batch = batch;
	return &sl->info;
}

static void remember_exe(struct monitor_senders *s, const struct monitor_sent *k,
			 const struct monitor_sender *m)
{
	struct exe_seen *e = &s->exe[s->next_exe++ % EXES];

	e->dev = k->exe_dev;
	e->ino = k->exe_ino;
	e->len = m->exe_len;
	memcpy(e->path, m->exe, m->exe_len);
}

static bool is_exe(int dirfd, uint64_t dev, uint64_t ino)
{
	struct stat st;

	return fstatat(dirfd, "exe", &st, 0) == 0 && st.st_dev == dev && st.st_ino == ino;
}

const struct monitor_sender *monitor_senders_sent(struct monitor_senders *s,
						  const struct monitor_sent *k)
{
	struct monitor_sender *m = &s->scratch;

	memset(m, 0, sizeof(*m));
	m->host_pid = k->host_pid;
	m->guest_pid = k->guest_pid;
	m->host_uid = k->host_uid;
	m->host_gid = k->host_gid;
	m->flags = EVLOG_SENDER_AT_SEND | EVLOG_SENDER_NO_EXE;
	m->comm_len = strnlen(k->comm, sizeof(k->comm));
	memcpy(m->comm, k->comm, m->comm_len);
	if (!k->exe_ino)
		return m;
	/* Seen before (the process may be gone by now): the path it was read at. */
	for (unsigned i = 0; i < EXES; i++) {
		const struct exe_seen *e = &s->exe[i];
		if (e->ino && e->ino == k->exe_ino && e->dev == k->exe_dev) {
			memcpy(m->exe, e->path, e->len);
			m->exe_len = e->len;
			m->flags &= ~EVLOG_SENDER_NO_EXE;
			return m;
		}
	}
	struct slot *sl = slot_of(s, k->host_pid);
	if (sl->dirfd < 0 && open_proc(sl) < 0)
		return m;
	if (!is_exe(sl->dirfd, k->exe_dev, k->exe_ino)) {
		/* The pinned process may be an earlier holder of the pid: look once more. */
		slot_clear(sl);
		sl->pid = k->host_pid;
		if (open_proc(sl) < 0)
			return m;
	}
	if (is_exe(sl->dirfd, k->exe_dev, k->exe_ino)) {
		ssize_t n = readlinkat(sl->dirfd, "exe", m->exe, sizeof(m->exe));
		if (n > 0 && (size_t)n < sizeof(m->exe) &&
		    is_exe(sl->dirfd, k->exe_dev, k->exe_ino)) {
			m->exe_len = (size_t)n;
			m->flags &= ~EVLOG_SENDER_NO_EXE;
			remember_exe(s, k, m);
		}
	}
	return m;
}

/* guest.h - launch a command as a lightweight VM: nested user, pid, mount, ipc and uts namespaces. */
#ifndef VMMSEC_GUEST_H
#define VMMSEC_GUEST_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

/*
 * Namespace layout (docs/DESIGN.md):
 *
 *   host ── U1 (user ns, maps the guest range onto unprivileged host ids)
 *             ├─ P  (pid ns, owned by U1)   ├─ M (mount ns, owned by U1)
 *             └─ U2 (user ns, identity map of U1) ── the guest command
 *
 * The guest's init (pid 1) lives in U1 and builds the guest's view; the
 * command runs in U2.  Guest root holds capabilities in U2 only, so it can
 * neither change M's mounts nor claim another pid in SCM_CREDENTIALS
 * (both need CAP_SYS_ADMIN in U1).
 */

/* The syslog sockets the monitor owns inside the guest. */
enum guest_sock {
	GUEST_SOCK_DEVLOG = 0, /* /dev/log */
	GUEST_SOCK_JDEVLOG,    /* /run/systemd/journal/dev-log */
	GUEST_SOCK_JSOCKET,    /* /run/systemd/journal/socket */
	GUEST_SOCK_JSTDOUT,    /* /run/systemd/journal/stdout (stream) */
	GUEST_NSOCK,
};

/* Guest-visible path of each socket. */
const char *guest_sock_path(enum guest_sock s);

struct policy;

struct guest_config {
	char *const *argv; /* command; argv[0] searched in the guest's PATH */
	uid_t uid;	   /* command's uid as the guest sees it */
	gid_t gid;
	const char *const *hide; /* absolute host paths the guest must not see */
	size_t nhide;
	bool mac;	 /* trap file operations for the MAC broker (--policy) */
	bool side_doors; /* without mac: close its side doors only (--backend lsm) */
	/*
	 * The parsed access file, read in the command before it execs (init is
	 * cloned from the monitor, so it has it in memory), and whether to
	 * restrict the command with its Landlock wall (src/lsm/).
	 */
	const struct policy *policy;
	bool landlock;
	bool hold; /* the command waits for guest_hold_release before its exec */
};

/* Identity mapping from the guest's ids to the host's (one extent). */
struct guest_idmap {
	uint32_t guest_first;
	uint32_t host_first;
	uint32_t count;
};

struct guest {
	pid_t init_pid;		     /* host pid of the guest's init */
	int init_pidfd;		     /* pidfd of init, or -1 */
	int ctl_fd;		     /* SOCK_SEQPACKET to init: exit status, errors */
	int listener_fd;	     /* seccomp user-notification fd */
	int sock_fd[GUEST_NSOCK];    /* receiving ends the monitor owns */
	dev_t sock_dev[GUEST_NSOCK]; /* their inodes as the guest sees them */
	ino_t sock_ino[GUEST_NSOCK];
	pid_t cmd_host_pid;  /* host pid of the command */
	pid_t cmd_guest_pid; /* its pid inside the guest */
	struct guest_idmap uidmap, gidmap;
	bool privileged; /* launched by real root: a 65536-id range */
	int hold_fd;	 /* with cfg->hold: write end of the command's gate, or -1 */
};

/* Messages from init to the monitor (SOCK_SEQPACKET, fds as SCM_RIGHTS). */
enum guest_msg_type {
	GUEST_MSG_SOCKETS = 1,	/* GUEST_NSOCK fds, dev/ino in the body */
	GUEST_MSG_STARTED,	/* value: command's guest pid; fd: seccomp listener */
	GUEST_MSG_EXEC_FAILED,	/* value: errno of execve */
	GUEST_MSG_EXITED,	/* value: wait status of the command */
	GUEST_MSG_SETUP_FAILED, /* value: errno; step: which step */
};

struct guest_msg {
	uint32_t type; /* enum guest_msg_type */
	int32_t value;
	uint32_t step; /* enum guest_step, for GUEST_MSG_SETUP_FAILED */
	uint32_t pad;
	uint64_t dev[GUEST_NSOCK];
	uint64_t ino[GUEST_NSOCK];
};
_Static_assert(sizeof(struct guest_msg) == 16 + 16 * GUEST_NSOCK, "guest_msg layout");

/* Setup steps, named in error messages. */
enum guest_step {
	GUEST_STEP_NONE = 0,
	GUEST_STEP_CLONE,
	GUEST_STEP_IDMAP,
	GUEST_STEP_MOUNT_PRIVATE,
	GUEST_STEP_PROC,
	GUEST_STEP_DEV,
	GUEST_STEP_RUN,
	GUEST_STEP_SOCKETS,
	GUEST_STEP_HIDE,
	GUEST_STEP_FORK,
	GUEST_STEP_USERNS,
	GUEST_STEP_IDENTITY,
	GUEST_STEP_SECCOMP,
	GUEST_STEP_PROTOCOL,
	GUEST_STEP_LANDLOCK,
	GUEST_STEP_MAX,
};

/*
 * guest_launch - create the namespaces, build the guest's view, start the
 * command under the seccomp filter of monitor_filter_install() and hand the
 * monitor its sockets and the filter's listener.  The command may still fail
 * to exec: that arrives later on ctl_fd as GUEST_MSG_EXEC_FAILED.
 * Returns 0 or -errno; *step is set to the failed enum guest_step.
 */
int guest_launch(const struct guest_config *cfg, struct guest *g, uint32_t *step);

/*
 * guest_recv_msg - receive one message from init with up to @maxfds fds.
 * Returns 1, 0 on EOF, -EBADMSG for a malformed message, or -errno.
 */
int guest_recv_msg(int ctl_fd, struct guest_msg *m, int *fds, size_t maxfds, size_t *nfds);
/* guest_send_msg - send @m with @nfds fds.  Returns 0 or -errno. */
int guest_send_msg(int ctl_fd, const struct guest_msg *m, const int *fds, size_t nfds);

/*
 * guest_hold_release - let a command launched with cfg->hold exec (once
 * the enforcement that must see its first exec is in place).  0 or -errno.
 * guest_release without it makes the command exit with 125 instead.
 */
int guest_hold_release(struct guest *g);

/* Map a host id to the guest's view; returns 65534 (overflow id) if unmapped. */
uint32_t guest_idmap_to_guest(const struct guest_idmap *m, uint32_t host_id);

/*
 * guest_probe - check, by trying them, the kernel features a guest needs:
 * user namespaces, seccomp user notification, pidfd_open, pidfd_getfd and
 * openat2.  Returns 0, or -errno with *what naming the missing piece and
 * *hint saying how to get it (static strings).
 */
int guest_probe(const char **what, const char **hint);

/* Close every fd of @g.  Safe to call twice. */
void guest_release(struct guest *g);

/* Human description of a setup step code (for messages). */
const char *guest_step_name(uint32_t step);

#endif

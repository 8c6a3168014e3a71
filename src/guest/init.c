/* init.c - the guest's pid 1: builds the view, starts the command in its own user namespace, reaps, reports. */
#include <fcntl.h>
#include <grp.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#include "guest/internal.h"
#include "lsm/lsm.h"
#include "monitor/filter.h"
#include "util/util.h"

static volatile sig_atomic_t forward_sig;

static void on_forward(int sig)
{
	forward_sig = sig;
}

__attribute__((noreturn)) static void fail(int ctl_fd, uint32_t step, int err)
{
	struct guest_msg m = {
		.type = GUEST_MSG_SETUP_FAILED, .value = err < 0 ? -err : err, .step = step};
	guest_send_msg(ctl_fd, &m, NULL, 0);
	_exit(125);
}

static int write_file(const char *path, const char *text)
{
	cleanup_fd int fd = open(path, O_WRONLY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0)
		return -errno;
	return util_write_all(fd, text, strlen(text));
}

/*
 * U2 maps the guest's ids onto U1: identity over the whole range for a
 * privileged launch; for an unprivileged one, U1 has the single id 0 and U2
 * shows it as the requested uid/gid.
 */
static int write_inner_maps(pid_t child, const struct guest_config *cfg, bool privileged)
{
	char path[64], map[64];
	int r;

	if (privileged) {
		snprintf(map, sizeof(map), "0 0 65536\n");
	} else {
		snprintf(map, sizeof(map), "%u 0 1\n", (unsigned)cfg->uid);
	}
	snprintf(path, sizeof(path), "/proc/%d/uid_map", (int)child);
	if ((r = write_file(path, map)) < 0)
		return r;
	if (!privileged)
		snprintf(map, sizeof(map), "%u 0 1\n", (unsigned)cfg->gid);
	snprintf(path, sizeof(path), "/proc/%d/gid_map", (int)child);
	return write_file(path, map);
}

/*
 * Restrict ourselves with the access file's Landlock wall, resolving its
 * paths from the guest's root as we are now (guest root, or unprivileged,
 * the command's single id): as the broker binds them.  The monitor found
 * the wall expressible on this kernel, so no ruleset is a failure too.
 */
static int apply_landlock(const struct policy *p)
{
	int rs = -1, r;

	cleanup_fd int root = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (root < 0)
		return -errno;
	if ((r = lsm_landlock_build(p, root, NULL, 0, &rs, NULL)) < 0)
		return r;
	if (rs < 0)
		return -EOPNOTSUPP;
	r = lsm_landlock_apply(rs);
	close(rs);
	return r;
}

/* The command: own user ns (U2), identity, Landlock wall, seccomp filter, exec. */
__attribute__((noreturn)) static void run_command(const struct guest_config *cfg, int ctl_fd,
						  int sync_rd, int sync_wr, int hold_fd,
						  bool privileged)
{
	char c;
	int listener = -1;
	int r;

	if (unshare(CLONE_NEWUSER) < 0)
		fail(ctl_fd, GUEST_STEP_USERNS, errno);
	/*
	 * init's identity change made us non-dumpable, which leaves our /proc
	 * files to the host's root and keeps init from writing our maps.  We
	 * would become dumpable at exec anyway; init itself stays non-dumpable.
	 */
	if (prctl(PR_SET_DUMPABLE, 1) < 0)
		fail(ctl_fd, GUEST_STEP_USERNS, errno);
	/* Tell init to write our maps, then wait for it. */
	if (write(sync_wr, "u", 1) != 1 || read(sync_rd, &c, 1) != 1 || c != 'm')
		fail(ctl_fd, GUEST_STEP_IDMAP, EPROTO);
	close(sync_rd);
	close(sync_wr);
	/* Unprivileged, the single mapped id is already cfg->uid/gid. */
	if (privileged &&
	    (setresgid(0, 0, 0) < 0 || setresuid(0, 0, 0) < 0 || setgroups(0, NULL) < 0))
		fail(ctl_fd, GUEST_STEP_IDENTITY, errno);
	/* Before the filter, which would hand our opens to a broker not started yet. */
	if (cfg->landlock && (r = apply_landlock(cfg->policy)) < 0)
		fail(ctl_fd, GUEST_STEP_LANDLOCK, r);
	if (privileged && (setresgid(cfg->gid, cfg->gid, cfg->gid) < 0 ||
			   setresuid(cfg->uid, cfg->uid, cfg->uid) < 0))
		fail(ctl_fd, GUEST_STEP_IDENTITY, errno);
	/* The uid change made us non-dumpable again: the monitor must read our memory. */
	if (prctl(PR_SET_DUMPABLE, 1) < 0)
		fail(ctl_fd, GUEST_STEP_IDENTITY, errno);
	/*
	 * Install the filter as the guest's identity (with a policy, identity
	 * changes are trapped, and nobody serves the listener yet);
	 * no_new_privs is set too, so nothing the guest execs can gain
	 * privilege beyond what it has.
	 */
	if ((r = monitor_filter_install(&listener, cfg->mac, cfg->side_doors)) < 0)
		fail(ctl_fd, GUEST_STEP_SECCOMP, r);
	struct guest_msg m = {.type = GUEST_MSG_STARTED, .value = (int32_t)getpid()};
	if (guest_send_msg(ctl_fd, &m, &listener, 1) < 0)
		_exit(125);
	close(listener);
	/* Held: the monitor lets us go once what must see our exec is in place (EOF: it gave up). */
	if (hold_fd >= 0 && (read(hold_fd, &c, 1) != 1 || c != 'g'))
		_exit(125);
	if (hold_fd >= 0)
		close(hold_fd);
	execvp(cfg->argv[0], cfg->argv);
	int err = errno;
	m = (struct guest_msg){.type = GUEST_MSG_EXEC_FAILED, .value = err};
	guest_send_msg(ctl_fd, &m, NULL, 0);
	_exit(err == ENOENT ? 127 : 126);
}

static void reset_signals(void)
{
	sigset_t all;
	sigemptyset(&all);
	sigprocmask(SIG_SETMASK, &all, NULL);
	for (int s = 1; s < NSIG; s++)
		signal(s, SIG_DFL);
}

void guest_init_main(const struct guest_config *cfg, int ctl_fd, int hold_fd)
{
	int fds[GUEST_NSOCK];
	struct guest_msg m = {.type = GUEST_MSG_SOCKETS};
	uint32_t step = 0;
	int sync_a[2], sync_b[2];
	char c;
	int r;

	/* If the monitor dies, pid 1 dies, and the kernel kills the whole guest. */
	if (prctl(PR_SET_PDEATHSIG, SIGKILL) < 0)
		_exit(125);
	prctl(PR_SET_NAME, "vmmsec-init");
	/* Wait for the monitor to write U1's maps (EOF: it died first). */
	if (read(ctl_fd, &c, 1) != 1 || (c != 'P' && c != 'U'))
		_exit(125);
	bool privileged = c == 'P';
	if (setresgid(0, 0, 0) < 0 || setresuid(0, 0, 0) < 0)
		fail(ctl_fd, GUEST_STEP_IDMAP, errno);
	if ((r = guest_view_build(cfg, fds, m.dev, m.ino, &step)) < 0)
		fail(ctl_fd, step, r);
	if (guest_send_msg(ctl_fd, &m, fds, GUEST_NSOCK) < 0)
		_exit(125);
	for (int i = 0; i < GUEST_NSOCK; i++)
		close(fds[i]);
	/* The guest gets its own process group: kill(0, ...) cannot reach the monitor. */
	setpgid(0, 0);
	if (pipe2(sync_a, O_CLOEXEC) < 0 || pipe2(sync_b, O_CLOEXEC) < 0)
		fail(ctl_fd, GUEST_STEP_FORK, errno);
	pid_t child = fork();
	if (child < 0)
		fail(ctl_fd, GUEST_STEP_FORK, errno);
	if (child == 0) {
		reset_signals();
		close(sync_a[0]);
		close(sync_b[1]);
		run_command(cfg, ctl_fd, sync_b[0], sync_a[1], hold_fd, privileged);
	}
	if (hold_fd >= 0)
		close(hold_fd);
	close(sync_a[1]);
	close(sync_b[0]);
	if (read(sync_a[0], &c, 1) != 1 || c != 'u') {
		int st;
		waitpid(child, &st, 0);
		_exit(125); /* the child reported why */
	}
	if ((r = write_inner_maps(child, cfg, privileged)) < 0)
		fail(ctl_fd, GUEST_STEP_IDMAP, r);
	if (write(sync_b[1], "m", 1) != 1)
		fail(ctl_fd, GUEST_STEP_IDMAP, errno);
	close(sync_a[0]);
	close(sync_b[1]);

	/* pid 1 ignores signals without handlers: forward the ones users send. */
	struct sigaction sa = {.sa_handler = on_forward};
	int fwd[] = {SIGTERM, SIGINT, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2};
	for (size_t i = 0; i < VMM_ARRAY_SIZE(fwd); i++)
		sigaction(fwd[i], &sa, NULL);
	for (;;) {
		int st;
		if (forward_sig) {
			kill(child, forward_sig);
			forward_sig = 0;
		}
		pid_t p = waitpid(-1, &st, 0);
		if (p < 0 && errno == EINTR) {
			if (forward_sig)
				kill(child, forward_sig);
			forward_sig = 0;
			continue;
		}
		if (p < 0)
			_exit(125);
		if (p == child) {
			m = (struct guest_msg){.type = GUEST_MSG_EXITED, .value = st};
			guest_send_msg(ctl_fd, &m, NULL, 0);
			/* Exiting pid 1 kills every process left in the guest. */
			_exit(0);
		}
	}
}

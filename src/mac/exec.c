/* exec.c - an allowed exec resolves its path again in the kernel: the broker holds the guest still until it has. */
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/ptrace.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "mac/internal.h"
#include "util/util.h"

/*
 * The broker decides an exec on the object its path names; then the kernel
 * resolves the path (and the interpreter's) again, because exec is the one
 * call the broker cannot make for the guest (seccomp's CONTINUE).  In
 * between, another guest process could rename a different file onto that
 * name.  But every call that changes a name is trapped and made by this
 * broker, one request at a time, so it only has to serve nothing else until
 * the kernel is done with the exec's paths:
 *
 *  1. attach to the caller (PTRACE_SEIZE; the guest itself may not use
 *     ptrace, so nobody else traces it), asking for the exec event;
 *  2. have the monitor continue the call, and wait for its word that it has;
 *  3. interrupt the caller (PTRACE_INTERRUPT), so that a failed exec stops
 *     it on its way back to user space;
 *  4. wait for its first stop: the exec event (past the point of no return,
 *     before the new program's first instruction), the interrupt after a
 *     failed exec, or a signal; then detach, passing any signal on.
 *
 * The other ways to change what a path means are closed by the filter:
 * mounts, chroot, and a cwd or fd table shared with another process
 * (monitor/filter.c); a path through another process's /proc magic link is
 * refused (fsop.c).  As a last check, a native ELF program must be the file
 * decided on, or the caller is killed at the exec event.
 */

#ifndef PTRACE_EVENT_STOP
#define PTRACE_EVENT_STOP 128
#endif

#if defined(__x86_64__)
#define NATIVE_CLASS ELFCLASS64
#define NATIVE_MACHINE EM_X86_64
#elif defined(__aarch64__)
#define NATIVE_CLASS ELFCLASS64
#define NATIVE_MACHINE EM_AARCH64
#endif

/* Does @pin hold a program the kernel runs itself (no interpreter of binfmt_misc)? */
static bool native_elf(const struct mac_req *r, int pin)
{
#ifdef NATIVE_MACHINE
	char p[32];
	Elf64_Ehdr eh;

	snprintf(p, sizeof(p), "%d", pin);
	cleanup_fd int fd = openat(r->b->selffd, p, O_RDONLY | O_CLOEXEC);
	if (fd < 0 || pread(fd, &eh, sizeof(eh), 0) != (ssize_t)sizeof(eh))
		return false;
	return !memcmp(eh.e_ident, ELFMAG, SELFMAG) && eh.e_ident[EI_CLASS] == NATIVE_CLASS &&
	       eh.e_machine == NATIVE_MACHINE;
#else
	(void)r, (void)pin;
	return false;
#endif
}

int mac_exec_probe(void)
{
	char buf[8] = "";
	cleanup_fd int fd = open("/proc/sys/kernel/yama/ptrace_scope", O_RDONLY | O_CLOEXEC);

	if (fd >= 0 && read(fd, buf, sizeof(buf) - 1) > 0 && buf[0] == '3')
		return -EPERM;
	return 0;
}

/* Wait for the traced caller's first stop, or its end; 1 for the exec event, 0 otherwise. */
static int await_stop(pid_t tid, int *sig)
{
	int st;

	*sig = 0;
	for (;;) {
		pid_t p = waitpid(tid, &st, __WALL);
		if (p < 0 && errno == EINTR)
			continue;
		if (p < 0)
			return -errno; /* ECHILD: gone, and no longer ours */
		if (!WIFSTOPPED(st))
			return -ESRCH; /* it died, and its parent has been told */
		int ev = st >> 16;
		if (ev == PTRACE_EVENT_EXEC)
			return 1;
		if (ev == 0)
			*sig = WSTOPSIG(st); /* a signal on its way: deliver it on detach */
		return 0;		     /* PTRACE_EVENT_STOP: the interrupt, or a group stop */
	}
}

int mac_exec_unchecked(const struct mac_req *r, const char *path, int pin, const struct stat *st,
		       const char *why)
{
	struct policy_verdict v = {.allow = false, .failed = POLICY_R};

	snprintf(v.reason, sizeof(v.reason), "exec not checkable: %s", why);
	mac_req_record(r, path, pin, NULL, st, POLICY_R, &v);
	return -EACCES;
}

int mac_exec_continue(const struct mac_req *r, const char *path, int pin, const struct stat *st)
{
	pid_t tid = (pid_t)r->n->pid;

	if (ptrace(PTRACE_SEIZE, tid, 0, PTRACE_O_TRACEEXEC | PTRACE_O_EXITKILL) < 0) {
		char why[96];
		snprintf(why, sizeof(why), "cannot hold the guest still (ptrace: %s)",
			 strerror(errno));
		if (!mac_req_valid(r))
			return -ENOENT; /* it died meanwhile: nobody waits for the answer */
		return mac_exec_unchecked(r, path, pin, st, why);
	}
	mac_req_forward_continued(r);
	/*
	 * ESRCH: it is dead already; waitpid says so.  Any other failure
	 * would leave a failed exec without a stop to wait for, and the guest
	 * stalled: fail closed, end the caller instead.
	 */
	if (ptrace(PTRACE_INTERRUPT, tid, 0, 0) < 0 && errno != ESRCH)
		kill(tid, SIGKILL);
	int sig, ev = await_stop(tid, &sig);
	if (ev < 0)
		return 0;
	struct stat now;
	char exe[32];
	snprintf(exe, sizeof(exe), "%d/exe", (int)tid);
	if (ev == 1 &&
	    (fstatat(r->b->hostproc, exe, &now, 0) < 0 || now.st_dev != st->st_dev ||
	     now.st_ino != st->st_ino) &&
	    native_elf(r, pin)) {
		/* Not the file decided on: it must not run one instruction. */
		kill(tid, SIGKILL);
		mac_exec_unchecked(r, path, pin, st,
				   "another file was run than was decided on; killed");
	}
	ptrace(PTRACE_DETACH, tid, 0, sig);
	return 0;
}

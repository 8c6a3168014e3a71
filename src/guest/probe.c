/* probe.c - find out at run time whether this kernel has what the guest and monitor need. */
#include <fcntl.h>
#include <linux/openat2.h>
#include <linux/seccomp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "guest/guest.h"
#include "util/util.h"

/* Probes, in the order a missing feature would first bite. */
static int probe_userns(void)
{
	char buf[32] = "";
	cleanup_fd int fd = open("/proc/sys/user/max_user_namespaces", O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return errno == ENOENT ? -ENOSYS : 0; /* no such knob: let clone decide */
	ssize_t n = read(fd, buf, sizeof(buf) - 1);
	if (n > 0 && strtol(buf, NULL, 10) == 0)
		return -EPERM;
	return 0;
}

static int probe_seccomp_notify(void)
{
	struct seccomp_notif_sizes sz;
	if (syscall(SYS_seccomp, SECCOMP_GET_NOTIF_SIZES, 0, &sz) < 0)
		return -errno;
	return 0;
}

/* A syscall the kernel does not have answers ENOSYS; any other error means it exists. */
static int exists(long r)
{
	return r < 0 && errno == ENOSYS ? -ENOSYS : 0;
}

int guest_probe(const char **what, const char **hint)
{
	struct open_how how = {.flags = O_PATH | O_CLOEXEC};

	*hint = NULL;
	if (probe_userns() < 0) {
		*what = "user namespaces (user.max_user_namespaces is 0)";
		*hint = "enable them: sysctl -w user.max_user_namespaces=15000";
		return -EPERM;
	}
	if (probe_seccomp_notify() < 0) {
		*what = "seccomp user notification";
		*hint = "vmmsec needs Linux 5.0+ built with CONFIG_SECCOMP_FILTER=y";
		return -ENOSYS;
	}
	if (exists(syscall(SYS_pidfd_open, -1, 0)) < 0) {
		*what = "pidfd_open(2)";
		*hint = "vmmsec needs Linux 5.6 or newer";
		return -ENOSYS;
	}
	if (exists(syscall(SYS_pidfd_getfd, -1, -1, 0)) < 0) {
		*what = "pidfd_getfd(2)";
		*hint = "vmmsec needs Linux 5.6 or newer";
		return -ENOSYS;
	}
	long fd = syscall(SYS_openat2, AT_FDCWD, "/", &how, sizeof(how));
	if (fd >= 0)
		close((int)fd);
	else if (errno == ENOSYS) {
		*what = "openat2(2)";
		*hint = "vmmsec needs Linux 5.6 or newer";
		return -ENOSYS;
	}
	*what = NULL;
	return 0;
}

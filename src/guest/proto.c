/* proto.c - the typed message channel between the guest's init and the monitor. */
#include <string.h>
#include <sys/socket.h>

#include "guest/guest.h"
#include "util/util.h"

static const char *const sock_paths[GUEST_NSOCK] = {
	[GUEST_SOCK_DEVLOG] = "/dev/log",
	[GUEST_SOCK_JDEVLOG] = "/run/systemd/journal/dev-log",
	[GUEST_SOCK_JSOCKET] = "/run/systemd/journal/socket",
	[GUEST_SOCK_JSTDOUT] = "/run/systemd/journal/stdout",
};

const char *guest_sock_path(enum guest_sock s)
{
	return (unsigned)s < GUEST_NSOCK ? sock_paths[s] : NULL;
}

static const char *const step_names[GUEST_STEP_MAX] = {
	[GUEST_STEP_NONE] = "start the guest",
	[GUEST_STEP_CLONE] = "create namespaces",
	[GUEST_STEP_IDMAP] = "write the guest's uid/gid map",
	[GUEST_STEP_MOUNT_PRIVATE] = "make the guest's mounts private",
	[GUEST_STEP_PROC] = "mount the guest's /proc",
	[GUEST_STEP_DEV] = "build the guest's /dev",
	[GUEST_STEP_RUN] = "build the guest's /run/systemd/journal",
	[GUEST_STEP_SOCKETS] = "bind the guest's syslog sockets",
	[GUEST_STEP_HIDE] = "hide the evidence log from the guest",
	[GUEST_STEP_FORK] = "start the guest command",
	[GUEST_STEP_USERNS] = "create the guest's inner user namespace",
	[GUEST_STEP_IDENTITY] = "set the guest command's uid/gid",
	[GUEST_STEP_SECCOMP] = "install the seccomp filter",
	[GUEST_STEP_PROTOCOL] = "talk to the guest's init",
	[GUEST_STEP_LANDLOCK] = "restrict the guest command with the policy's Landlock wall",
};

const char *guest_step_name(uint32_t step)
{
	return step < GUEST_STEP_MAX && step_names[step] ? step_names[step] : "start the guest";
}

uint32_t guest_idmap_to_guest(const struct guest_idmap *m, uint32_t host_id)
{
	if (host_id >= m->host_first && host_id - m->host_first < m->count)
		return m->guest_first + (host_id - m->host_first);
	return 65534;
}

int guest_send_msg(int ctl_fd, const struct guest_msg *m, const int *fds, size_t nfds)
{
	union {
		char buf[CMSG_SPACE(sizeof(int) * GUEST_NSOCK)];
		struct cmsghdr align;
	} u;
	struct iovec iov = {.iov_base = (void *)m, .iov_len = sizeof(*m)};
	struct msghdr mh = {.msg_iov = &iov, .msg_iovlen = 1};

	if (nfds > GUEST_NSOCK)
		return -EINVAL;
	if (nfds > 0) {
		memset(&u, 0, sizeof(u));
		mh.msg_control = u.buf;
		mh.msg_controllen = CMSG_SPACE(sizeof(int) * nfds);
		struct cmsghdr *c = CMSG_FIRSTHDR(&mh);
		c->cmsg_level = SOL_SOCKET;
		c->cmsg_type = SCM_RIGHTS;
		c->cmsg_len = CMSG_LEN(sizeof(int) * nfds);
		memcpy(CMSG_DATA(c), fds, sizeof(int) * nfds);
	}
	if (RETRY_EINTR(sendmsg(ctl_fd, &mh, MSG_NOSIGNAL)) != (long)sizeof(*m))
		return errno ? -errno : -EIO;
	return 0;
}

int guest_recv_msg(int ctl_fd, struct guest_msg *m, int *fds, size_t maxfds, size_t *nfds)
{
	union {
		char buf[CMSG_SPACE(sizeof(int) * GUEST_NSOCK)];
		struct cmsghdr align;
	} u;
	struct iovec iov = {.iov_base = m, .iov_len = sizeof(*m)};
	struct msghdr mh = {.msg_iov = &iov,
			    .msg_iovlen = 1,
			    .msg_control = u.buf,
			    .msg_controllen = sizeof(u.buf)};
	size_t got = 0;

	*nfds = 0;
	long n = RETRY_EINTR(recvmsg(ctl_fd, &mh, MSG_CMSG_CLOEXEC));
	if (n < 0)
		return -errno;
	for (struct cmsghdr *c = CMSG_FIRSTHDR(&mh); c; c = CMSG_NXTHDR(&mh, c)) {
		if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS)
			continue;
		size_t k = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);
		int tmp[GUEST_NSOCK + 1];
		if (k > VMM_ARRAY_SIZE(tmp))
			k = VMM_ARRAY_SIZE(tmp);
		memcpy(tmp, CMSG_DATA(c), k * sizeof(int));
		for (size_t i = 0; i < k; i++) {
			if (got < maxfds)
				fds[got++] = tmp[i];
			else
				close(tmp[i]); /* refuse what we did not ask for */
		}
	}
	*nfds = got;
	if (n == 0)
		return 0;
	/* A short or truncated message is a protocol violation: fail closed. */
	if (n != (long)sizeof(*m) || (mh.msg_flags & (MSG_TRUNC | MSG_CTRUNC))) {
		for (size_t i = 0; i < got; i++)
			close(fds[i]);
		*nfds = 0;
		return -EBADMSG;
	}
	return 1;
}

void guest_release(struct guest *g)
{
	util_closep(&g->init_pidfd);
	util_closep(&g->ctl_fd);
	util_closep(&g->listener_fd);
	util_closep(&g->hold_fd);
	for (int i = 0; i < GUEST_NSOCK; i++)
		util_closep(&g->sock_fd[i]);
	g->init_pidfd = g->ctl_fd = g->listener_fd = g->hold_fd = -1;
	for (int i = 0; i < GUEST_NSOCK; i++)
		g->sock_fd[i] = -1;
}

int guest_hold_release(struct guest *g)
{
	if (g->hold_fd < 0)
		return 0;
	ssize_t n = write(g->hold_fd, "g", 1);
	int r = n == 1 ? 0 : -errno;
	util_closep(&g->hold_fd);
	return r;
}

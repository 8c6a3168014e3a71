/* launch.c - monitor side of guest creation: clone into namespaces, map ids, collect sockets and listener. */
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#include "guest/internal.h"
#include "util/util.h"

#ifndef CLONE_PIDFD
#define CLONE_PIDFD 0x00001000
#endif

/* Host range for a privileged launch: /etc/subuid's "root" entry, else this. */
#define GUEST_DEFAULT_HOST_BASE 0x70000000u

static int write_proc(pid_t pid, const char *file, const char *text)
{
	char path[64];
	snprintf(path, sizeof(path), "/proc/%d/%s", (int)pid, file);
	cleanup_fd int fd = open(path, O_WRONLY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0)
		return -errno;
	return util_write_all(fd, text, strlen(text));
}

/* First "root:START:COUNT" line with COUNT >= 65536 in @path, or the default. */
static uint32_t sub_base(const char *path)
{
	FILE *f = fopen(path, "re");
	char line[256];
	uint32_t base = GUEST_DEFAULT_HOST_BASE;

	if (!f)
		return base;
	while (fgets(line, sizeof(line), f)) {
		unsigned long start, count;
		if (sscanf(line, "root:%lu:%lu", &start, &count) == 2 && count >= 65536 &&
		    start > 0 && start + 65536 <= 0xfffffffful) {
			base = (uint32_t)start;
			break;
		}
	}
	fclose(f);
	return base;
}

static int write_outer_maps(struct guest *g)
{
	char map[64];
	int r;

	if (g->privileged) {
		snprintf(map, sizeof(map), "0 %u 65536\n", g->uidmap.host_first);
		if ((r = write_proc(g->init_pid, "uid_map", map)) < 0)
			return r;
		snprintf(map, sizeof(map), "0 %u 65536\n", g->gidmap.host_first);
		return write_proc(g->init_pid, "gid_map", map);
	}
	snprintf(map, sizeof(map), "0 %u 1\n", (unsigned)geteuid());
	if ((r = write_proc(g->init_pid, "uid_map", map)) < 0)
		return r;
	if ((r = write_proc(g->init_pid, "setgroups", "deny")) < 0)
		return r;
	snprintf(map, sizeof(map), "0 %u 1\n", (unsigned)getegid());
	return write_proc(g->init_pid, "gid_map", map);
}

static void init_maps(struct guest *g, const struct guest_config *cfg)
{
	g->privileged = geteuid() == 0;
	if (g->privileged) {
		g->uidmap = (struct guest_idmap){0, sub_base("/etc/subuid"), 65536};
		g->gidmap = (struct guest_idmap){0, sub_base("/etc/subgid"), 65536};
	} else {
		g->uidmap = (struct guest_idmap){(uint32_t)cfg->uid, (uint32_t)geteuid(), 1};
		g->gidmap = (struct guest_idmap){(uint32_t)cfg->gid, (uint32_t)getegid(), 1};
	}
}

/* Wait for a message of @type; a setup failure becomes -errno with *step. */
static int expect(struct guest *g, uint32_t type, struct guest_msg *m, int *fds, size_t nfds,
		  uint32_t *step)
{
	size_t got;
	int r = guest_recv_msg(g->ctl_fd, m, fds, nfds, &got);

	if (r == 0)
		return -ECHILD; /* init died: its status tells why */
	if (r < 0)
		return r;
	if (m->type == GUEST_MSG_SETUP_FAILED) {
		*step = m->step;
		return m->value > 0 ? -m->value : -EIO;
	}
	if (m->type != type || got != nfds) {
		for (size_t i = 0; i < got; i++)
			close(fds[i]);
		return -EPROTO; /* refuse anything unexpected */
	}
	return 0;
}

int guest_launch(const struct guest_config *cfg, struct guest *g, uint32_t *step)
{
	int sp[2];
	struct guest_msg m;
	int r;

	memset(g, 0, sizeof(*g));
	g->init_pidfd = g->ctl_fd = g->listener_fd = g->hold_fd = -1;
	for (int i = 0; i < GUEST_NSOCK; i++)
		g->sock_fd[i] = -1;
	init_maps(g, cfg);

	*step = GUEST_STEP_CLONE;
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sp) < 0)
		return -errno;
	int hold[2] = {-1, -1};
	if (cfg->hold && pipe2(hold, O_CLOEXEC) < 0) {
		r = -errno;
		close(sp[0]);
		close(sp[1]);
		return r;
	}
	int pidfd = -1;
	long pid = syscall(SYS_clone,
			   CLONE_NEWUSER | CLONE_NEWPID | CLONE_NEWNS | CLONE_NEWIPC |
				   CLONE_NEWUTS | CLONE_PIDFD | SIGCHLD,
			   NULL, &pidfd, NULL, 0);
	if (pid < 0) {
		r = -errno;
		close(sp[0]);
		close(sp[1]);
		util_closep(&hold[0]);
		util_closep(&hold[1]);
		return r;
	}
	if (pid == 0) {
		close(sp[0]);
		if (hold[1] >= 0)
			close(hold[1]);
		guest_init_main(cfg, sp[1], hold[0]);
	}
	close(sp[1]);
	util_closep(&hold[0]);
	g->hold_fd = hold[1];
	g->init_pid = (pid_t)pid;
	g->init_pidfd = pidfd;
	g->ctl_fd = sp[0];

	*step = GUEST_STEP_IDMAP;
	if ((r = write_outer_maps(g)) < 0)
		return r;
	if (write(g->ctl_fd, g->privileged ? "P" : "U", 1) != 1)
		return -errno;

	*step = GUEST_STEP_SOCKETS;
	if ((r = expect(g, GUEST_MSG_SOCKETS, &m, g->sock_fd, GUEST_NSOCK, step)) < 0)
		return r;
	for (int i = 0; i < GUEST_NSOCK; i++) {
		g->sock_dev[i] = (dev_t)m.dev[i];
		g->sock_ino[i] = (ino_t)m.ino[i];
	}
	*step = GUEST_STEP_SECCOMP;
	if ((r = expect(g, GUEST_MSG_STARTED, &m, &g->listener_fd, 1, step)) < 0)
		return r;
	g->cmd_guest_pid = m.value;
	*step = GUEST_STEP_NONE;
	return 0;
}

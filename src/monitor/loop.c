/* loop.c - the monitor's event loop: capture, notifications, signals, checkpoints, guest exit. */
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <sys/syscall.h>
#include <sys/timerfd.h>
#include <sys/wait.h>
#include <termios.h>

#include "lsm/lsm.h"
#include "mac/mac.h"
#include "monitor/capture.h"
#include "monitor/monitor.h"
#include "monitor/notify.h"
#include "monitor/relay.h"
#include "util/util.h"

#define MAX_POLL 320

enum { PS_CTL, PS_INIT, PS_LISTENER, PS_SIGNAL, PS_TIMER, PS_LSM, PS_FIXED };

struct loop {
	struct guest *g;
	struct evlog_writer *w;
	struct capture *cap;
	struct relay *relay;
	struct monitor_notify *notify;
	struct monitor_result *res;
	int sigfd;
	int timerfd;
	bool init_gone;
	bool ctl_eof;
	bool listener_hup;	   /* every filtered task is gone */
	struct mac_broker *broker; /* with --policy: it reads the listener */
	struct mac_msgbuf *mbuf;
	struct lsm_bpf *lsm; /* with --backend lsm */
};

int monitor_exit_code(const struct monitor_result *res)
{
	if (res->exec_errno)
		return res->exec_errno == ENOENT ? 127 : 126;
	if (!res->exited)
		return 125;
	if (WIFEXITED(res->wait_status))
		return WEXITSTATUS(res->wait_status);
	if (WIFSIGNALED(res->wait_status))
		return 128 + WTERMSIG(res->wait_status);
	return 125;
}

static void read_ctl(struct loop *l)
{
	struct guest_msg m;
	int fd = -1;
	size_t nfds;
	int r = guest_recv_msg(l->g->ctl_fd, &m, &fd, 1, &nfds);

	if (nfds)
		close(fd); /* init sends no fds after setup */
	if (r <= 0) {
		l->ctl_eof = true;
		return;
	}
	if (m.type == GUEST_MSG_EXITED) {
		l->res->exited = !l->res->exec_errno;
		l->res->wait_status = m.value;
	} else if (m.type == GUEST_MSG_EXEC_FAILED) {
		l->res->exec_errno = m.value > 0 ? m.value : EIO;
		l->res->exited = false;
	}
}

static void on_signal(struct loop *l)
{
	struct signalfd_siginfo si;
	while (read(l->sigfd, &si, sizeof(si)) == (ssize_t)sizeof(si)) {
		if (si.ssi_signo == SIGCHLD)
			continue; /* init's exit is seen on its pidfd */
		/* Users signal vmmsec; the guest is who they mean. */
		syscall(SYS_pidfd_send_signal, l->g->init_pidfd, si.ssi_signo, NULL, 0);
	}
}

/*
 * A guest thread is about to exit or change identity: record everything
 * queued while it is still there, as it was, to name.
 */
static int drain(void *ctx)
{
	struct loop *l = ctx;
	int r = 0;

	if (relay_backlogged(l->relay))
		return 0; /* backpressure: its messages wait; attribution may then be partial */
	for (int s = 0; s < GUEST_NSOCK; s++) {
		if (s == GUEST_SOCK_JSTDOUT)
			continue;
		while ((r = capture_dgram(l->cap, s)) > 0)
			;
		if (r < 0)
			return r;
	}
	/* A connection still waiting to be accepted may hold its bytes too. */
	if (capture_accepting(l->cap) && (r = capture_accept(l->cap)) < 0)
		return r;
	for (size_t i = capture_nstreams(l->cap); i-- > 0;)
		while ((r = capture_stream(l->cap, i)) > 0 && i < capture_nstreams(l->cap))
			;
	return r < 0 ? r : 0;
}

static int on_timer(struct loop *l)
{
	uint64_t ticks;
	if (read(l->timerfd, &ticks, sizeof(ticks)) < 0 && errno != EAGAIN)
		return -errno;
	return evlog_writer_unsealed(l->w) ? evlog_checkpoint(l->w) : 0;
}

/* A `lost` record: @n things known lost (none: no record), and why. */
static int write_lost(struct loop *l, uint64_t n, const char *why, size_t len)
{
	uint8_t cnt[8];

	if (n == 0)
		return 0;
	util_put_le64(cnt, n);
	struct evlog_field f[] = {{EVF_LOST_COUNT, 8, cnt}, {EVF_LOST_REASON, (uint32_t)len, why}};
	return evlog_append(l->w, EVLOG_LOST, f, 2);
}

/* Copies a guest daemon never got are said in the log, which has the messages. */
static int record_relay_loss(struct loop *l)
{
	static const char why[] = "relayed copies a guest syslog daemon did not take "
				  "(it stopped reading or closed its socket); the messages "
				  "themselves are recorded";
	return write_lost(l, relay_take_dropped(l->relay), why, sizeof(why) - 1);
}

static int write_exit_record(struct loop *l)
{
	uint8_t st[4], code[4];
	util_put_le32(st, (uint32_t)l->res->wait_status);
	util_put_le32(code, (uint32_t)monitor_exit_code(l->res));
	struct evlog_field f[] = {{EVF_WAIT_STATUS, 4, st}, {EVF_EXIT_CODE, 4, code}};
	return evlog_append(l->w, EVLOG_GUEST_EXIT, f, 2);
}

/* An access decision of the MAC broker becomes an `access` record. */
static int write_access(struct loop *l, const struct mac_access *a)
{
	uint8_t u[4][4], dev[8], ino[8], acc[4], dec = a->allow;
	uint32_t v[4] = {a->guest_pid, a->host_tid, a->uid, a->gid};

	for (int i = 0; i < 4; i++)
		util_put_le32(u[i], v[i]);
	util_put_le64(dev, a->dev);
	util_put_le64(ino, a->ino);
	util_put_le32(acc, a->access);
	struct evlog_field f[] = {
		{EVF_PID, 4, u[0]},
		{EVF_HOST_PID, 4, u[1]},
		{EVF_UID, 4, u[2]},
		{EVF_GID, 4, u[3]},
		{EVF_COMM, (uint32_t)strlen(a->comm), a->comm},
		{EVF_PATH, (uint32_t)strlen(a->path), a->path},
		{EVF_RESOLVED, (uint32_t)strlen(a->resolved), a->resolved},
		{EVF_DEV, 8, dev},
		{EVF_INO, 8, ino},
		{EVF_ACCESS, 4, acc},
		{EVF_DECISION, 1, &dec},
		{EVF_REASON, (uint32_t)strlen(a->reason), a->reason},
		{EVF_SYSCALL, (uint32_t)strlen(a->syscall), a->syscall},
	};
	return evlog_append(l->w, EVLOG_ACCESS, f, VMM_ARRAY_SIZE(f));
}

static int write_access_cb(void *ctx, const struct mac_access *a)
{
	return write_access(ctx, a);
}

/* struct capture_sent_ops for --backend lsm: the kernel's record of each sender. */
static int lsm_dgram(void *ctx, enum guest_sock s, uint32_t host_pid, struct monitor_sent *out)
{
	return lsm_bpf_sent(ctx, s, host_pid, out);
}

static int lsm_stream(void *ctx, uint64_t conn, uint32_t host_pid, size_t len,
		      struct capture_piece *p, size_t max)
{
	return lsm_bpf_stream_sent(ctx, conn, host_pid, len, p, max);
}

static void lsm_closed(void *ctx, uint64_t conn)
{
	lsm_bpf_stream_closed(ctx, conn);
}

static const struct capture_sent_ops lsm_ops = {lsm_dgram, lsm_stream, lsm_closed};

/* Sender identities lsm/unix_may_send had no room for: the messages are recorded all the same. */
static int record_send_loss(struct loop *l)
{
	static const char why[] = "senders the BPF ring buffer had no room for (--backend lsm; "
				  "their messages are recorded, the senders read from /proc)";
	return write_lost(l, lsm_bpf_take_send_lost(l->lsm), why, sizeof(why) - 1);
}

/*
 * Decisions of the BPF-LSM programs, and explicit lost records for any
 * decision, or sender identity, the ring buffers had no room for.
 */
static int read_lsm(struct loop *l)
{
	static const char why[] = "access decisions the BPF ring buffer had no room for "
				  "(--backend lsm; the decisions themselves were enforced)";
	int r = lsm_bpf_consume(l->lsm, write_access_cb, l);

	if (r >= 0)
		r = write_lost(l, lsm_bpf_take_lost(l->lsm), why, sizeof(why) - 1);
	return r < 0 ? r : record_send_loss(l);
}

/*
 * What the broker sent: forwarded notifications and access records.  Its
 * end of the channel closes when every guest task is gone; if it closes
 * while @alive, the broker died under a running guest: fail closed.
 */
static int read_broker(struct loop *l, bool alive)
{
	struct seccomp_notif req;
	struct mac_access a;

	for (int i = 0; i < 64; i++) {
		int ev = mac_broker_read(l->broker, l->mbuf, &req, &a);
		if (ev < 0)
			return ev;
		if (ev == MAC_EV_NONE)
			return 0;
		if (ev == MAC_EV_EOF) {
			l->listener_hup = true;
			int st = mac_broker_wait(l->broker);
			return alive && st != 0 ? -ECONNRESET : 0;
		}
		int r = ev == MAC_EV_ACCESS ? write_access(l, &a)
					    : monitor_notify_serve(l->notify, &req);
		if (r >= 0 && ev == MAC_EV_NOTIF_ACK)
			r = mac_broker_continued(l->broker);
		if (r < 0)
			return r;
	}
	return 0;
}

/*
 * Read a socket a few batches deep before polling again: senders refill a
 * short queue (net.unix.max_dgram_qlen) while we record.  Bounded, so one
 * busy socket cannot starve the others or the notification listener.
 */
static int drain_dgram(struct loop *l, enum guest_sock s)
{
	int r = 0;
	for (int i = 0; i < 8 && !relay_backlogged(l->relay); i++)
		if ((r = capture_dgram(l->cap, s)) <= 0)
			break;
	return r < 0 ? r : 0;
}

/* Build the poll set; returns its size.  Capture sockets pause while the relay is backlogged. */
static size_t build_pollset(struct loop *l, struct pollfd *p, int *which)
{
	size_t k = PS_FIXED;
	p[PS_CTL] = (struct pollfd){.fd = l->ctl_eof ? -1 : l->g->ctl_fd, .events = POLLIN};
	p[PS_INIT] = (struct pollfd){.fd = l->g->init_pidfd, .events = POLLIN};
	int lfd = l->broker ? mac_broker_fd(l->broker) : l->g->listener_fd;
	p[PS_LISTENER] = (struct pollfd){.fd = l->listener_hup ? -1 : lfd, .events = POLLIN};
	p[PS_SIGNAL] = (struct pollfd){.fd = l->sigfd, .events = POLLIN};
	p[PS_TIMER] = (struct pollfd){.fd = l->timerfd, .events = POLLIN};
	p[PS_LSM] = (struct pollfd){.fd = l->lsm ? lsm_bpf_fd(l->lsm) : -1, .events = POLLIN};
	bool capture = !relay_backlogged(l->relay);
	for (int s = 0; s < GUEST_NSOCK; s++) {
		bool on = capture && (s != GUEST_SOCK_JSTDOUT || capture_accepting(l->cap));
		which[k] = s;
		p[k++] = (struct pollfd){.fd = on ? l->g->sock_fd[s] : -1, .events = POLLIN};
	}
	for (size_t i = 0; i < capture_nstreams(l->cap) && k < MAX_POLL - 16; i++) {
		which[k] = GUEST_NSOCK + (int)i;
		p[k++] = (struct pollfd){.fd = capture ? capture_stream_fd(l->cap, i) : -1,
					 .events = POLLIN};
	}
	size_t nr = relay_pollfds(l->relay, p + k, MAX_POLL - k);
	for (size_t i = 0; i < nr; i++)
		which[k + i] = -1;
	return k + nr;
}

static int serve(struct loop *l)
{
	struct pollfd p[MAX_POLL];
	int which[MAX_POLL];
	int r = 0;

	while (!l->init_gone) {
		size_t n = build_pollset(l, p, which);
		/* While a guest daemon holds capture up, wake to cut it off if it stays stuck. */
		if (poll(p, n, relay_backlogged(l->relay) ? 100 : -1) < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		if (p[PS_SIGNAL].revents)
			on_signal(l);
		if (p[PS_TIMER].revents && (r = on_timer(l)) < 0)
			return r;
		/* Lost senders raise no event of their own: the timer looks too. */
		if (p[PS_TIMER].revents && l->lsm && (r = read_lsm(l)) < 0)
			return r;
		if (p[PS_LSM].revents && (r = read_lsm(l)) < 0)
			return r;
		/* Highest index first: closing a stream moves the last one down. */
		for (size_t i = n; i-- > PS_FIXED;) {
			if (!p[i].revents)
				continue;
			if (which[i] < 0)
				relay_flush(l->relay, p[i].fd);
			else if (which[i] == GUEST_SOCK_JSTDOUT)
				r = capture_accept(l->cap);
			else if (which[i] < GUEST_NSOCK)
				r = drain_dgram(l, which[i]);
			else
				r = capture_stream(l->cap, (size_t)(which[i] - GUEST_NSOCK));
			if (which[i] >= 0 && r < 0)
				return r;
		}
		/*
		 * Notifications last: an exit notification records (and may
		 * close) streams, which would invalidate this round's indexes.
		 */
		if (l->broker && p[PS_LISTENER].revents && (r = read_broker(l, true)) < 0)
			return r;
		if (!l->broker && p[PS_LISTENER].revents & POLLIN &&
		    (r = monitor_notify_handle(l->notify)) < 0)
			return r;
		if (!l->broker && p[PS_LISTENER].revents & (POLLHUP | POLLERR | POLLNVAL) &&
		    !(p[PS_LISTENER].revents & POLLIN))
			l->listener_hup = true;
		if (p[PS_CTL].revents)
			read_ctl(l);
		if (p[PS_INIT].revents & POLLIN)
			l->init_gone = true;
		relay_expire(l->relay);
		if ((r = record_relay_loss(l)) < 0)
			return r;
		/* Group commit: one write for everything this round recorded. */
		if ((r = evlog_flush(l->w)) < 0)
			return r;
	}
	return 0;
}

/* Move the terminal's foreground from @from to @to, only if @from has it. */
static void hand_tty(int tty, pid_t from, pid_t to)
{
	if (tty < 0)
		return;
	sigset_t s, old;
	sigemptyset(&s);
	sigaddset(&s, SIGTTOU); /* a background process may not otherwise */
	sigprocmask(SIG_BLOCK, &s, &old);
	if (tcgetpgrp(tty) == from)
		tcsetpgrp(tty, to);
	sigprocmask(SIG_SETMASK, &old, NULL);
}

int monitor_run(struct guest *g, struct evlog_writer *w, const struct monitor_opts *o,
		struct monitor_result *res)
{
	struct loop l = {.g = g,
			 .w = w,
			 .res = res,
			 .sigfd = -1,
			 .timerfd = -1,
			 .broker = o->broker,
			 .lsm = o->lsm};
	sigset_t mask, old;
	int r;

	memset(res, 0, sizeof(*res));
	sigemptyset(&mask);
	int sigs[] = {SIGCHLD, SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2};
	for (size_t i = 0; i < VMM_ARRAY_SIZE(sigs); i++)
		sigaddset(&mask, sigs[i]);
	sigprocmask(SIG_BLOCK, &mask, &old);
	l.sigfd = signalfd(-1, &mask, SFD_CLOEXEC | SFD_NONBLOCK);
	l.timerfd = timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC | TFD_NONBLOCK);
	unsigned secs = o->checkpoint_secs ? o->checkpoint_secs : 5;
	struct itimerspec its = {{secs, 0}, {secs, 0}};
	if (l.sigfd < 0 || l.timerfd < 0 || timerfd_settime(l.timerfd, 0, &its, NULL) < 0) {
		r = -errno;
		goto out;
	}
	if (l.broker && !(l.mbuf = malloc(sizeof(*l.mbuf)))) {
		r = -ENOMEM;
		goto out;
	}
	if ((r = relay_new(&l.relay)) < 0 || (r = capture_new(&l.cap, g, w, l.relay)) < 0 ||
	    (r = monitor_notify_new(&l.notify, g, l.relay, drain, &l)) < 0)
		goto out;
	if (l.lsm)
		capture_set_sent(l.cap, &lsm_ops, l.lsm);
	/* The guest's own process group gets the terminal, and Ctrl-C with it. */
	hand_tty(o->tty_fd, getpgrp(), g->init_pid);
	r = serve(&l);
	hand_tty(o->tty_fd, g->init_pid, getpgrp());
	if (r < 0) {
		/* Fail closed: a guest we cannot record does not run. */
		syscall(SYS_pidfd_send_signal, g->init_pidfd, SIGKILL, NULL, 0);
		goto out;
	}
	/* init is gone, so is every guest process; what they sent is still queued. */
	while (!l.ctl_eof)
		read_ctl(&l);
	/* The broker's last records: it leaves when the listener has no task left. */
	while (l.broker && !l.listener_hup) {
		struct pollfd bp = {.fd = mac_broker_fd(l.broker), .events = POLLIN};
		if (poll(&bp, 1, -1) < 0 && errno != EINTR) {
			r = -errno;
			goto out;
		}
		if ((r = read_broker(&l, false)) < 0)
			goto out;
	}
	int st;
	RETRY_EINTR(waitpid(g->init_pid, &st, 0));
	/* Every guest task is gone: whatever they were decided on is in the ring buffer. */
	if (l.lsm && (r = read_lsm(&l)) < 0)
		goto out;
	if ((r = capture_drain(l.cap)) < 0)
		goto out;
	/* Senders the ring had no room for, counted while the last datagrams were read. */
	if (l.lsm && (r = record_send_loss(&l)) < 0)
		goto out;
	res->messages = capture_count(l.cap);
	if ((r = write_exit_record(&l)) < 0)
		goto out;
	r = evlog_flush(w);
out:
	free(l.mbuf);
	monitor_notify_free(l.notify);
	capture_free(l.cap);
	relay_free(l.relay);
	util_closep(&l.sigfd);
	util_closep(&l.timerfd);
	sigprocmask(SIG_SETMASK, &old, NULL);
	return r;
}

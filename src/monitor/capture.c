/* capture.c - receive syslog datagrams and journald streams from the guest and record them. */
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>

#include "monitor/capture.h"
#include "monitor/framer.h"
#include "monitor/relay.h"
#include "monitor/sender.h"
#include "util/util.h"

#define BATCH 32
/* Larger than any unix datagram: wmem_max caps a sender's buffer well below. */
#define SLOT_BYTES (256u << 10)
#define MAX_FDS 8
#define MAX_STREAMS 256

struct stream {
	int fd;
	struct monitor_framer fr;
	/* Who wrote the last bytes read: an unterminated last line is theirs. */
	struct ucred last_cred;
	bool have_cred;
	uint64_t cookie; /* SO_COOKIE, 0 unknown: for capture_sent_ops */
	struct monitor_sent last_sent;
	bool have_sent;
};

struct capture {
	const struct guest *g;
	struct evlog_writer *w;
	struct relay *relay;
	struct monitor_senders *senders;
	uint64_t batch;
	uint64_t count;
	struct mmsghdr msg[BATCH];
	struct iovec iov[BATCH];
	union {
		char buf[CMSG_SPACE(sizeof(struct ucred)) + CMSG_SPACE(sizeof(int) * MAX_FDS)];
		struct cmsghdr align;
	} ctl[BATCH];
	uint8_t *data; /* BATCH * SLOT_BYTES */
	struct stream *streams[MAX_STREAMS];
	size_t nstreams;
	const struct capture_sent_ops *sent; /* NULL: identities come from /proc */
	void *sent_ctx;
};

int capture_new(struct capture **out, const struct guest *g, struct evlog_writer *w,
		struct relay *relay)
{
	struct capture *c = calloc(1, sizeof(*c));
	int r;

	if (!c)
		return -ENOMEM;
	c->g = g;
	c->w = w;
	c->relay = relay;
	c->data = malloc((size_t)BATCH * SLOT_BYTES);
	if (!c->data) {
		free(c);
		return -ENOMEM;
	}
	if ((r = monitor_senders_new(&c->senders)) < 0) {
		free(c->data);
		free(c);
		return r;
	}
	*out = c;
	return 0;
}

static void stream_close(struct capture *c, size_t idx)
{
	struct stream *s = c->streams[idx];
	if (c->sent && s->cookie)
		c->sent->closed(c->sent_ctx, s->cookie);
	close(s->fd);
	monitor_framer_release(&s->fr);
	free(s);
	c->streams[idx] = c->streams[--c->nstreams];
}

void capture_free(struct capture *c)
{
	if (!c)
		return;
	while (c->nstreams)
		stream_close(c, 0);
	monitor_senders_free(c->senders);
	free(c->data);
	free(c);
}

void capture_set_sent(struct capture *c, const struct capture_sent_ops *ops, void *ctx)
{
	c->sent = ops;
	c->sent_ctx = ctx;
}

uint64_t capture_count(const struct capture *c)
{
	return c->count;
}

struct origin {
	enum guest_sock sock;
	const struct ucred *cred;	 /* NULL: the kernel gave none */
	const struct monitor_sent *sent; /* recorded as it was sent, or NULL */
	const char *stream_hdr;
	size_t stream_hdr_len;
	uint32_t raw_flags;
};

/* Append one syslog record; identity comes from the kernel and /proc, never the message. */
static int emit(struct capture *c, const struct origin *o, const void *raw, size_t len)
{
	uint8_t n[8][4];
	struct evlog_field f[16];
	size_t k = 0;
	uint32_t flags = 0;
	const struct monitor_sender *s = NULL;
	uint8_t transport = o->sock == GUEST_SOCK_JSOCKET   ? EVLOG_TRANSPORT_JOURNAL
			    : o->sock == GUEST_SOCK_JSTDOUT ? EVLOG_TRANSPORT_STREAM
							    : EVLOG_TRANSPORT_DGRAM;
	const char *path = guest_sock_path(o->sock);

	if (o->sent)
		s = monitor_senders_sent(c->senders, o->sent);
	else if (o->cred && o->cred->pid > 0)
		s = monitor_senders_get(c->senders, (uint32_t)o->cred->pid, o->cred->uid,
					o->cred->gid, c->batch);
	else
		flags = EVLOG_SENDER_EXITED | EVLOG_SENDER_NO_EXE;
	if (s) {
		flags = s->flags;
		/* Nothing read from /proc (gone at once): the kernel-reported ids are all we have. */
		uint32_t uid = s->comm_len ? s->host_uid : (uint32_t)o->cred->uid;
		uint32_t gid = s->comm_len ? s->host_gid : (uint32_t)o->cred->gid;
		util_put_le32(n[0], s->guest_pid);
		util_put_le32(n[1], s->host_pid);
		util_put_le32(n[2], guest_idmap_to_guest(&c->g->uidmap, uid));
		util_put_le32(n[3], guest_idmap_to_guest(&c->g->gidmap, gid));
		f[k++] = (struct evlog_field){EVF_PID, 4, n[0]};
		f[k++] = (struct evlog_field){EVF_HOST_PID, 4, n[1]};
		f[k++] = (struct evlog_field){EVF_UID, 4, n[2]};
		f[k++] = (struct evlog_field){EVF_GID, 4, n[3]};
		f[k++] = (struct evlog_field){EVF_COMM, (uint32_t)s->comm_len, s->comm};
		f[k++] = (struct evlog_field){EVF_EXE, (uint32_t)s->exe_len, s->exe};
	}
	if (o->cred) {
		util_put_le32(n[4], guest_idmap_to_guest(&c->g->uidmap, o->cred->uid));
		util_put_le32(n[5], guest_idmap_to_guest(&c->g->gidmap, o->cred->gid));
		f[k++] = (struct evlog_field){EVF_CLAIMED_UID, 4, n[4]};
		f[k++] = (struct evlog_field){EVF_CLAIMED_GID, 4, n[5]};
	}
	util_put_le32(n[6], flags);
	f[k++] = (struct evlog_field){EVF_SENDER_FLAGS, 4, n[6]};
	f[k++] = (struct evlog_field){EVF_TRANSPORT, 1, &transport};
	f[k++] = (struct evlog_field){EVF_SOCKET, (uint32_t)strlen(path), path};
	f[k++] = (struct evlog_field){EVF_RAW, (uint32_t)len, raw};
	if (o->raw_flags) {
		util_put_le32(n[7], o->raw_flags);
		f[k++] = (struct evlog_field){EVF_RAW_FLAGS, 4, n[7]};
	}
	if (o->stream_hdr)
		f[k++] = (struct evlog_field){EVF_STREAM_HEADER, (uint32_t)o->stream_hdr_len,
					      o->stream_hdr};
	int r = evlog_append(c->w, EVLOG_SYSLOG, f, k);
	if (r < 0)
		return r;
	c->count++;
	return 0;
}

/*
 * A journald client hands a large entry over as a sealed memfd.  Snapshot
 * it now: the guest may still hold a writable mapping.  Only regular files
 * are read, so a FIFO or socket cannot stall the monitor.
 */
static int snapshot_fd(int fd, uint8_t **out, size_t *len, uint32_t *flags)
{
	struct stat st;

	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode))
		return -EBADF;
	/*
	 * sd_journal seals its memfds, so their content is what was sent.
	 * Anything else could have been rewritten between send and now: say so.
	 */
	int seals = fcntl(fd, F_GET_SEALS);
	if (seals < 0 || (seals & (F_SEAL_WRITE | F_SEAL_SHRINK | F_SEAL_GROW)) !=
				 (F_SEAL_WRITE | F_SEAL_SHRINK | F_SEAL_GROW))
		*flags |= EVLOG_RAW_UNSEALED;
	size_t want = (size_t)st.st_size;
	if (st.st_size < 0)
		return -EBADF;
	if (want > EVLOG_RAW_MAX) {
		want = EVLOG_RAW_MAX;
		*flags |= EVLOG_RAW_TRUNCATED;
	}
	uint8_t *buf = malloc(want ? want : 1);
	if (!buf)
		return -ENOMEM;
	size_t got = 0;
	while (got < want) {
		ssize_t n = pread(fd, buf + got, want - got, (off_t)got);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break; /* shrank meanwhile: keep what was there */
		got += (size_t)n;
	}
	*out = buf;
	*len = got;
	return 0;
}

static int lost(struct capture *c, uint64_t count, const char *reason)
{
	uint8_t n[8];
	util_put_le64(n, count);
	struct evlog_field f[] = {{EVF_LOST_COUNT, 8, n},
				  {EVF_LOST_REASON, (uint32_t)strlen(reason), reason}};
	return evlog_append(c->w, EVLOG_LOST, f, 2);
}

static int record_dgram(struct capture *c, enum guest_sock s, struct msghdr *mh, size_t len)
{
	struct origin o = {.sock = s};
	int fds[MAX_FDS];
	size_t nfds = 0;
	int r = 0;

	for (struct cmsghdr *cm = CMSG_FIRSTHDR(mh); cm; cm = CMSG_NXTHDR(mh, cm)) {
		if (cm->cmsg_level != SOL_SOCKET)
			continue;
		if (cm->cmsg_type == SCM_CREDENTIALS &&
		    cm->cmsg_len >= CMSG_LEN(sizeof(struct ucred)))
			o.cred = (const struct ucred *)CMSG_DATA(cm);
		else if (cm->cmsg_type == SCM_RIGHTS) {
			size_t k = (cm->cmsg_len - CMSG_LEN(0)) / sizeof(int);
			for (size_t i = 0; i < k && nfds < MAX_FDS; i++)
				memcpy(&fds[nfds++], CMSG_DATA(cm) + i * sizeof(int), sizeof(int));
		}
	}
	if (mh->msg_flags & MSG_TRUNC)
		o.raw_flags |= EVLOG_RAW_TRUNCATED;
	/* Asked for every datagram, recorded or not: the answers come in queue order. */
	struct monitor_sent sent;
	if (c->sent && o.cred && o.cred->pid > 0) {
		r = c->sent->dgram(c->sent_ctx, s, (uint32_t)o.cred->pid, &sent);
		if (r < 0)
			goto out;
		o.sent = r == 1 ? &sent : NULL;
		r = 0;
	}
	if (s == GUEST_SOCK_JSOCKET && nfds == 1 && len == 0) {
		cleanup_free uint8_t *buf = NULL;
		size_t blen = 0;
		o.raw_flags |= EVLOG_RAW_FROM_FD;
		if (snapshot_fd(fds[0], &buf, &blen, &o.raw_flags) < 0)
			r = lost(c, 1,
				 "journal entry passed as an fd that is not a readable regular "
				 "file");
		else if ((r = emit(c, &o, buf, blen)) == 0)
			relay_forward(c->relay, s, buf, blen);
	} else {
		/* fds passed to a syslog socket carry nothing we record: closed below. */
		if ((r = emit(c, &o, mh->msg_iov->iov_base, len)) == 0)
			relay_forward(c->relay, s, mh->msg_iov->iov_base, len);
	}
out:
	for (size_t i = 0; i < nfds; i++)
		close(fds[i]);
	return r;
}

int capture_dgram(struct capture *c, enum guest_sock s)
{
	int fd = c->g->sock_fd[s];

	for (int i = 0; i < BATCH; i++) {
		c->iov[i] = (struct iovec){c->data + (size_t)i * SLOT_BYTES, SLOT_BYTES};
		c->msg[i].msg_hdr = (struct msghdr){.msg_iov = &c->iov[i],
						    .msg_iovlen = 1,
						    .msg_control = c->ctl[i].buf,
						    .msg_controllen = sizeof(c->ctl[i].buf)};
		c->msg[i].msg_len = 0;
	}
	int n = (int)RETRY_EINTR(
		recvmmsg(fd, c->msg, BATCH, MSG_DONTWAIT | MSG_CMSG_CLOEXEC, NULL));
	if (n < 0)
		return errno == EAGAIN || errno == EWOULDBLOCK ? 0 : -errno;
	c->batch++;
	for (int i = 0; i < n; i++) {
		int r = record_dgram(c, s, &c->msg[i].msg_hdr, c->msg[i].msg_len);
		if (r < 0)
			return r;
	}
	return n;
}

bool capture_accepting(const struct capture *c)
{
	return c->nstreams < MAX_STREAMS;
}

int capture_accept(struct capture *c)
{
	/*
	 * At the limit, connections wait in the listen backlog and their
	 * senders block: accepting and closing one would discard its data.
	 */
	while (c->nstreams < MAX_STREAMS) {
		int fd = accept4(c->g->sock_fd[GUEST_SOCK_JSTDOUT], NULL, NULL,
				 SOCK_CLOEXEC | SOCK_NONBLOCK);
		if (fd < 0)
			return errno == EAGAIN || errno == EINTR || errno == ECONNABORTED ? 0
											  : -errno;
		struct stream *s = calloc(1, sizeof(*s));
		if (!s || monitor_framer_init(&s->fr) < 0) {
			if (s)
				monitor_framer_release(&s->fr);
			free(s);
			close(fd); /* its data would be lost: fail closed instead */
			return -ENOMEM;
		}
		s->fd = fd;
		socklen_t cl = sizeof(s->cookie);
		if (c->sent && getsockopt(fd, SOL_SOCKET, SO_COOKIE, &s->cookie, &cl) < 0)
			s->cookie = 0; /* its lines are attributed from /proc */
		c->streams[c->nstreams++] = s;
	}
	return 0;
}

size_t capture_nstreams(const struct capture *c)
{
	return c->nstreams;
}

int capture_stream_fd(const struct capture *c, size_t idx)
{
	return idx < c->nstreams ? c->streams[idx]->fd : -1;
}

struct line_ctx {
	struct capture *c;
	struct stream *s;
	const struct ucred *cred;
	const struct monitor_sent *sent;
};

/* One stream line is one record, carrying the connection's header verbatim. */
static int stream_line(void *ctx, const char *line, size_t len, uint32_t flags)
{
	struct line_ctx *lc = ctx;
	struct origin o = {.sock = GUEST_SOCK_JSTDOUT,
			   .cred = lc->cred,
			   .sent = lc->sent,
			   .stream_hdr = lc->s->fr.hdr,
			   .stream_hdr_len = lc->s->fr.hdr_len,
			   .raw_flags = flags};
	return emit(lc->c, &o, line, len);
}

int capture_stream(struct capture *c, size_t idx)
{
	if (idx >= c->nstreams)
		return 0;
	struct stream *s = c->streams[idx];
	union {
		char buf[CMSG_SPACE(sizeof(struct ucred)) + CMSG_SPACE(sizeof(int) * MAX_FDS)];
		struct cmsghdr align;
	} u;
	struct iovec iov = {c->data, SLOT_BYTES};
	struct msghdr mh = {.msg_iov = &iov,
			    .msg_iovlen = 1,
			    .msg_control = u.buf,
			    .msg_controllen = sizeof(u.buf)};
	const struct ucred *cred = NULL;
	int r;

	ssize_t n = RETRY_EINTR(recvmsg(s->fd, &mh, MSG_DONTWAIT | MSG_CMSG_CLOEXEC));
	if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
		return 0;
	if (n < 0 && errno != ECONNRESET)
		return -errno;
	c->batch++;
	for (struct cmsghdr *cm = CMSG_FIRSTHDR(&mh); cm; cm = CMSG_NXTHDR(&mh, cm)) {
		if (cm->cmsg_level == SOL_SOCKET && cm->cmsg_type == SCM_CREDENTIALS &&
		    cm->cmsg_len >= CMSG_LEN(sizeof(struct ucred)))
			cred = (const struct ucred *)CMSG_DATA(cm);
		else if (cm->cmsg_level == SOL_SOCKET && cm->cmsg_type == SCM_RIGHTS)
			for (size_t i = 0; i < (cm->cmsg_len - CMSG_LEN(0)) / sizeof(int); i++) {
				int fd;
				memcpy(&fd, CMSG_DATA(cm) + i * sizeof(int), sizeof(int));
				close(fd);
			}
	}
	if (cred && n > 0) {
		s->last_cred = *cred;
		s->have_cred = true;
	}
	struct line_ctx lc = {c, s, cred, NULL};
	if (n <= 0) {
		/* End of stream: a last line without newline is still a message. */
		lc.cred = s->have_cred ? &s->last_cred : NULL;
		lc.sent = s->have_sent ? &s->last_sent : NULL;
		r = monitor_framer_finish(&s->fr, stream_line, &lc);
		stream_close(c, idx);
		return r < 0 ? r : 1;
	}
	/* Who wrote which bytes: a line is its writer's whose bytes hold its newline. */
	struct capture_piece piece[16];
	int np = 0;
	if (c->sent && s->cookie && cred && cred->pid > 0) {
		np = c->sent->stream(c->sent_ctx, s->cookie, (uint32_t)cred->pid, (size_t)n, piece,
				     VMM_ARRAY_SIZE(piece));
		if (np < 0)
			return np;
	}
	if (np == 0)
		piece[np++] = (struct capture_piece){.len = (size_t)n, .known = false};
	r = 0;
	for (int i = 0, off = 0; i < np && r == 0; off += (int)piece[i++].len) {
		lc.sent = piece[i].known ? &piece[i].id : NULL;
		s->have_sent = piece[i].known;
		if (piece[i].known)
			s->last_sent = piece[i].id;
		r = monitor_framer_feed(&s->fr, c->data + off, piece[i].len, stream_line, &lc);
	}
	if (r == -EPROTO) {
		/* Not the journald protocol: what came is kept, unparsed, and the peer cut off. */
		struct origin o = {.sock = GUEST_SOCK_JSTDOUT, .cred = cred};
		r = emit(c, &o, s->fr.hdr, s->fr.hdr_len);
		stream_close(c, idx);
	}
	return r < 0 ? r : 1;
}

int capture_drain(struct capture *c)
{
	int r;

	for (int s = 0; s < GUEST_NSOCK; s++) {
		if (s == GUEST_SOCK_JSTDOUT)
			continue;
		while ((r = capture_dgram(c, s)) > 0)
			;
		if (r < 0)
			return r;
	}
	if ((r = capture_accept(c)) < 0)
		return r;
	/* Every writer is dead, so each stream ends in EOF after its data. */
	while (c->nstreams) {
		size_t last = c->nstreams - 1;
		if ((r = capture_stream(c, last)) < 0)
			return r;
		if (r == 0) { /* cannot happen once writers are gone; never spin */
			struct stream *s = c->streams[last];
			struct line_ctx lc = {c, s, s->have_cred ? &s->last_cred : NULL,
					      s->have_sent ? &s->last_sent : NULL};
			if ((r = monitor_framer_finish(&s->fr, stream_line, &lc)) < 0)
				return r;
			stream_close(c, last);
		}
	}
	return 0;
}

/* capture.h - receive syslog datagrams and journald streams from the guest and record them. */
#ifndef VMMSEC_MONITOR_CAPTURE_H
#define VMMSEC_MONITOR_CAPTURE_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "evlog/evlog.h"
#include "guest/guest.h"
#include "monitor/sender.h"

struct capture;
struct relay;

int capture_new(struct capture **out, const struct guest *g, struct evlog_writer *w,
		struct relay *relay);
void capture_free(struct capture *c);

/*
 * A backend that sees each message sent (--backend lsm) says who sent it,
 * as it was at that moment.  Where it does not know, the identity comes
 * from /proc.  Errors (-errno) make the capture fail closed.
 */
struct capture_piece {
	size_t len;
	bool known; /* else: read the sender from /proc */
	struct monitor_sent id;
};
struct capture_sent_ops {
	/*
	 * Called once per datagram received with SCM_CREDENTIALS, in the
	 * order received, with the credentials' host pid: 1 with *out, 0 when
	 * unknown, or -errno.
	 */
	int (*dgram)(void *ctx, enum guest_sock s, uint32_t host_pid, struct monitor_sent *out);
	/*
	 * @len bytes just read from the stream connection whose SO_COOKIE is
	 * @conn, written (SCM_CREDENTIALS) by host process @host_pid: fills
	 * up to @max pieces covering them in order, returns their number or
	 * -errno.
	 */
	int (*stream)(void *ctx, uint64_t conn, uint32_t host_pid, size_t len,
		      struct capture_piece *p, size_t max);
	/* The connection @conn is closed. */
	void (*closed)(void *ctx, uint64_t conn);
};
void capture_set_sent(struct capture *c, const struct capture_sent_ops *ops, void *ctx);

/*
 * capture_dgram - receive one batch (recvmmsg) from datagram socket @s and
 * record every message.  Returns the number recorded, 0 if none was
 * waiting, or -errno (an evidence-log error: the caller fails closed).
 */
int capture_dgram(struct capture *c, enum guest_sock s);
/*
 * capture_accept - accept pending journald stream connections (credentials
 * come with every read: the listener's SO_PASSCRED is inherited).
 * Returns 0 or -errno.
 */
int capture_accept(struct capture *c);
/* False while the connection limit is reached: do not poll the listener. */
bool capture_accepting(const struct capture *c);
/*
 * capture_stream - read once from stream connection @idx and record each
 * complete line.  Returns 1 after progress (the connection may be gone:
 * indexes shift), 0 if nothing was waiting, or -errno.
 */
int capture_stream(struct capture *c, size_t idx);
/* Stream connections, for the poll set: fd of connection @idx or -1. */
size_t capture_nstreams(const struct capture *c);
int capture_stream_fd(const struct capture *c, size_t idx);
/* capture_drain - after the guest is gone, record everything still queued. */
int capture_drain(struct capture *c);
uint64_t capture_count(const struct capture *c);

#endif

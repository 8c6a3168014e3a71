/* capture.h - receive syslog datagrams and journald streams from the guest and record them. */
#ifndef VMMSEC_MONITOR_CAPTURE_H
#define VMMSEC_MONITOR_CAPTURE_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "evlog/evlog.h"
#include "guest/guest.h"

struct capture;
struct relay;

int capture_new(struct capture **out, const struct guest *g, struct evlog_writer *w,
		struct relay *relay);
void capture_free(struct capture *c);

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

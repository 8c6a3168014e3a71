/* relay.h - give a guest's own syslog daemon a copy of every captured message. */
#ifndef VMMSEC_MONITOR_RELAY_H
#define VMMSEC_MONITOR_RELAY_H

#include <poll.h>
#include <stdbool.h>
#include <stddef.h>
#include <sys/socket.h>
#include <sys/un.h>

#include "guest/guest.h"

/*
 * A guest daemon (busybox syslogd, rsyslogd) that binds /dev/log or a
 * journald socket cannot displace the monitor's socket.  Its bind is
 * emulated instead: its socket is auto-bound to an abstract address and
 * every message the monitor has recorded is forwarded to it, in order.
 * A daemon that stops reading fills a bounded queue; past that the monitor
 * stops reading the guest's sockets, so senders block (backpressure), as
 * they would with a slow journald.  A daemon that takes nothing for 1 s
 * while capture waits for it is cut off (relay_expire): the monitor must not
 * stall long enough for senders' pids to be recycled.  Copies it never got
 * are counted (relay_take_dropped) for a `lost` record; the evidence log
 * itself has every message.
 */
struct relay;

int relay_new(struct relay **out);
void relay_free(struct relay *r);

/*
 * relay_add - forward messages of capture socket @s (and of its twin: the
 * two syslog-format sockets are one socket on a systemd host) to the
 * abstract address @addr.  Returns 0 or -errno.
 */
int relay_add(struct relay *r, enum guest_sock s, const struct sockaddr_un *addr, socklen_t len);
/* relay_forward - queue @data for every daemon registered for @s.  NULL relay: no-op. */
void relay_forward(struct relay *r, enum guest_sock s, const void *data, size_t len);
/* relay_backlogged - true while queued bytes exceed the limit: stop capturing. */
bool relay_backlogged(const struct relay *r);
/* relay_expire - while backlogged, drop daemons that made no progress for 1 s. */
void relay_expire(struct relay *r);
/* relay_take_dropped - copies not delivered since the last call. */
uint64_t relay_take_dropped(struct relay *r);
/* relay_pollfds - fill @pfd with sockets that have queued data (POLLOUT). */
size_t relay_pollfds(const struct relay *r, struct pollfd *pfd, size_t max);
/* relay_flush - try to send what is queued on @fd. */
void relay_flush(struct relay *r, int fd);

#endif

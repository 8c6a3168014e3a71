/* sendq.h - the senders the BPF-LSM hooks recorded, matched to the syslog messages the monitor reads. */
#ifndef VMMSEC_LSM_SENDQ_H
#define VMMSEC_LSM_SENDQ_H

#include <linux/types.h>
#include <stddef.h>

#include "lsm/lsm.h"
#include "lsm/lsm_abi.h"

/*
 * Pure bookkeeping, no BPF: src/lsm/bpf.c feeds it the vm_sends ring
 * buffer's events; tests/unit/test_sendq.c feeds it made-up ones.
 * docs/DESIGN.md section 12, "Syslog capture".
 */

#define LSM_SENDQ_MAX 65536 /* events kept per socket or connection: more means never read */

/* Datagram send events of one capture socket, oldest first. */
struct lsm_sendq {
	struct vlsm_send *ev;
	size_t head, len, cap;
};

/* Append @e.  Returns 0, 1 when the oldest event was dropped for room, or -ENOMEM. */
int lsm_sendq_push(struct lsm_sendq *q, const struct vlsm_send *e);
/*
 * lsm_sendq_match - the event of the next datagram the socket gave,
 * whose SCM_CREDENTIALS name process @tgid: drops the events before it
 * that were for nothing (flagged LSM_SEND_FULL and another process's, or
 * retried by their thread with the same serial), then takes the oldest if
 * it is @tgid's.  Returns 1 with *out, or 0 (the datagram has no event:
 * nothing taken).
 */
int lsm_sendq_match(struct lsm_sendq *q, uint32_t tgid, struct monitor_sent *out);
void lsm_sendq_release(struct lsm_sendq *q);

/* Write events of one stream connection whose bytes are not all read, oldest first. */
struct lsm_connq {
	uint64_t cookie;
	struct vlsm_send *ev; /* ev[i].len: bytes not yet read */
	size_t len, cap;
};

/* Append @e (a write of e->len > 0 bytes).  Returns 0 or -ENOMEM (-ENOSPC when full). */
int lsm_connq_push(struct lsm_connq *q, const struct vlsm_send *e);
/*
 * lsm_connq_take - cut @len bytes process @tgid wrote into pieces along
 * its writes, oldest first (at most @max >= 1 pieces); bytes no write
 * covers form a last piece that is not known.  Returns the number of
 * pieces.
 */
size_t lsm_connq_take(struct lsm_connq *q, uint32_t tgid, size_t len, struct capture_piece *pieces,
		      size_t max);
void lsm_connq_release(struct lsm_connq *q);

#endif

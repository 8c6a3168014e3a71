/* sendq.c - the senders the BPF-LSM hooks recorded, matched to the syslog messages the monitor reads. */
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "lsm/sendq.h"

static void to_id(struct monitor_sent *out, const struct vlsm_send *e)
{
	*out = (struct monitor_sent){.host_pid = e->host_tgid,
				     .guest_pid = e->guest_tgid,
				     .host_uid = e->uid,
				     .host_gid = e->gid,
				     .exe_dev = e->exe_dev,
				     .exe_ino = e->exe_ino};
	memcpy(out->comm, e->comm, sizeof(out->comm));
	out->comm[sizeof(out->comm) - 1] = '\0';
}

int lsm_sendq_push(struct lsm_sendq *q, const struct vlsm_send *e)
{
	int dropped = 0;

	if (q->len == q->cap) {
		if (q->cap == LSM_SENDQ_MAX) {
			q->head = (q->head + 1) % q->cap;
			q->len--;
			dropped = 1;
		} else {
			size_t cap = q->cap ? q->cap * 2 : 64;
			struct vlsm_send *ev = calloc(cap, sizeof(*ev));
			if (!ev)
				return -ENOMEM;
			for (size_t i = 0; i < q->len; i++)
				ev[i] = q->ev[(q->head + i) % q->cap];
			free(q->ev);
			q->ev = ev;
			q->head = 0;
			q->cap = cap;
		}
	}
	q->ev[(q->head + q->len) % q->cap] = *e;
	q->len++;
	return dropped;
}

static void pop(struct lsm_sendq *q)
{
	q->head = (q->head + 1) % q->cap;
	q->len--;
}

int lsm_sendq_match(struct lsm_sendq *q, uint32_t tgid, struct monitor_sent *out)
{
	const struct vlsm_send *e;

	/*
	 * Events are in queue order, and every event before this datagram's
	 * was for nothing: a send that found the queue full.  Such an event
	 * goes when it is another process's (this datagram's own event comes
	 * later, if it has one), or when its thread asked again for the same
	 * send (the same serial, later on).  The oldest left is this
	 * datagram's, unless it has none (the ring buffer was full): then the
	 * pid differs.  Never skip an event that was not flagged.
	 */
	for (;;) {
		if (!q->len)
			return 0;
		e = &q->ev[q->head];
		if (!(e->flags & LSM_SEND_FULL))
			break;
		bool retried = false;
		for (size_t i = 1; e->serial && i < q->len && !retried; i++) {
			const struct vlsm_send *l = &q->ev[(q->head + i) % q->cap];
			retried = l->host_tid == e->host_tid && l->serial == e->serial;
		}
		if (e->host_tgid == tgid && !retried)
			break;
		pop(q);
	}
	if (e->host_tgid != tgid)
		return 0;
	to_id(out, e);
	pop(q);
	return 1;
}

void lsm_sendq_release(struct lsm_sendq *q)
{
	free(q->ev);
	memset(q, 0, sizeof(*q));
}

int lsm_connq_push(struct lsm_connq *q, const struct vlsm_send *e)
{
	if (q->len == q->cap) {
		if (q->cap >= LSM_SENDQ_MAX)
			return -ENOSPC;
		size_t cap = q->cap ? q->cap * 2 : 16;
		struct vlsm_send *ev = realloc(q->ev, cap * sizeof(*ev));
		if (!ev)
			return -ENOMEM;
		q->ev = ev;
		q->cap = cap;
	}
	q->ev[q->len++] = *e;
	return 0;
}

size_t lsm_connq_take(struct lsm_connq *q, uint32_t tgid, size_t len, struct capture_piece *pieces,
		      size_t max)
{
	size_t n = 0;

	/*
	 * The bytes one process wrote come out in the order it wrote them:
	 * its writes, oldest first, each for as many bytes as it asked to
	 * send.  (A write the kernel cut short leaves the rest counted to it:
	 * later bytes of the same process are then named one write late.)
	 */
	for (size_t i = 0; i < q->len && len && n + 1 < max;) {
		struct vlsm_send *e = &q->ev[i];
		if (e->host_tgid != tgid) {
			i++;
			continue;
		}
		size_t take = e->len < len ? (size_t)e->len : len;
		pieces[n].len = take;
		pieces[n].known = true;
		to_id(&pieces[n].id, e);
		n++;
		len -= take;
		e->len -= take;
		if (!e->len) {
			q->len--;
			memmove(e, e + 1, (q->len - i) * sizeof(*e));
		}
	}
	if (len) { /* no write noted for these bytes (or more pieces than room) */
		pieces[n].len = len;
		pieces[n].known = false;
		n++;
	}
	return n;
}

void lsm_connq_release(struct lsm_connq *q)
{
	free(q->ev);
	memset(q, 0, sizeof(*q));
}

/* test_sendq.c - unit tests for matching recorded senders to received syslog messages (lsm/sendq.c). */
#include <string.h>

#include "lsm/sendq.h"
#include "test.h"

/* An event from thread @tid of process @tgid, send serial @serial. */
static struct vlsm_send ev(uint32_t tgid, uint32_t tid, uint64_t serial, uint32_t flags,
			   const char *comm)
{
	struct vlsm_send e;

	memset(&e, 0, sizeof(e));
	e.host_tgid = tgid;
	e.host_tid = tid;
	e.serial = serial;
	e.flags = flags;
	e.uid = tgid * 10;
	strncpy(e.comm, comm, sizeof(e.comm) - 1);
	return e;
}

static struct vlsm_send wr(uint32_t tgid, uint64_t len, const char *comm)
{
	struct vlsm_send e = ev(tgid, tgid, 0, 0, comm);

	e.conn = 7;
	e.len = len;
	return e;
}

/* Datagrams from several processes, each matched to its own event, in order. */
static void test_in_order(void)
{
	struct lsm_sendq q = {0};
	struct monitor_sent id;

	for (uint32_t p = 1; p <= 100; p++) {
		struct vlsm_send e = ev(p % 3 + 100, p % 3 + 100, p, 0, p % 2 ? "odd" : "even");
		CHECK_EQ(lsm_sendq_push(&q, &e), 0);
	}
	for (uint32_t p = 1; p <= 100; p++) {
		CHECK_EQ(lsm_sendq_match(&q, p % 3 + 100, &id), 1);
		CHECK_EQ(id.host_pid, p % 3 + 100);
		CHECK_EQ(id.host_uid, (p % 3 + 100) * 10);
		CHECK_STR(id.comm, p % 2 ? "odd" : "even");
	}
	CHECK_EQ(lsm_sendq_match(&q, 100, &id), 0);
	CHECK_EQ(q.len, 0);
	lsm_sendq_release(&q);
}

/*
 * A send that found the queue full is dropped when it is another
 * process's, or when its thread asked again with the same serial.
 */
static void test_full_queue_events(void)
{
	struct lsm_sendq q = {0};
	struct monitor_sent id;
	struct vlsm_send e[] = {
		ev(5, 5, 1, LSM_SEND_FULL, "blocked"), /* 5 waits ...                */
		ev(6, 6, 1, 0, "six"),		       /* 6's datagram is queued     */
		ev(5, 5, 1, 0, "retried"),	       /* ... 5 asks again: queued   */
		ev(7, 8, 3, LSM_SEND_FULL, "gaveup"),  /* 7 (thread 8) gets EAGAIN   */
		ev(7, 9, 4, 0, "other"),	       /* 7's other thread: queued   */
	};
	for (size_t i = 0; i < sizeof(e) / sizeof(*e); i++)
		CHECK_EQ(lsm_sendq_push(&q, &e[i]), 0);
	CHECK_EQ(lsm_sendq_match(&q, 6, &id), 1);
	CHECK_STR(id.comm, "six");
	CHECK_EQ(lsm_sendq_match(&q, 5, &id), 1);
	CHECK_STR(id.comm, "retried");
	/*
	 * Thread 8's flagged event was never retried: it may be the datagram's (the
	 * monitor made room), so it is taken, though thread 9 sent it.  Threads of
	 * one process can be confused this way (docs/DESIGN.md section 12).
	 */
	CHECK_EQ(lsm_sendq_match(&q, 7, &id), 1);
	CHECK_STR(id.comm, "gaveup");
	CHECK_EQ(q.len, 1);
	lsm_sendq_release(&q);
}

/* A flagged event whose datagram was queued after all (the monitor made room) is matched. */
static void test_full_but_queued(void)
{
	struct lsm_sendq q = {0};
	struct monitor_sent id;
	struct vlsm_send a = ev(5, 5, 1, LSM_SEND_FULL, "first"), b = ev(6, 6, 1, 0, "second");

	CHECK_EQ(lsm_sendq_push(&q, &a), 0);
	CHECK_EQ(lsm_sendq_push(&q, &b), 0);
	CHECK_EQ(lsm_sendq_match(&q, 5, &id), 1);
	CHECK_STR(id.comm, "first");
	CHECK_EQ(lsm_sendq_match(&q, 6, &id), 1);
	CHECK_STR(id.comm, "second");
	lsm_sendq_release(&q);
}

/* A datagram without an event (the ring was full) takes nothing: the next one still matches. */
static void test_missing_event(void)
{
	struct lsm_sendq q = {0};
	struct monitor_sent id;
	struct vlsm_send b = ev(6, 6, 1, 0, "six");

	CHECK_EQ(lsm_sendq_push(&q, &b), 0);
	CHECK_EQ(lsm_sendq_match(&q, 5, &id), 0); /* 5's datagram: no event */
	CHECK_EQ(q.len, 1);
	CHECK_EQ(lsm_sendq_match(&q, 6, &id), 1);
	CHECK_STR(id.comm, "six");
	lsm_sendq_release(&q);
}

/* Beyond LSM_SENDQ_MAX events, the oldest goes and the push says so. */
static void test_bounded(void)
{
	struct lsm_sendq q = {0};
	struct monitor_sent id;
	int dropped = 0;

	for (uint32_t i = 0; i < LSM_SENDQ_MAX + 3; i++) {
		struct vlsm_send e = ev(i + 1, i + 1, 1, 0, "x");
		dropped += lsm_sendq_push(&q, &e);
	}
	CHECK_EQ(dropped, 3);
	CHECK_EQ(q.len, LSM_SENDQ_MAX);
	CHECK_EQ(lsm_sendq_match(&q, 4, &id), 1);
	lsm_sendq_release(&q);
}

/* Stream bytes are cut along the writes of the process that sent them. */
static void test_stream_pieces(void)
{
	struct lsm_connq q = {.cookie = 7};
	struct capture_piece p[4];
	struct vlsm_send w[] = {wr(5, 10, "a"), wr(6, 4, "b"), wr(5, 3, "c")};

	for (size_t i = 0; i < sizeof(w) / sizeof(*w); i++)
		CHECK_EQ(lsm_connq_push(&q, &w[i]), 0);
	/* 5's 13 bytes arrive in two reads: 8, then 5. */
	CHECK_EQ(lsm_connq_take(&q, 5, 8, p, 4), 1);
	CHECK_EQ(p[0].len, 8);
	CHECK(p[0].known);
	CHECK_STR(p[0].id.comm, "a");
	CHECK_EQ(lsm_connq_take(&q, 5, 5, p, 4), 2);
	CHECK_EQ(p[0].len, 2);
	CHECK_STR(p[0].id.comm, "a");
	CHECK_EQ(p[1].len, 3);
	CHECK_STR(p[1].id.comm, "c");
	/* 6's 4 bytes, and 2 more no write covers. */
	CHECK_EQ(lsm_connq_take(&q, 6, 6, p, 4), 2);
	CHECK_EQ(p[0].len, 4);
	CHECK_STR(p[0].id.comm, "b");
	CHECK_EQ(p[1].len, 2);
	CHECK(!p[1].known);
	CHECK_EQ(q.len, 0);
	lsm_connq_release(&q);
}

/* More writes than pieces: the rest is one piece, not known. */
static void test_stream_max(void)
{
	struct lsm_connq q = {.cookie = 7};
	struct capture_piece p[2];

	for (int i = 0; i < 3; i++) {
		struct vlsm_send e = wr(5, 1, "w");
		CHECK_EQ(lsm_connq_push(&q, &e), 0);
	}
	CHECK_EQ(lsm_connq_take(&q, 5, 3, p, 2), 2);
	CHECK_EQ(p[0].len, 1);
	CHECK(p[0].known);
	CHECK_EQ(p[1].len, 2);
	CHECK(!p[1].known);
	lsm_connq_release(&q);
}

int main(void)
{
	RUN(test_in_order);
	RUN(test_full_queue_events);
	RUN(test_full_but_queued);
	RUN(test_missing_event);
	RUN(test_bounded);
	RUN(test_stream_pieces);
	RUN(test_stream_max);
	return TEST_DONE();
}

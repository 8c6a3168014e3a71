/* relay.c - bounded, ordered forwarding of recorded messages to guest syslog daemons. */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "monitor/relay.h"
#include "util/util.h"

#define MAX_TARGETS 16
#define BACKLOG_LIMIT (4u << 20)
/*
 * How long a daemon may hold capture up without taking a single message.
 * A stalled monitor would leave sender pids unread long enough for a guest
 * to recycle them (pid_max can be 32768), so the stall is bounded.
 */
#define STUCK_MS 1000

struct pending {
	struct pending *next;
	size_t len;
	uint8_t data[];
};

struct target {
	int fd;	     /* connected SOCK_DGRAM to the daemon's socket */
	bool syslog; /* true: /dev/log format; false: journald native */
	struct pending *head, *tail;
	size_t npending;
	uint64_t progress_ms; /* last send, or when the queue last became non-empty */
};

struct relay {
	struct target t[MAX_TARGETS];
	size_t n;
	size_t queued;	  /* bytes, all targets */
	uint64_t dropped; /* copies not delivered since relay_take_dropped */
};

static uint64_t now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

int relay_new(struct relay **out)
{
	struct relay *r = calloc(1, sizeof(*r));
	if (!r)
		return -ENOMEM;
	*out = r;
	return 0;
}

static void target_drop(struct relay *r, size_t i)
{
	struct target *t = &r->t[i];
	r->dropped += t->npending;
	while (t->head) {
		struct pending *p = t->head;
		t->head = p->next;
		r->queued -= p->len;
		free(p);
	}
	close(t->fd);
	r->t[i] = r->t[--r->n];
}

void relay_free(struct relay *r)
{
	if (!r)
		return;
	while (r->n)
		target_drop(r, r->n - 1); /* the guest is gone: nobody to deliver to */
	free(r);
}

int relay_add(struct relay *r, enum guest_sock s, const struct sockaddr_un *addr, socklen_t len)
{
	if (r->n >= MAX_TARGETS)
		return -ENOSPC;
	int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0)
		return -errno;
	if (connect(fd, (const struct sockaddr *)addr, len) < 0) {
		int e = -errno;
		close(fd);
		return e;
	}
	r->t[r->n++] = (struct target){.fd = fd, .syslog = s != GUEST_SOCK_JSOCKET};
	return 0;
}

/* Send queued messages in order; false if the daemon is gone. */
static bool target_flush(struct relay *r, struct target *t)
{
	bool sent = false;

	while (t->head) {
		struct pending *p = t->head;
		ssize_t n = send(t->fd, p->data, p->len, MSG_DONTWAIT | MSG_NOSIGNAL);
		if (n < 0 && (errno == EAGAIN || errno == EINTR))
			break;
		if (n < 0 && errno != EMSGSIZE)
			return false; /* ECONNREFUSED: the daemon closed its socket */
		/* EMSGSIZE: its buffer can never take this one; skip it. */
		r->dropped += n < 0;
		t->head = p->next;
		if (!t->head)
			t->tail = NULL;
		r->queued -= p->len;
		t->npending--;
		free(p);
		sent = true;
	}
	if (sent && t->head)
		t->progress_ms = now_ms();
	return true;
}

void relay_forward(struct relay *r, enum guest_sock s, const void *data, size_t len)
{
	if (!r)
		return;
	bool syslog = s != GUEST_SOCK_JSOCKET;
	for (size_t i = 0; i < r->n;) {
		struct target *t = &r->t[i];
		if (t->syslog != syslog || s == GUEST_SOCK_JSTDOUT) {
			i++;
			continue;
		}
		struct pending *p = malloc(sizeof(*p) + len);
		if (!p) {
			r->dropped++; /* the evidence is written; only the guest's copy is lost */
			i++;
			continue;
		}
		p->next = NULL;
		p->len = len;
		memcpy(p->data, data, len);
		if (t->tail) {
			t->tail->next = p;
		} else {
			t->head = p;
			t->progress_ms = now_ms();
		}
		t->tail = p;
		t->npending++;
		r->queued += len;
		if (!target_flush(r, t)) {
			target_drop(r, i);
			continue;
		}
		i++;
	}
}

bool relay_backlogged(const struct relay *r)
{
	return r && r->queued > BACKLOG_LIMIT;
}

void relay_expire(struct relay *r)
{
	if (!relay_backlogged(r))
		return;
	uint64_t now = now_ms();
	for (size_t i = 0; i < r->n;) {
		struct target *t = &r->t[i];
		if (t->head && now - t->progress_ms > STUCK_MS)
			target_drop(r, i); /* it stays silent from now on */
		else
			i++;
	}
}

uint64_t relay_take_dropped(struct relay *r)
{
	uint64_t d = r ? r->dropped : 0;
	if (r)
		r->dropped = 0;
	return d;
}

size_t relay_pollfds(const struct relay *r, struct pollfd *pfd, size_t max)
{
	size_t k = 0;
	for (size_t i = 0; r && i < r->n && k < max; i++)
		if (r->t[i].head)
			pfd[k++] = (struct pollfd){.fd = r->t[i].fd, .events = POLLOUT};
	return k;
}

void relay_flush(struct relay *r, int fd)
{
	for (size_t i = 0; i < r->n; i++)
		if (r->t[i].fd == fd) {
			if (!target_flush(r, &r->t[i]))
				target_drop(r, i);
			return;
		}
}

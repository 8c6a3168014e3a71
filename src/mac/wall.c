/* wall.c - the broker's walled thread: performs the guest's file operations under the policy's Landlock ruleset. */
#include <errno.h>
#include <linux/futex.h>
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "lsm/lsm.h"
#include "mac/internal.h"

/*
 * Landlock restricts per thread, and a restricted thread may no longer
 * read another domain's processes (process_vm_readv, /proc/PID/fd and
 * cwd, pidfd_getfd): the broker's serving thread, which reads the guest,
 * stays outside the wall, and hands each operation that makes a file
 * description or changes the file system to this thread, which holds
 * the caller's credentials as the serving thread does at that moment.
 * One call at a time: the serving thread waits for each.  The two meet
 * through two counters and futexes.
 */
struct mac_wall {
	const struct mac_broker_state *b;
	int ruleset;
	atomic_uint started; /* 0 until the thread has tried to restrict itself (futex) */
	int start_err;	     /* then: 0, or -errno (and the thread has ended) */
	atomic_uint req;     /* a call is posted when this moves (futex) */
	atomic_uint done;    /* ...and answered when it reaches req (futex) */
	long nr, a[5], ret;
	pthread_t thread;
	int cpu;	       /* where it is pinned, or -1 */
	struct mac_tcred want; /* the credentials to call with */
	struct mac_tcred cur;  /* what the walled thread holds */
};

static void futex_wait(atomic_uint *word, unsigned val)
{
	syscall(SYS_futex, word, FUTEX_WAIT_PRIVATE, val, NULL, NULL, 0);
}

static void futex_wake(atomic_uint *word)
{
	syscall(SYS_futex, word, FUTEX_WAKE_PRIVATE, 1, NULL, NULL, 0);
}

static void *wall_main(void *p)
{
	struct mac_wall *w = p;
	int r = lsm_landlock_apply(w->ruleset);
	unsigned seen = 0;

	w->start_err = r < 0 ? r : 0;
	atomic_store(&w->started, 1);
	futex_wake(&w->started);
	if (r < 0)
		return NULL;
	for (;;) {
		unsigned q;
		while ((q = atomic_load(&w->req)) == seen)
			futex_wait(&w->req, seen);
		seen = q;
		long v = mac_tcred_apply(w->b, &w->cur, &w->want);
		if (v == 0) {
			v = syscall(w->nr, w->a[0], w->a[1], w->a[2], w->a[3], w->a[4]);
			if (v < 0)
				v = -errno;
		} else {
			v = -EPERM; /* fail closed: never act with other credentials */
		}
		w->ret = v;
		atomic_store(&w->done, q);
		futex_wake(&w->done);
	}
	return NULL;
}

int mac_wall_start(struct mac_broker_state *b, int ruleset_fd)
{
	struct mac_wall *w = calloc(1, sizeof(*w));
	pthread_t t;
	pthread_attr_t at;
	sigset_t all, old;
	int e;

	if (!w)
		return -ENOMEM;
	/* The new thread holds what the serving thread holds now: known, as after mac_cred_full. */
	w->b = b;
	w->ruleset = ruleset_fd;
	w->cur = b->cur;
	/* Signals stay the serving thread's. */
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	pthread_attr_init(&at);
	pthread_attr_setdetachstate(&at, PTHREAD_CREATE_DETACHED);
	e = pthread_create(&t, &at, wall_main, w);
	pthread_attr_destroy(&at);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (e) {
		free(w);
		return -e;
	}
	while (!atomic_load(&w->started))
		futex_wait(&w->started, 0);
	if (w->start_err < 0)
		return w->start_err; /* the thread has ended; @w is left (the broker exits now) */
	w->thread = t;
	w->cpu = -1;
	b->wall = w;
	return 0;
}

long mac_wall_syscall(struct mac_broker_state *b, long nr, long a0, long a1, long a2, long a3,
		      long a4)
{
	struct mac_wall *w = b->wall;

	if (b->cur.capeff == ~(uint64_t)0)
		return -EPERM; /* never: the serving thread's credentials are known when it acts */
	if (!w) {
		long v = syscall(nr, a0, a1, a2, a3, a4);
		return v < 0 ? -errno : v;
	}
	w->nr = nr;
	w->a[0] = a0;
	w->a[1] = a1;
	w->a[2] = a2;
	w->a[3] = a3;
	w->a[4] = a4;
	w->want = b->cur;
	/*
	 * The walled thread runs where the serving thread runs: the serving
	 * thread then sleeps and the CPU switches to it at once.  Woken on an
	 * idle CPU instead, a call cost 30 us more than unwalled in a 2-CPU VM,
	 * pinned 7 us (docs/BENCHMARKS.md, "The broker behind the wall").  A
	 * failed pin only costs that time.
	 */
	int cpu = sched_getcpu();
	if (cpu >= 0 && cpu != w->cpu) {
		cpu_set_t cs;
		CPU_ZERO(&cs);
		CPU_SET(cpu, &cs);
		pthread_setaffinity_np(w->thread, sizeof(cs), &cs);
		w->cpu = cpu;
	}
	unsigned q = atomic_load(&w->req) + 1;
	atomic_store(&w->req, q);
	futex_wake(&w->req);
	unsigned d;
	while ((d = atomic_load(&w->done)) != q)
		futex_wait(&w->done, d);
	return w->ret;
}

int mac_wall_enter(const struct mac_broker_state *b)
{
	return b->wall ? lsm_landlock_apply(b->wall->ruleset) : 0;
}

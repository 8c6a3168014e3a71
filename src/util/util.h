/* util.h - ownership helpers (cleanup attributes) and small shared macros. */
#ifndef VMMSEC_UTIL_H
#define VMMSEC_UTIL_H

#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <unistd.h>

#define VMM_ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

static inline void util_freep(void *p)
{
	free(*(void **)p);
}

static inline void util_closep(int *fd)
{
	if (*fd >= 0) {
		int saved = errno; /* errno survives cleanup (s6 style) */
		close(*fd);
		errno = saved;
	}
}

#define cleanup_free __attribute__((cleanup(util_freep)))
#define cleanup_fd __attribute__((cleanup(util_closep)))

/* Hand ownership on: returns the value and clears the variable. */
#define steal_pointer(pp)                                                                          \
	({                                                                                         \
		__typeof__(*(pp)) _v = *(pp);                                                      \
		*(pp) = NULL;                                                                      \
		_v;                                                                                \
	})
#define steal_fd(fdp)                                                                              \
	({                                                                                         \
		int _fd = *(fdp);                                                                  \
		*(fdp) = -1;                                                                       \
		_fd;                                                                               \
	})

/* Retry a syscall-style expression while it fails with EINTR. */
#define RETRY_EINTR(expr)                                                                          \
	({                                                                                         \
		long _r;                                                                           \
		do                                                                                 \
			_r = (long)(expr);                                                         \
		while (_r == -1 && errno == EINTR);                                                \
		_r;                                                                                \
	})

/* Little-endian encoders for evidence-log fields. */
static inline void util_put_le32(uint8_t *p, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

static inline void util_put_le64(uint8_t *p, uint64_t v)
{
	for (int i = 0; i < 8; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

/* Write all of buf; returns 0 or -errno. */
int util_write_all(int fd, const void *buf, size_t len);
/* Read up to len bytes, retrying short reads until EOF; returns bytes or -errno. */
ssize_t util_read_full(int fd, void *buf, size_t len);
/*
 * util_vm_read_str - copy the NUL-terminated string at @addr in process
 * @pid into @buf (@len bytes with the NUL).  Callers read guest memory
 * once: a guest thread may rewrite it.  0, -EFAULT or -ENAMETOOLONG.
 */
int util_vm_read_str(pid_t pid, uint64_t addr, char *buf, size_t len);

/*
 * Pins: O_PATH fds held on the policy's objects for the whole run.  A
 * referenced inode is never freed, so its number cannot be given to a new
 * object that would then inherit the old one's rules (decisions are keyed
 * by device and inode number).
 */
struct util_pins {
	int *fd;
	size_t n, cap;
};
/* Take @fd into @p (owned from then on, closed by util_pins_release).  0 or -ENOMEM. */
int util_pins_add(struct util_pins *p, int fd);
void util_pins_release(struct util_pins *p);
/*
 * util_nofile_raise - as many open files as this process may have: the soft
 * limit up to the hard one, and with CAP_SYS_RESOURCE both up to
 * fs.nr_open.  For the monitor once the guest has forked (the broker
 * inherits it), never for the guest.
 */
int util_nofile_raise(void);

#endif

/* report.h - render evidence-log records as journalctl-like text or JSON Lines. */
#ifndef VMMSEC_REPORT_H
#define VMMSEC_REPORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "evlog/evlog.h"

/*
 * Output is built for a reader who must not be fooled by what a guest wrote:
 * every guest-controlled byte is escaped so it cannot forge a field, a line
 * or a terminal escape sequence.  A record renders as one line, except a
 * journald native datagram holding several entries, which renders one line
 * per entry (same seq; an "entry" index from 0 is added).  Every line ends
 * with '\n'.
 *
 * ---- JSON Lines (REPORT_JSON) ----
 * Keys, in this order; absent or malformed fields are null:
 *   every record: seq (number), time (RFC 3339 UTC, microseconds, "Z"),
 *     kind ("guest-start", "guest-exit", "syslog", "lost", "checkpoint",
 *     "access"; "unknown" plus kind_id (number) for anything else), pid,
 *     host_pid, uid, gid (numbers), comm, exe (strings).
 *   syslog: transport ("dgram", "stream", "journal"), socket, facility,
 *     severity (numbers), tag, syslog_pid (the pid the message claims:
 *     [PID], PROCID or SYSLOG_PID, a string), message, parsed (bool), then
 *     EITHER raw (the exact bytes as a string, when valid UTF-8 without NUL)
 *     OR raw_b64 (standard base64 with padding) - never both; then
 *     claimed_uid, claimed_gid (numbers), sender_exited, from_fd, fd_unsealed,
 *     truncated,
 *     continued (bools); for transport journal also entry (only when the
 *     datagram has several entries; raw is then that entry's bytes) and
 *     fields: an object of the entry's fields, each value a string when
 *     valid UTF-8 without NUL, else {"b64":"..."}; a name sent several times
 *     maps to an array of such values in the order sent.
 *   guest-start: argv (array of strings), namespaces, policy_hash (hex),
 *     uid_map, backend.
 *   guest-exit: wait_status, exit_code, signal (number when the guest was
 *     killed by a signal, else null).
 *   lost: count, reason.
 *   access: path (as the guest asked), resolved (the kernel's path of the
 *     object), dev, ino (numbers), access ("r", "w", "a", "rw", ...),
 *     decision ("allow" or "deny"), reason (rule FILE:LINE, "default" or the
 *     BLP clause), syscall.
 *   checkpoint: only the common keys (checkpoint internals are never
 *     rendered).
 * Strings: '"' '\\' '\b' '\f' '\n' '\r' '\t' use the short escapes, other
 * C0 controls, DEL, C1 controls (U+0080..U+009F) and U+2028/U+2029 become
 * \u00XX / \u20XX, each byte that is not part of a strictly valid UTF-8
 * sequence becomes U+FFFD.  Exactness lives in raw/raw_b64 only.
 *
 * ---- human (REPORT_HUMAN) ----
 *   TIME seq=N[ entry=K] syslog COMM[PID/HOST_PID] uid=UID[ FLAG...]: BODY
 *     FLAG: "exited" (sender gone before attribution), "from-fd" (raw came
 *     in an SCM_RIGHTS fd), "unsealed" (that fd could still be written when it
 *     was read), "truncated", "continued" - placed before the
 *     colon, where the guest cannot write.  BODY is "TAG[PID]: MESSAGE"
 *     ("[PID]" only when the message claims one, "TAG: " only when it has
 *     a tag), or "(unparsed, N bytes) PREFIX" with the first
 *     REPORT_HUMAN_PREFIX bytes of raw and "..." when there are more.
 *   TIME seq=N guest-start uid=U gid=G pid=P/HP backend=B argv=ARG ARG...
 *   TIME seq=N guest-exit status=S code=C[ signal=N]
 *   TIME seq=N lost count=N reason=R
 *   TIME seq=N checkpoint
 *   TIME seq=N access COMM[PID/HOST_PID] uid=UID DECISION ACCESS PATH
 *     (RESOLVED) syscall=NAME reason=REASON
 *   TIME seq=N kind=K                               (unknown kinds)
 * Unknown numbers print as "?", a missing comm as "?".  Escaping: bytes
 * 0x20..0x7e print as is except '\\' -> "\\\\"; valid UTF-8 prints as is
 * except C1 controls, zero-width, bidi and line/paragraph separators
 * (U+200B..U+200F, U+2028..U+202E, U+2060..U+206F, U+FEFF), which print
 * as \xNN per byte like every other byte; in COMM and each ARG a space is
 * \x20 too, so they stay one token.
 */

#define REPORT_HUMAN_PREFIX 128

enum report_format {
	REPORT_HUMAN = 0,
	REPORT_JSON = 1,
};

/*
 * Growable output buffer.  data is always NUL-terminated when not NULL.
 * After an allocation failure the buffer is poisoned: err holds -ENOMEM and
 * every later append is a no-op returning it, so callers check once.
 */
struct report_buf {
	char *data;
	size_t len;
	size_t cap;
	int err;
};

void report_buf_init(struct report_buf *b);
/* Free the storage and re-initialise; safe on an initialised empty buffer. */
void report_buf_release(struct report_buf *b);
/* Forget the contents (and a previous error), keep the storage. */
void report_buf_reset(struct report_buf *b);
/* Append @len bytes.  Returns 0 or -ENOMEM. */
int report_buf_append(struct report_buf *b, const void *p, size_t len);
/* Append formatted text.  Returns 0, -ENOMEM, or -EINVAL on a format error. */
int report_buf_printf(struct report_buf *b, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/*
 * report_json_string - append @len bytes of untrusted text as a quoted JSON
 * string (escapes as described above, U+FFFD for invalid UTF-8).
 * Returns 0 or -ENOMEM.
 */
int report_json_string(struct report_buf *b, const void *s, size_t len);
/*
 * report_base64 - append standard base64 (RFC 4648, padded) of @len bytes,
 * without quotes.  Returns 0 or -ENOMEM.
 */
int report_base64(struct report_buf *b, const void *s, size_t len);
/*
 * report_escape - append untrusted bytes for a terminal (\xNN escaping as
 * described above); @escape_space also turns ' ' into \x20.
 * Returns 0 or -ENOMEM.
 */
int report_escape(struct report_buf *b, const void *s, size_t len, bool escape_space);
/*
 * report_time - append @time_ns as "YYYY-MM-DDThh:mm:ss.uuuuuuZ" (UTC,
 * truncated to microseconds, correct for times before 1970).
 * Returns 0, -ENOMEM, or -EOVERFLOW if gmtime_r cannot represent it.
 */
int report_time(struct report_buf *b, int64_t time_ns);

/*
 * report_render - append the line(s) for @rec in @fmt to @out.
 * Returns 0, -ENOMEM, or -EINVAL for an unknown @fmt.  Malformed fields
 * never fail rendering: they show as null / "?".
 */
int report_render(const struct evlog_record *rec, enum report_format fmt, struct report_buf *out);

#endif

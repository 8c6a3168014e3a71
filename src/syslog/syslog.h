/* syslog.h - parse untrusted syslog, journald native and stdout-stream bytes into slices. */
#ifndef VMMSEC_SYSLOG_H
#define VMMSEC_SYSLOG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*
 * Everything here parses bytes a guest sent, so every function is pure, never
 * allocates, never reads past the length it is given and never needs a NUL
 * terminator.  Results are slices into the caller's buffer: they stay valid as
 * long as that buffer does.  Parsing never fails hard: input that matches no
 * format is still described (format SYSLOG_FMT_NONE, message = the payload),
 * and `parsed` tells whether the bytes can be trusted to mean what the fields
 * say.
 *
 * A message is "parsed" only when all of these hold:
 *   - its framing matches one of the formats below;
 *   - the payload is strictly valid UTF-8 (no overlongs, no surrogates,
 *     nothing above U+10FFFF, no truncated sequences);
 *   - it holds no NUL byte, except a single trailing terminator.
 * Length alone never makes a message unparsed.
 *
 * Framing terminator: one trailing '\n' or NUL (Python's SysLogHandler
 * appends a NUL, some clients a newline) is stripped from `message`, never from
 * the raw bytes the caller keeps.  Only one is stripped.
 *
 * Datagram heuristics (RFC 3164 and its local variants), in order:
 *   1. "<PRI>" is required: 1-3 digits, no leading zero, value 0..191, then
 *      '>'.  Anything else is format NONE.
 *   2. "<PRI>1 " selects RFC 5424; if the rest does not follow RFC 5424 the
 *      message is format NONE (never reinterpreted as RFC 3164).
 *   3. Otherwise RFC 3164: an optional timestamp, either "Mmm dd hh:mm:ss "
 *      (day space- or zero-padded, as glibc and musl send) or an RFC 3339
 *      timestamp followed by a space (rsyslog's high-precision form).
 *   4. A TAG is a token of 1..SYSLOG_TAG_MAX bytes, none of them space,
 *      control, ':', '[' or ']', optionally followed by "[PID]" (1..10 ASCII
 *      digits), then ':' followed by a space or the end of the payload.  This
 *      is what glibc, musl, busybox and logger(1) emit.  "Error: disk full"
 *      therefore yields tag "Error"; that is the price of recognising
 *      Python's "<PRI>ident: msg" without a timestamp.
 *   5. Only after a timestamp, a token of hostname characters (letters,
 *      digits, '.', '-', '_', ':') followed by a space and a TAG is taken as
 *      HOSTNAME (logger --rfc3164 to a remote).  A token not followed by a TAG
 *      is never a hostname, so "<13>Nov 26 15:53:21 hello world" has no host,
 *      no tag and message "hello world".
 *   6. Without a TAG, the whole rest (after PRI and timestamp) is the message.
 *
 * RFC 5424 is checked strictly: version 1, timestamp "-" or full RFC 3339
 * (1-6 fraction digits, "Z" or +hh:mm), HOSTNAME/APP-NAME/PROCID/MSGID "-" or
 * printable US-ASCII within the RFC's lengths, STRUCTURED-DATA "-" or
 * well-formed elements (an unescaped ']' inside a quoted value is tolerated:
 * the quotes already delimit it).  A UTF-8 BOM at the start of MSG is removed
 * from `message`.  `tag` is APP-NAME and `pid` is PROCID (nil values absent).
 */

#define SYSLOG_TAG_MAX 128	      /* longest RFC 3164 tag recognised */
#define SYSLOG_STREAM_HEADER_MAX 4096 /* longest stdout-stream header accepted */

/* A byte range inside the input.  ptr == NULL means the item is absent. */
struct syslog_slice {
	const uint8_t *ptr;
	size_t len;
};

enum syslog_format {
	SYSLOG_FMT_NONE = 0, /* no framing matched: message is the whole payload */
	SYSLOG_FMT_RFC3164,
	SYSLOG_FMT_RFC5424,
	SYSLOG_FMT_JOURNAL, /* one journald native-protocol entry */
	SYSLOG_FMT_STREAM,  /* one journald stdout-stream line */
};

struct syslog_msg {
	enum syslog_format format;
	bool parsed;
	int facility; /* 0..23, or -1 when unknown */
	int severity; /* 0..7, or -1 when unknown */
	struct syslog_slice timestamp;
	struct syslog_slice hostname;
	struct syslog_slice tag;   /* 3164 TAG, 5424 APP-NAME, SYSLOG_IDENTIFIER */
	struct syslog_slice pid;   /* claimed pid: [PID], PROCID, SYSLOG_PID */
	struct syslog_slice msgid; /* RFC 5424 only */
	struct syslog_slice sd;	   /* RFC 5424 STRUCTURED-DATA text, nil absent */
	struct syslog_slice message;
};

/* ---- UTF-8 ---- */

/*
 * syslog_utf8_seq - length (1..4) of the strictly valid UTF-8 sequence that
 * starts at @p, or 0 if the bytes there are not one (overlong, surrogate,
 * above U+10FFFF, stray continuation, truncated by @len).  @len must be > 0.
 */
size_t syslog_utf8_seq(const uint8_t *p, size_t len);
/* syslog_utf8_valid - true if all @len bytes are strictly valid UTF-8. */
bool syslog_utf8_valid(const void *buf, size_t len);
/* syslog_text_clean - valid UTF-8 and no NUL byte. */
bool syslog_text_clean(const void *buf, size_t len);

/* ---- datagrams (/dev/log) ---- */

/*
 * syslog_pri_parse - parse "<PRI>" at the start of @buf.
 * Returns the number of bytes consumed (3..5) and sets *@pri (0..191), or
 * -EBADMSG when there is no well-formed PRI (missing '<' or '>', no digits,
 * more than 3 digits, a leading zero, a value above 191).
 */
int syslog_pri_parse(const void *buf, size_t len, int *pri);

/*
 * syslog_parse - parse one datagram as RFC 5424 or RFC 3164 (auto-detected;
 * see the heuristics above) into @out.  @out is always filled.
 * Returns 0 when the message is parsed, -EBADMSG when it is not (framing not
 * recognised, invalid UTF-8 or an embedded NUL).
 */
int syslog_parse(const void *buf, size_t len, struct syslog_msg *out);

/* ---- journald native protocol (/run/systemd/journal/socket) ---- */

/*
 * An entry is a run of fields, each either "NAME=value\n" or
 * "NAME\n" <u64 little-endian length> <value> "\n".  Entries in one datagram
 * are separated by an empty line.  Names are recorded as they came; use
 * syslog_journal_name_valid to judge them.
 */
struct syslog_jfield {
	struct syslog_slice name;
	struct syslog_slice value;
	bool binary; /* sent in the length-prefixed form */
};

struct syslog_jfield_iter {
	const uint8_t *buf;
	size_t len;
	size_t off;
};

void syslog_jfield_iter_init(struct syslog_jfield_iter *it, const void *buf, size_t len);
/*
 * syslog_jfield_next - next field of the entry at the iterator.
 * Returns 1 with @f filled; 0 at the end of the entry (end of the buffer, or
 * an empty line, which is left unconsumed at it->off); -EBADMSG when the
 * bytes at it->off are not a complete field (no newline, a binary length
 * that runs past the buffer, no newline after a binary value).  After 0 or
 * -EBADMSG every further call returns the same.
 */
int syslog_jfield_next(struct syslog_jfield_iter *it, struct syslog_jfield *f);

/*
 * syslog_journal_name_valid - journald's rule for field names: 1..64 bytes
 * of 'A'-'Z', '0'-'9', '_', not starting with a digit, and, unless
 * @allow_trusted, not starting with '_' (trusted fields journald itself adds).
 */
bool syslog_journal_name_valid(const void *name, size_t len, bool allow_trusted);

struct syslog_journal_iter {
	const uint8_t *buf;
	size_t len;
	size_t off;
};

void syslog_journal_iter_init(struct syslog_journal_iter *it, const void *buf, size_t len);
/*
 * syslog_journal_next - next entry of a native-protocol datagram.
 * Returns 1 with @entry set to the entry's bytes (its fields, without the
 * separating empty line) and @msg summarising it; 0 when no entry is left.
 * Blank lines between entries are skipped.  A malformed entry is returned
 * once, with msg->parsed false and @entry covering the rest of the buffer;
 * iteration then ends.  Summary: the first MESSAGE, SYSLOG_IDENTIFIER (tag),
 * SYSLOG_PID (pid), PRIORITY (one digit 0-7: severity) and SYSLOG_FACILITY
 * (0..23 without leading zeros: facility).  The entry is parsed when its
 * framing is complete, every name is valid (trusted names allowed: journald
 * drops them, the entry is still well-formed), PRIORITY/SYSLOG_FACILITY are
 * well-formed when present, and MESSAGE, SYSLOG_IDENTIFIER and SYSLOG_PID are
 * valid UTF-8 without NUL.  Other values may be binary: that is legitimate.
 */
int syslog_journal_next(struct syslog_journal_iter *it, struct syslog_slice *entry,
			struct syslog_msg *msg);

/* ---- journald stdout stream (/run/systemd/journal/stdout) ---- */

struct syslog_stream_header {
	struct syslog_slice identifier; /* empty slice when none was given */
	struct syslog_slice unit_id;
	int priority; /* 0..191 as sent; -1 when malformed */
	bool level_prefix;
	bool forward_to_syslog;
	bool forward_to_kmsg;
	bool forward_to_console;
	size_t len; /* header bytes (7 lines), 0 when incomplete or too long */
};

/*
 * syslog_stream_header_parse - parse the 7 newline-terminated header lines
 * (identifier, unit id, priority, level_prefix, forward_to_syslog,
 * forward_to_kmsg, forward_to_console) at the start of @buf.
 * Returns 0 when the header is complete and well-formed; -EAGAIN when fewer
 * than 7 lines are present and @len < SYSLOG_STREAM_HEADER_MAX (read more);
 * -EBADMSG when it is complete but malformed (h->len is then still set, so
 * the caller can store it verbatim and move on) or when no complete header
 * fits in SYSLOG_STREAM_HEADER_MAX bytes (h->len is 0).  Booleans accept
 * systemd's spellings (1/0, yes/no, y/n, true/false, t/f, on/off).
 */
int syslog_stream_header_parse(const void *buf, size_t len, struct syslog_stream_header *h);

/*
 * syslog_stream_line_parse - describe one stream line.  @h is the stream's
 * header, or NULL if it is unknown.  With level_prefix a leading "<D>"
 * (D = 0..7) overrides the header's severity and is removed from the
 * message.  tag = identifier (absent when empty), severity = priority & 7,
 * facility = priority >> 3 when non-zero (journald's rule).
 * Returns 0 when parsed, -EBADMSG when not (no or malformed header, invalid
 * UTF-8 or an embedded NUL).  @out is always filled.
 */
int syslog_stream_line_parse(const struct syslog_stream_header *h, const void *line, size_t len,
			     struct syslog_msg *out);

#endif

/* test_evlog.c - unit tests for the evidence log: round trip, tamper classes, crash, anchors. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <sodium.h>

#include "evlog/evlog.h"
#include "evlog/format.h"
#include "util/util.h"
#include "test.h"

/* ---- fixtures ---- */

struct tdir {
	char path[64];
	int fd;
};

static void tdir_make(struct tdir *d)
{
	strcpy(d->path, "/tmp/test_evlog.XXXXXX");
	if (!mkdtemp(d->path)) {
		perror("mkdtemp");
		exit(2);
	}
	d->fd = open(d->path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (d->fd < 0) {
		perror("open tmpdir");
		exit(2);
	}
}

/* A fresh directory fd: a dup would share (and exhaust) the read position. */
static void tdir_clean(struct tdir *d)
{
	DIR *dir = fdopendir(openat(d->fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC));
	struct dirent *de;

	while (dir && (de = readdir(dir)))
		if (strcmp(de->d_name, ".") && strcmp(de->d_name, ".."))
			unlinkat(d->fd, de->d_name, 0);
	if (dir)
		closedir(dir);
	close(d->fd);
	rmdir(d->path);
}

static int count_logs(struct tdir *d)
{
	DIR *dir = fdopendir(openat(d->fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC));
	struct dirent *de;
	int n = 0;

	while (dir && (de = readdir(dir))) {
		size_t l = strlen(de->d_name);
		n += l > 4 && strcmp(de->d_name + l - 4, ".evl") == 0;
	}
	if (dir)
		closedir(dir);
	return n;
}

static uint8_t *slurp_fd(int fd, size_t *len)
{
	struct stat st;
	uint8_t *buf;

	if (fstat(fd, &st) < 0)
		return NULL;
	buf = malloc((size_t)st.st_size + 1);
	if (buf && pread(fd, buf, (size_t)st.st_size, 0) != st.st_size) {
		free(buf);
		return NULL;
	}
	*len = (size_t)st.st_size;
	return buf;
}

static uint8_t *slurp(struct tdir *d, const char *name, size_t *len)
{
	int fd = openat(d->fd, name, O_RDONLY | O_CLOEXEC);
	uint8_t *buf;

	if (fd < 0)
		return NULL;
	buf = slurp_fd(fd, len);
	close(fd);
	return buf;
}

static int mem_fd(const void *buf, size_t len)
{
	int fd = memfd_create("evl", MFD_CLOEXEC);

	if (fd < 0 || pwrite(fd, buf, len, 0) != (ssize_t)len) {
		perror("memfd");
		exit(2);
	}
	return fd;
}

static int text_fd(const char *s)
{
	return mem_fd(s, strlen(s));
}

static struct evlog_verify_result verify_buf(const void *buf, size_t len,
					     const struct evlog_anchors *a)
{
	struct evlog_verify_result res;
	int fd = mem_fd(buf, len);

	if (evlog_verify(fd, a, &res) != 0)
		res.damage = (enum evlog_damage) - 1;
	close(fd);
	return res;
}

static struct evlog_writer *new_writer(struct tdir *d, unsigned every, int anchor_fd,
				       enum evlog_sync sync)
{
	struct evlog_writer_opts o = {
		.checkpoint_every = every, .anchor_fd = anchor_fd, .sync = sync};
	struct evlog_writer *w = NULL;
	int r = evlog_writer_new(&w, d->fd, &o);

	if (r < 0) {
		printf("# evlog_writer_new: %s\n", strerror(-r));
		exit(2);
	}
	return w;
}

/* One syslog record whose EVF_RAW says which it is. */
static int append_msg(struct evlog_writer *w, unsigned i)
{
	char raw[32];
	uint32_t pid = 100 + i;
	struct evlog_field f[2] = {
		{EVF_PID, 4, &pid},
		{EVF_RAW, 0, raw},
	};

	f[1].len = (uint32_t)snprintf(raw, sizeof(raw), "<13>message %u", i);
	return evlog_append(w, EVLOG_SYSLOG, f, 2);
}

/* Offsets and lengths of every complete record of a log image. */
struct layout {
	size_t n;
	size_t off[64];
	size_t len[64];
};

static void layout_of(const uint8_t *buf, size_t len, struct layout *l)
{
	size_t off = EVLOG_HDR_SIZE;

	l->n = 0;
	while (len - off >= 8 && l->n < 64) {
		uint32_t rl = get_le32(buf + off);
		if (rl > len - off)
			break;
		l->off[l->n] = off;
		l->len[l->n++] = rl;
		off += rl;
	}
}

/* Recompute prev links and heads from record @from on, as a keyless forger would. */
static void relink(uint8_t *buf, size_t len, size_t from)
{
	struct layout l;

	layout_of(buf, len, &l);
	for (size_t i = from; i < l.n; i++) {
		uint8_t *r = buf + l.off[i];
		const uint8_t *prev = i ? buf + l.off[i - 1] + l.len[i - 1] - EVLOG_HASH_BYTES
					: buf + EVLOG_HDR_HASHED;

		memcpy(r + offsetof(struct evlog_disk_rec, prev), prev, EVLOG_HASH_BYTES);
		crypto_generichash(r + l.len[i] - EVLOG_HASH_BYTES, EVLOG_HASH_BYTES, r,
				   l.len[i] - EVLOG_HASH_BYTES, NULL, 0);
	}
}

/* A small closed log: records 0,1, checkpoint 2, record 3, final checkpoint 4. */
static uint8_t *small_log(struct tdir *d, int anchor_fd, size_t *len, struct evlog_anchors *a)
{
	struct evlog_writer *w = new_writer(d, 1000, anchor_fd, EVLOG_SYNC_BATCH);
	uint8_t logid[EVLOG_LOGID_BYTES];
	uint8_t *buf;

	CHECK_EQ(append_msg(w, 0), 0);
	CHECK_EQ(append_msg(w, 1), 0);
	CHECK_EQ(evlog_checkpoint(w), 0);
	CHECK_EQ(append_msg(w, 3), 0);
	CHECK_EQ(evlog_writer_close(w), 0);
	memcpy(logid, evlog_writer_logid(w), sizeof(logid));
	buf = slurp(d, evlog_writer_name(w), len);
	evlog_writer_free(w);
	if (a)
		CHECK_EQ(evlog_anchors_load(anchor_fd, logid, a, NULL, NULL), 0);
	return buf;
}

static int anchor_file(struct tdir *d)
{
	int fd = openat(d->fd, "anchors", O_RDWR | O_APPEND | O_CREAT | O_CLOEXEC, 0600);

	if (fd < 0) {
		perror("anchors");
		exit(2);
	}
	return fd;
}

/* ---- tests ---- */

static void test_names(void)
{
	char hex[9];

	CHECK_STR(evlog_kind_name(EVLOG_GUEST_START), "guest-start");
	CHECK_STR(evlog_kind_name(EVLOG_GUEST_EXIT), "guest-exit");
	CHECK_STR(evlog_kind_name(EVLOG_SYSLOG), "syslog");
	CHECK_STR(evlog_kind_name(EVLOG_LOST), "lost");
	CHECK_STR(evlog_kind_name(EVLOG_CHECKPOINT), "checkpoint");
	CHECK_STR(evlog_kind_name(EVLOG_ACCESS), "access");
	CHECK(evlog_kind_name(0) == NULL);
	CHECK(evlog_kind_name(7) == NULL);
	CHECK_EQ(evlog_kind_parse("syslog"), EVLOG_SYSLOG);
	CHECK_EQ(evlog_kind_parse("access"), EVLOG_ACCESS);
	CHECK_EQ(evlog_kind_parse("guest-start"), EVLOG_GUEST_START);
	CHECK_EQ(evlog_kind_parse("Syslog"), -EINVAL);
	CHECK_EQ(evlog_kind_parse(""), -EINVAL);
	CHECK_STR(evlog_damage_name(EVLOG_INTACT), "intact");
	CHECK_STR(evlog_damage_name(EVLOG_ROLLED_BACK), "rolled-back");
	CHECK_STR(evlog_damage_name(EVLOG_BAD_HEADER), "bad-header");
	evlog_hex((const uint8_t *)"\x01\xab\xff\x00", 4, hex);
	CHECK_STR(hex, "01abff00");
}

static void test_round_trip(void)
{
	struct tdir d;
	struct evlog_writer *w;
	struct evlog_reader *r;
	struct evlog_record rec;
	struct stat st;
	uint32_t pid = 4242, u32;
	uint64_t lost = 0x1122334455667788ull, u64;
	char name[64], idhex[33];
	uint8_t *big = malloc(EVLOG_RAW_MAX);
	int fd;

	tdir_make(&d);
	w = new_writer(&d, 1000, -1, EVLOG_SYNC_BATCH);
	snprintf(name, sizeof(name), "%s", evlog_writer_name(w));
	evlog_hex(evlog_writer_logid(w), EVLOG_LOGID_BYTES, idhex);
	CHECK_EQ(strlen(name), strlen("vmmsec-20250101T000000Z-12345678.evl"));
	CHECK(strncmp(name, "vmmsec-", 7) == 0);
	CHECK(name[15] == 'T' && name[22] == 'Z' && name[23] == '-');
	CHECK(strncmp(name + 24, idhex, 8) == 0);
	CHECK_STR(name + 32, ".evl");
	CHECK_EQ(fstatat(d.fd, name, &st, AT_SYMLINK_NOFOLLOW), 0);
	CHECK_EQ(st.st_mode & 07777, 0600);
	CHECK_EQ(st.st_size, EVLOG_HDR_SIZE);

	for (size_t i = 0; i < EVLOG_RAW_MAX; i++)
		big[i] = (uint8_t)(i * 31 + 7);
	struct evlog_field f1[4] = {
		{EVF_PID, 4, &pid},
		{EVF_COMM, 4, "sshd"},
		{EVF_EXE, 0, NULL},
		{EVF_LOST_COUNT, 8, &lost},
	};
	struct evlog_field f2[1] = {{EVF_RAW, EVLOG_RAW_MAX, big}};
	CHECK_EQ(evlog_append(w, EVLOG_GUEST_START, f1, 4), 0);
	CHECK_EQ(evlog_append(w, EVLOG_SYSLOG, f2, 1), 0);
	CHECK_EQ(evlog_append(w, EVLOG_LOST, NULL, 0), 0);
	CHECK_EQ(evlog_writer_next_seq(w), 3);
	CHECK_EQ(evlog_writer_unsealed(w), 3);
	CHECK_EQ(evlog_writer_close(w), 0);
	CHECK_EQ(evlog_writer_next_seq(w), 4);
	CHECK_EQ(evlog_writer_unsealed(w), 0);

	fd = openat(d.fd, name, O_RDONLY | O_CLOEXEC);
	CHECK_EQ(evlog_reader_new(&r, fd), 0);
	CHECK_MEM(evlog_reader_header(r)->logid, 16, evlog_writer_logid(w), 16);
	CHECK_MEM(evlog_reader_header(r)->pubkey, 32, evlog_writer_pubkey(w), 32);
	CHECK_EQ(evlog_reader_next(r, &rec), 1);
	CHECK_EQ(rec.seq, 0);
	CHECK_EQ(rec.kind, EVLOG_GUEST_START);
	CHECK_EQ(rec.offset, EVLOG_HDR_SIZE);
	CHECK(rec.time_ns >= evlog_reader_header(r)->created_ns);
	CHECK_EQ(rec.nfields, 4);
	CHECK_EQ(evlog_field_u32(&rec, EVF_PID, &u32), 0);
	CHECK_EQ(u32, 4242);
	CHECK_EQ(evlog_field_u64(&rec, EVF_LOST_COUNT, &u64), 0);
	CHECK_EQ(u64, 0x1122334455667788ull);
	CHECK_EQ(evlog_field_u32(&rec, EVF_LOST_COUNT, &u32), -EBADMSG);
	CHECK_EQ(evlog_field_u64(&rec, EVF_PID, &u64), -EBADMSG);
	CHECK_EQ(evlog_field_u32(&rec, EVF_UID, &u32), -ENOENT);
	CHECK(evlog_record_field(&rec, EVF_COMM) != NULL);
	CHECK_MEM(evlog_record_field(&rec, EVF_COMM)->data, 4, "sshd", 4);
	CHECK_EQ(evlog_record_field(&rec, EVF_EXE)->len, 0);
	CHECK(evlog_record_field(&rec, EVF_RAW) == NULL);
	CHECK_EQ(evlog_reader_next(r, &rec), 1);
	CHECK_EQ(rec.seq, 1);
	CHECK_EQ(rec.kind, EVLOG_SYSLOG);
	CHECK_EQ(rec.nfields, 1);
	CHECK_EQ(rec.fields[0].tag, EVF_RAW);
	CHECK_MEM(rec.fields[0].data, rec.fields[0].len, big, EVLOG_RAW_MAX);
	CHECK_EQ(evlog_reader_next(r, &rec), 1);
	CHECK_EQ(rec.seq, 2);
	CHECK_EQ(rec.kind, EVLOG_LOST);
	CHECK_EQ(rec.nfields, 0);
	CHECK_EQ(evlog_reader_next(r, &rec), 1);
	CHECK_EQ(rec.seq, 3);
	CHECK_EQ(rec.kind, EVLOG_CHECKPOINT);
	CHECK_EQ(evlog_reader_next(r, &rec), 0);
	CHECK_EQ(evlog_reader_next(r, &rec), 0);
	CHECK_EQ(evlog_reader_offset(r), (uint64_t)lseek(fd, 0, SEEK_END));
	evlog_reader_free(r);
	close(fd);
	evlog_writer_free(w);
	evlog_reader_free(NULL);
	evlog_writer_free(NULL);
	free(big);
	tdir_clean(&d);
}

static void test_auto_checkpoint(void)
{
	struct tdir d;
	struct evlog_writer *w;
	struct evlog_reader *r;
	struct evlog_record rec;
	struct evlog_verify_result res;
	uint16_t kinds[16];
	size_t n = 0;
	int fd;

	tdir_make(&d);
	w = new_writer(&d, 3, -1, EVLOG_SYNC_BATCH);
	fd = openat(d.fd, evlog_writer_name(w), O_RDONLY | O_CLOEXEC);
	CHECK_EQ(append_msg(w, 0), 0);
	CHECK_EQ(append_msg(w, 1), 0);
	CHECK_EQ(evlog_writer_unsealed(w), 2);
	CHECK_EQ(append_msg(w, 2), 0); /* triggers checkpoint seq 3 */
	CHECK_EQ(evlog_writer_unsealed(w), 0);
	CHECK_EQ(evlog_writer_next_seq(w), 4);
	CHECK_EQ(evlog_checkpoint(w), 0); /* nothing unsealed: no record */
	CHECK_EQ(evlog_writer_next_seq(w), 4);
	CHECK_EQ(evlog_verify(fd, NULL, &res), 0);
	CHECK_EQ(res.damage, EVLOG_INTACT);
	CHECK_EQ(res.records, 4);
	CHECK_EQ(res.sealed_seq, 3);
	CHECK_EQ(res.last_seq, 3);
	CHECK(!res.final);
	CHECK(strstr(res.detail, "all records are sealed by checkpoint 3") != NULL);
	CHECK_EQ(append_msg(w, 4), 0);
	CHECK_EQ(evlog_checkpoint(w), 0); /* timer checkpoint: seq 5 */
	CHECK_EQ(evlog_writer_next_seq(w), 6);
	for (unsigned i = 6; i < 9; i++)
		CHECK_EQ(append_msg(w, i), 0); /* 6,7,8 then automatic checkpoint 9 */
	CHECK_EQ(evlog_writer_next_seq(w), 10);
	CHECK_EQ(evlog_writer_close(w), 0); /* final checkpoint 10 */
	CHECK_EQ(evlog_reader_new(&r, fd), 0);
	while (n < 16 && evlog_reader_next(r, &rec) == 1) {
		CHECK_EQ(rec.seq, n);
		kinds[n++] = rec.kind;
	}
	CHECK_EQ(n, 11);
	for (size_t i = 0; i < n && i < 16; i++)
		CHECK_EQ(kinds[i],
			 (i == 3 || i == 5 || i == 9 || i == 10) ? EVLOG_CHECKPOINT : EVLOG_SYSLOG);
	evlog_reader_free(r);
	CHECK_EQ(evlog_verify(fd, NULL, &res), 0);
	CHECK_EQ(res.damage, EVLOG_INTACT);
	CHECK(res.final);
	CHECK_EQ(res.sealed_seq, 10);
	CHECK_EQ(res.records, 11);
	close(fd);
	evlog_writer_free(w);
	tdir_clean(&d);
}

static void test_close_final_with_anchors(void)
{
	static const enum evlog_sync syncs[] = {EVLOG_SYNC_BATCH, EVLOG_SYNC_ALWAYS,
						EVLOG_SYNC_NONE};

	for (size_t s = 0; s < 3; s++) {
		struct tdir d;
		struct evlog_anchors a;
		struct evlog_verify_result res;
		struct evlog_writer *w;
		char line[256], id[33], pk[65];
		size_t len;
		uint8_t *buf;
		int afd;

		tdir_make(&d);
		afd = anchor_file(&d);
		w = new_writer(&d, 2, afd, syncs[s]);
		evlog_hex(evlog_writer_logid(w), 16, id);
		evlog_hex(evlog_writer_pubkey(w), 32, pk);
		for (unsigned i = 0; i < 5; i++)
			CHECK_EQ(append_msg(w, i), 0);
		CHECK_EQ(evlog_flush(w), 0);
		CHECK_EQ(evlog_writer_close(w), 0);
		CHECK_EQ(evlog_writer_close(w), -EINVAL);
		CHECK_EQ(append_msg(w, 9), -EINVAL);
		CHECK_EQ(evlog_checkpoint(w), -EINVAL);
		buf = slurp(&d, "anchors", &len);
		snprintf(line, sizeof(line), "vmmsec-anchor 1 logid=%s pubkey=%s\n", id, pk);
		CHECK(buf && len > strlen(line) && memcmp(buf, line, strlen(line)) == 0);
		free(buf);
		CHECK_EQ(evlog_anchors_load(afd, evlog_writer_logid(w), &a, NULL, NULL), 0);
		/* checkpoints at 2, 5 (automatic) and the final one at 7 */
		CHECK_EQ(a.n, 3);
		CHECK_EQ(a.n == 3 ? a.v[0].seq : 0, 2);
		CHECK_EQ(a.n == 3 ? a.v[1].seq : 0, 5);
		CHECK_EQ(a.n == 3 ? a.v[2].seq : 0, 7);
		CHECK_MEM(a.pubkey, 32, evlog_writer_pubkey(w), 32);
		buf = slurp(&d, evlog_writer_name(w), &len);
		res = verify_buf(buf, len, &a);
		CHECK_EQ(res.damage, EVLOG_INTACT);
		CHECK(res.final);
		CHECK_EQ(res.records, 8);
		CHECK_EQ(res.last_seq, 7);
		CHECK_EQ(res.sealed_seq, 7);
		CHECK_EQ(res.tail_bytes, 0);
		CHECK(strstr(res.detail, "final checkpoint 7") != NULL);
		free(buf);
		evlog_anchors_release(&a);
		evlog_writer_free(w);
		close(afd);
		tdir_clean(&d);
	}
}

/* Every single byte of a closed log matters, with and without anchors. */
static void test_flip_every_byte(void)
{
	struct tdir d;
	struct evlog_anchors a;
	struct layout l;
	size_t len, bad = 0;
	uint8_t *buf;
	int afd;

	tdir_make(&d);
	afd = anchor_file(&d);
	buf = small_log(&d, afd, &len, &a);
	layout_of(buf, len, &l);
	CHECK_EQ(l.n, 5);
	CHECK_EQ(l.off[l.n - 1] + l.len[l.n - 1], len);
	CHECK_EQ(verify_buf(buf, len, &a).damage, EVLOG_INTACT);
	for (size_t i = 0; i < len; i++) {
		for (int pass = 0; pass < 2; pass++) {
			struct evlog_verify_result res;
			size_t k = 0;

			buf[i] ^= pass ? 0x80 : 0x01;
			res = verify_buf(buf, len, pass ? &a : NULL);
			buf[i] ^= pass ? 0x80 : 0x01;
			while (k + 1 < l.n && i >= l.off[k + 1])
				k++;
			if (i < EVLOG_HDR_SIZE) {
				bad += res.damage != EVLOG_BAD_HEADER;
			} else {
				bad += res.damage != EVLOG_MODIFIED || res.bad_seq != k ||
				       res.bad_offset != l.off[k];
			}
		}
	}
	CHECK_EQ(bad, 0);
	free(buf);
	evlog_anchors_release(&a);
	close(afd);
	tdir_clean(&d);
}

/* A log of records 0..5 and a final checkpoint 6, cut and spliced. */
static void test_delete_swap_insert(void)
{
	struct tdir d;
	struct evlog_writer *w;
	struct evlog_verify_result res;
	struct layout l;
	size_t len, n;
	uint8_t *buf, *t;

	tdir_make(&d);
	w = new_writer(&d, 1000, -1, EVLOG_SYNC_NONE);
	for (unsigned i = 0; i < 6; i++)
		CHECK_EQ(append_msg(w, i), 0);
	CHECK_EQ(evlog_writer_close(w), 0);
	buf = slurp(&d, evlog_writer_name(w), &len);
	layout_of(buf, len, &l);
	CHECK_EQ(l.n, 7);
	t = malloc(len * 2);

	/* delete record 2 */
	memcpy(t, buf, l.off[2]);
	memcpy(t + l.off[2], buf + l.off[3], len - l.off[3]);
	res = verify_buf(t, len - l.len[2], NULL);
	CHECK_EQ(res.damage, EVLOG_DELETED);
	CHECK_EQ(res.bad_seq, 2);
	CHECK_EQ(res.bad_offset, l.off[2]);
	CHECK_EQ(res.records, 2);
	CHECK_EQ(res.last_seq, 1);

	/* delete the last data record before the final checkpoint */
	memcpy(t, buf, l.off[5]);
	memcpy(t + l.off[5], buf + l.off[6], len - l.off[6]);
	res = verify_buf(t, len - l.len[5], NULL);
	CHECK_EQ(res.damage, EVLOG_DELETED);
	CHECK_EQ(res.bad_seq, 5);

	/* swap records 2 and 3 */
	n = 0;
	memcpy(t, buf, l.off[2]);
	n = l.off[2];
	memcpy(t + n, buf + l.off[3], l.len[3]);
	n += l.len[3];
	memcpy(t + n, buf + l.off[2], l.len[2]);
	n += l.len[2];
	memcpy(t + n, buf + l.off[4], len - l.off[4]);
	res = verify_buf(t, len, NULL);
	CHECK_EQ(res.damage, EVLOG_REORDERED);
	CHECK_EQ(res.bad_seq, 2);
	CHECK_EQ(res.bad_offset, l.off[2]);

	/* move record 4 in front of record 1 */
	memcpy(t, buf, l.off[1]);
	n = l.off[1];
	memcpy(t + n, buf + l.off[4], l.len[4]);
	n += l.len[4];
	memcpy(t + n, buf + l.off[1], l.off[4] - l.off[1]);
	n += l.off[4] - l.off[1];
	memcpy(t + n, buf + l.off[5], len - l.off[5]);
	res = verify_buf(t, len, NULL);
	CHECK_EQ(res.damage, EVLOG_REORDERED);
	CHECK_EQ(res.bad_seq, 1);

	/* duplicate record 2 right after itself */
	memcpy(t, buf, l.off[3]);
	memcpy(t + l.off[3], buf + l.off[2], l.len[2]);
	memcpy(t + l.off[3] + l.len[2], buf + l.off[3], len - l.off[3]);
	res = verify_buf(t, len + l.len[2], NULL);
	CHECK_EQ(res.damage, EVLOG_INSERTED);
	CHECK_EQ(res.bad_seq, 3);
	CHECK_EQ(res.bad_offset, l.off[3]);

	/* insert a copy of record 1 between 4 and 5 */
	memcpy(t, buf, l.off[5]);
	memcpy(t + l.off[5], buf + l.off[1], l.len[1]);
	memcpy(t + l.off[5] + l.len[1], buf + l.off[5], len - l.off[5]);
	res = verify_buf(t, len + l.len[1], NULL);
	CHECK_EQ(res.damage, EVLOG_INSERTED);
	CHECK_EQ(res.bad_seq, 5);
	CHECK_EQ(res.bad_offset, l.off[5]);

	/* rewrite record 1 consistently but leave record 2 linking to the original */
	memcpy(t, buf, len);
	t[l.off[1] + l.len[1] - EVLOG_HASH_BYTES - 1] ^= 1; /* last byte of the message */
	crypto_generichash(t + l.off[1] + l.len[1] - EVLOG_HASH_BYTES, EVLOG_HASH_BYTES,
			   t + l.off[1], l.len[1] - EVLOG_HASH_BYTES, NULL, 0);
	res = verify_buf(t, len, NULL);
	CHECK_EQ(res.damage, EVLOG_MODIFIED);
	CHECK_EQ(res.bad_seq, 1);
	CHECK_EQ(res.bad_offset, l.off[1]);

	/* ... and relink everything after it: only the final signature can tell */
	relink(t, len, 2);
	res = verify_buf(t, len, NULL);
	CHECK_EQ(res.damage, EVLOG_BAD_SIGNATURE);
	CHECK_EQ(res.bad_seq, 6);
	CHECK_EQ(res.bad_offset, l.off[6]);
	CHECK_EQ(res.records, 6);

	free(t);
	free(buf);
	evlog_writer_free(w);
	tdir_clean(&d);
}

/* Checkpoints at 3 and 7, final at 8; the anchors know all three. */
static uint8_t *anchored_log(struct tdir *d, int afd, size_t *len, size_t *early_len,
			     uint8_t **early, struct evlog_anchors *a)
{
	struct evlog_writer *w = new_writer(d, 3, afd, EVLOG_SYNC_BATCH);
	uint8_t *buf;

	for (unsigned i = 0; i < 3; i++)
		CHECK_EQ(append_msg(w, i), 0);
	*early = slurp(d, evlog_writer_name(w), early_len); /* copy after checkpoint 3 */
	for (unsigned i = 4; i < 7; i++)
		CHECK_EQ(append_msg(w, i), 0);
	CHECK_EQ(evlog_writer_close(w), 0);
	buf = slurp(d, evlog_writer_name(w), len);
	CHECK_EQ(evlog_anchors_load(afd, evlog_writer_logid(w), a, NULL, NULL), 0);
	CHECK_EQ(a->n, 3);
	evlog_writer_free(w);
	return buf;
}

static void test_truncate_and_rollback(void)
{
	struct tdir d;
	struct evlog_anchors a;
	struct evlog_verify_result res;
	struct layout l;
	size_t len, elen;
	uint8_t *buf, *early;
	int afd;

	tdir_make(&d);
	afd = anchor_file(&d);
	buf = anchored_log(&d, afd, &len, &elen, &early, &a);
	layout_of(buf, len, &l);
	CHECK_EQ(l.n, 9);

	/* cut in the middle of record 5 */
	res = verify_buf(buf, l.off[5] + 10, &a);
	CHECK_EQ(res.damage, EVLOG_TRUNCATED);
	CHECK_EQ(res.bad_seq, 5);
	CHECK_EQ(res.bad_offset, l.off[5]);
	CHECK_EQ(res.tail_bytes, 10);
	CHECK_EQ(res.records, 5);
	CHECK_EQ(res.sealed_seq, 3);
	/* without anchors that looks like a crash: intact, unsealed tail */
	res = verify_buf(buf, l.off[5] + 10, NULL);
	CHECK_EQ(res.damage, EVLOG_INTACT);
	CHECK(!res.final);
	CHECK_EQ(res.tail_bytes, 10);
	CHECK_EQ(res.last_seq, 4);
	CHECK(strstr(res.detail, "records 4..4 are not covered") != NULL);

	/* cut inside the final checkpoint */
	res = verify_buf(buf, len - 1, &a);
	CHECK_EQ(res.damage, EVLOG_TRUNCATED);
	CHECK_EQ(res.bad_seq, 8);
	CHECK_EQ(res.tail_bytes, l.len[8] - 1);

	/* an older copy, and a clean cut, are rollbacks */
	CHECK_EQ(elen, l.off[4]);
	res = verify_buf(early, elen, &a);
	CHECK_EQ(res.damage, EVLOG_ROLLED_BACK);
	CHECK_EQ(res.bad_seq, 4);
	CHECK_EQ(res.bad_offset, elen);
	CHECK_EQ(res.last_seq, 3);
	res = verify_buf(early, elen, NULL);
	CHECK_EQ(res.damage, EVLOG_INTACT);
	CHECK(!res.final);
	CHECK_EQ(res.sealed_seq, 3);
	res = verify_buf(buf, l.off[8], &a);
	CHECK_EQ(res.damage, EVLOG_ROLLED_BACK);
	CHECK_EQ(res.bad_seq, 8);

	free(early);
	free(buf);
	evlog_anchors_release(&a);
	close(afd);
	tdir_clean(&d);
}

/* Build a self-consistent syslog record as a keyless attacker would. */
static size_t forge_record(uint8_t *out, uint64_t seq, const uint8_t *prev)
{
	struct evlog_disk_rec *r = (struct evlog_disk_rec *)out;
	struct evlog_disk_field *f = (struct evlog_disk_field *)(out + sizeof(*r));
	const char msg[] = "<13>all is well";
	size_t len = EVLOG_REC_MIN + sizeof(*f) + sizeof(msg) - 1;

	memset(out, 0, len);
	put_le32(r->len, (uint32_t)len);
	put_le32(r->len_inv, ~(uint32_t)len);
	put_le64(r->seq, seq);
	put_le64(r->time_ns, 1);
	put_le16(r->kind, EVLOG_SYSLOG);
	put_le16(r->nfields, 1);
	memcpy(r->prev, prev, EVLOG_HASH_BYTES);
	put_le16(f->tag, EVF_RAW);
	put_le32(f->len, sizeof(msg) - 1);
	memcpy(f + 1, msg, sizeof(msg) - 1);
	crypto_generichash(out + len - EVLOG_HASH_BYTES, EVLOG_HASH_BYTES, out,
			   len - EVLOG_HASH_BYTES, NULL, 0);
	return len;
}

static void test_forged_after_close(void)
{
	struct tdir d;
	struct evlog_anchors a;
	struct evlog_verify_result res;
	struct layout l;
	size_t len, elen, n;
	uint8_t *buf, *early, *t;
	int afd;

	tdir_make(&d);
	afd = anchor_file(&d);
	buf = anchored_log(&d, afd, &len, &elen, &early, &a);
	layout_of(buf, len, &l);
	t = malloc(len + 512);

	/* a well-formed record appended after the final checkpoint */
	memcpy(t, buf, len);
	n = forge_record(t + len, 9, buf + len - EVLOG_HASH_BYTES);
	res = verify_buf(t, len + n, NULL);
	CHECK_EQ(res.damage, EVLOG_INSERTED);
	CHECK_EQ(res.bad_seq, 9);
	CHECK_EQ(res.bad_offset, len);
	CHECK_EQ(res.records, 9);
	CHECK(res.final);
	res = verify_buf(t, len + n, &a);
	CHECK_EQ(res.damage, EVLOG_INSERTED);
	/* even a few stray bytes after the final checkpoint */
	res = verify_buf(t, len + 3, NULL);
	CHECK_EQ(res.damage, EVLOG_INSERTED);
	CHECK_EQ(res.bad_offset, len);

	/* replace the final checkpoint by a forged record: only the anchor knows */
	n = forge_record(t + l.off[8], 8, buf + l.off[7] + l.len[7] - EVLOG_HASH_BYTES);
	res = verify_buf(t, l.off[8] + n, NULL);
	CHECK_EQ(res.damage, EVLOG_INTACT);
	CHECK(!res.final);
	CHECK_EQ(res.last_seq, 8);
	res = verify_buf(t, l.off[8] + n, &a);
	CHECK_EQ(res.damage, EVLOG_MODIFIED);
	CHECK_EQ(res.bad_seq, 8);
	CHECK_EQ(res.bad_offset, l.off[8]);

	free(t);
	free(early);
	free(buf);
	evlog_anchors_release(&a);
	close(afd);
	tdir_clean(&d);
}

static void test_wrong_key(void)
{
	struct tdir d;
	struct evlog_anchors a, b;
	struct evlog_verify_result res;
	struct evlog_writer *w2;
	size_t len;
	uint8_t *buf;
	int afd;

	tdir_make(&d);
	afd = anchor_file(&d);
	buf = small_log(&d, afd, &len, &a);
	/* a second log in the same anchor file */
	w2 = new_writer(&d, 1000, afd, EVLOG_SYNC_NONE);
	CHECK_EQ(evlog_writer_close(w2), 0);
	CHECK_EQ(evlog_anchors_load(afd, evlog_writer_logid(w2), &b, NULL, NULL), 0);
	CHECK_EQ(b.n, 1);
	res = verify_buf(buf, len, &b);
	CHECK_EQ(res.damage, EVLOG_WRONG_KEY);
	CHECK(strstr(res.detail, "log id") != NULL);
	a.pubkey[5] ^= 1;
	res = verify_buf(buf, len, &a);
	CHECK_EQ(res.damage, EVLOG_WRONG_KEY);
	CHECK_EQ(res.bad_offset, 0);
	CHECK(strstr(res.detail, "pinned key") != NULL);
	a.pubkey[5] ^= 1;
	/* a header re-keyed by an attacker: hash fixed up, key is foreign */
	{
		uint8_t pk[32], sk[64];
		struct evlog_disk_header *h = (struct evlog_disk_header *)buf;

		crypto_sign_keypair(pk, sk);
		memcpy(h->pubkey, pk, 32);
		crypto_generichash(h->hash, 32, buf, EVLOG_HDR_HASHED, NULL, 0);
		relink(buf, len, 0);
		res = verify_buf(buf, len, &a);
		CHECK_EQ(res.damage, EVLOG_WRONG_KEY);
		res = verify_buf(buf, len, NULL);
		CHECK_EQ(res.damage, EVLOG_BAD_SIGNATURE); /* first checkpoint (seq 2) */
		CHECK_EQ(res.bad_seq, 2);
	}
	free(buf);
	evlog_writer_free(w2);
	evlog_anchors_release(&a);
	evlog_anchors_release(&b);
	close(afd);
	tdir_clean(&d);
}

static void test_bad_signature(void)
{
	struct tdir d;
	struct evlog_anchors a;
	struct evlog_verify_result res;
	struct layout l;
	size_t len;
	uint8_t *buf, *t;
	int afd;

	tdir_make(&d);
	afd = anchor_file(&d);
	buf = small_log(&d, afd, &len, &a);
	layout_of(buf, len, &l);
	t = malloc(len);
	for (size_t ck = 2; ck <= 4; ck += 2) {
		uint8_t *sig = buf + l.off[ck] + l.len[ck] - EVLOG_HASH_BYTES - EVLOG_SIG_BYTES;

		memcpy(t, buf, len);
		t[sig - buf + 7] ^= 0x20;
		relink(t, len, ck);
		res = verify_buf(t, len, NULL);
		CHECK_EQ(res.damage, EVLOG_BAD_SIGNATURE);
		CHECK_EQ(res.bad_seq, ck);
		CHECK_EQ(res.bad_offset, l.off[ck]);
		CHECK_EQ(res.records, ck);
		CHECK(strstr(res.detail, "does not verify") != NULL);
	}
	/* an epoch number out of step breaks key evolution */
	memcpy(t, buf, len);
	t[l.off[4] + sizeof(struct evlog_disk_rec) + sizeof(struct evlog_disk_field)] ^= 1;
	relink(t, len, 4);
	res = verify_buf(t, len, NULL);
	CHECK_EQ(res.damage, EVLOG_BAD_SIGNATURE);
	CHECK_EQ(res.bad_seq, 4);
	CHECK(strstr(res.detail, "key evolution") != NULL);
	/* the final flag cleared: no longer final, and the signature says otherwise */
	memcpy(t, buf, len);
	t[l.off[4] + l.len[4] - EVLOG_HASH_BYTES - EVLOG_SIG_BYTES - 6 - 1] = 0;
	relink(t, len, 4);
	res = verify_buf(t, len, NULL);
	CHECK_EQ(res.damage, EVLOG_BAD_SIGNATURE);
	CHECK_EQ(res.bad_seq, 4);
	free(t);
	free(buf);
	evlog_anchors_release(&a);
	close(afd);
	tdir_clean(&d);
}

static void test_crash_tail(void)
{
	struct tdir d;
	struct evlog_writer *w;
	struct evlog_reader *r;
	struct evlog_record rec;
	struct evlog_verify_result res;
	struct layout l;
	char name[64];
	size_t len;
	uint8_t *buf;
	int fd, wfd, n = 0, ret;

	tdir_make(&d);
	w = new_writer(&d, 4, -1, EVLOG_SYNC_BATCH);
	snprintf(name, sizeof(name), "%s", evlog_writer_name(w));
	for (unsigned i = 0; i < 6; i++)
		CHECK_EQ(append_msg(w, i), 0); /* 0..3, checkpoint 4, 5, 6 */
	CHECK_EQ(evlog_flush(w), 0);
	CHECK_EQ(append_msg(w, 7), 0); /* never flushed: lost like in a crash */
	evlog_writer_free(w);
	buf = slurp(&d, name, &len);
	layout_of(buf, len, &l);
	CHECK_EQ(l.n, 7);
	wfd = openat(d.fd, name, O_WRONLY | O_APPEND | O_CLOEXEC);
	CHECK_EQ(write(wfd, buf + l.off[5], 20), 20); /* torn copy of a record */
	close(wfd);
	fd = openat(d.fd, name, O_RDONLY | O_CLOEXEC);
	CHECK_EQ(evlog_verify(fd, NULL, &res), 0);
	CHECK_EQ(res.damage, EVLOG_INTACT);
	CHECK(!res.final);
	CHECK_EQ(res.tail_bytes, 20);
	CHECK_EQ(res.records, 7);
	CHECK_EQ(res.last_seq, 6);
	CHECK_EQ(res.sealed_seq, 4);
	CHECK(strstr(res.detail, "records 5..6 are not covered by a signed checkpoint") != NULL);
	CHECK(strstr(res.detail, "20 bytes of a partial record") != NULL);
	CHECK(strstr(res.detail, "offset") != NULL);
	CHECK_EQ(evlog_reader_new(&r, fd), 0);
	while ((ret = evlog_reader_next(r, &rec)) == 1)
		n++;
	CHECK_EQ(n, 7);
	CHECK_EQ(ret, -EBADMSG);
	CHECK_EQ(evlog_reader_offset(r), len);
	evlog_reader_free(r);
	/* a tail too short to hold a length */
	res = verify_buf(buf, l.off[6] + 5, NULL);
	CHECK_EQ(res.damage, EVLOG_INTACT);
	CHECK_EQ(res.tail_bytes, 5);
	CHECK_EQ(res.last_seq, 5);
	close(fd);
	free(buf);
	tdir_clean(&d);
}

/* kill -9 of a real writer at an arbitrary moment: the log verifies, anchors included. */
static void test_kill9(void)
{
	struct tdir d;
	struct evlog_anchors a;
	struct evlog_verify_result res;
	struct evlog_writer *w;
	char name[64], c;
	uint8_t logid[16];
	int afd, p[2], fd, st;
	pid_t pid;

	tdir_make(&d);
	afd = anchor_file(&d);
	w = new_writer(&d, 50, afd, EVLOG_SYNC_NONE);
	snprintf(name, sizeof(name), "%s", evlog_writer_name(w));
	memcpy(logid, evlog_writer_logid(w), 16);
	CHECK_EQ(pipe2(p, O_CLOEXEC), 0);
	pid = fork();
	if (pid == 0) {
		for (unsigned i = 0; i < 2000000; i++) {
			if (append_msg(w, i) < 0 || (i % 7 == 0 && evlog_flush(w) < 0))
				_exit(1);
			if (i == 120 && write(p[1], "x", 1) != 1)
				_exit(1);
		}
		_exit(0);
	}
	close(p[1]);
	CHECK_EQ(read(p[0], &c, 1), 1);
	kill(pid, SIGKILL);
	CHECK_EQ(waitpid(pid, &st, 0), pid);
	close(p[0]);
	evlog_writer_free(w);
	CHECK_EQ(evlog_anchors_load(afd, logid, &a, NULL, NULL), 0);
	CHECK(a.n >= 2);
	fd = openat(d.fd, name, O_RDONLY | O_CLOEXEC);
	CHECK_EQ(evlog_verify(fd, &a, &res), 0);
	CHECK_EQ(res.damage, EVLOG_INTACT);
	CHECK(!res.final);
	CHECK(res.records >= 120);
	CHECK(res.sealed_seq != UINT64_MAX && res.sealed_seq >= a.v[a.n - 1].seq);
	close(fd);
	evlog_anchors_release(&a);
	close(afd);
	tdir_clean(&d);
}

static void test_follow(void)
{
	struct tdir d;
	struct evlog_writer *w;
	struct evlog_reader *r;
	struct evlog_record rec;
	int fd;

	tdir_make(&d);
	w = new_writer(&d, 1000, -1, EVLOG_SYNC_NONE);
	fd = openat(d.fd, evlog_writer_name(w), O_RDONLY | O_CLOEXEC);
	CHECK_EQ(evlog_reader_new(&r, fd), 0);
	CHECK_EQ(evlog_reader_next(r, &rec), 0);
	CHECK_EQ(append_msg(w, 0), 0);
	CHECK_EQ(evlog_reader_next(r, &rec), 0); /* only buffered so far */
	CHECK_EQ(evlog_flush(w), 0);
	CHECK_EQ(evlog_reader_next(r, &rec), 1);
	CHECK_EQ(rec.seq, 0);
	CHECK_EQ(evlog_reader_next(r, &rec), 0);
	CHECK_EQ(append_msg(w, 1), 0);
	CHECK_EQ(append_msg(w, 2), 0);
	CHECK_EQ(evlog_flush(w), 0);
	CHECK_EQ(evlog_reader_next(r, &rec), 1);
	CHECK_EQ(rec.seq, 1);
	CHECK_MEM(evlog_record_field(&rec, EVF_RAW)->data, 13, "<13>message 1", 13);
	CHECK_EQ(evlog_reader_next(r, &rec), 1);
	CHECK_EQ(rec.seq, 2);
	CHECK_EQ(evlog_reader_next(r, &rec), 0);
	evlog_reader_free(r);
	close(fd);
	evlog_writer_free(w);
	tdir_clean(&d);
}

static void test_append_errors(void)
{
	struct tdir d;
	struct evlog_writer *w;
	struct evlog_field f[EVLOG_MAX_FIELDS + 1];
	uint32_t v = 1;

	tdir_make(&d);
	w = new_writer(&d, 1000, -1, EVLOG_SYNC_NONE);
	for (size_t i = 0; i < VMM_ARRAY_SIZE(f); i++)
		f[i] = (struct evlog_field){EVF_PID, 4, &v};
	CHECK_EQ(evlog_append(w, EVLOG_SYSLOG, f, EVLOG_MAX_FIELDS + 1), -E2BIG);
	CHECK_EQ(evlog_append(w, EVLOG_SYSLOG, f, EVLOG_MAX_FIELDS), 0);
	CHECK_EQ(evlog_append(w, EVLOG_CHECKPOINT, f, 1), -EINVAL);
	CHECK_EQ(evlog_append(w, 0, f, 1), -EINVAL);
	CHECK_EQ(evlog_append(w, 77, f, 1), -EINVAL);
	CHECK_EQ(evlog_append(w, EVLOG_SYSLOG, NULL, 1), -EINVAL);
	f[0].tag = 64;
	CHECK_EQ(evlog_append(w, EVLOG_SYSLOG, f, 1), -EINVAL);
	f[0].tag = 79;
	CHECK_EQ(evlog_append(w, EVLOG_SYSLOG, f, 1), -EINVAL);
	f[0] = (struct evlog_field){EVF_RAW, EVLOG_RAW_MAX + (2u << 20), &v};
	CHECK_EQ(evlog_append(w, EVLOG_SYSLOG, f, 1), -E2BIG);
	f[0] = (struct evlog_field){EVF_RAW, 4, NULL};
	CHECK_EQ(evlog_append(w, EVLOG_SYSLOG, f, 1), -EINVAL);
	CHECK_EQ(evlog_writer_next_seq(w), 1);
	evlog_writer_free(w);
	tdir_clean(&d);
}

/* fd of this process that has @name open, or -1. */
static int find_fd(const char *name)
{
	for (int fd = 3; fd < 1024; fd++) {
		char p[64], t[512];
		ssize_t n;

		snprintf(p, sizeof(p), "/proc/self/fd/%d", fd);
		n = readlink(p, t, sizeof(t) - 1);
		if (n <= 0)
			continue;
		t[n] = 0;
		if (strlen(t) > strlen(name) && strcmp(t + strlen(t) - strlen(name), name) == 0 &&
		    t[strlen(t) - strlen(name) - 1] == '/')
			return fd;
	}
	return -1;
}

static void test_dead_writer(void)
{
	struct tdir d;
	struct evlog_writer *w = NULL;
	struct evlog_writer_opts o = {.checkpoint_every = 1000, .sync = EVLOG_SYNC_BATCH};
	int full = open("/dev/full", O_WRONLY | O_CLOEXEC), afd, lfd;

	tdir_make(&d);
	CHECK(full >= 0);
	/* the pin cannot be written: no writer, and no log left behind */
	o.anchor_fd = full;
	CHECK_EQ(evlog_writer_new(&w, d.fd, &o), -ENOSPC);
	CHECK(w == NULL);
	CHECK_EQ(count_logs(&d), 0);
	o.sync = 99;
	CHECK_EQ(evlog_writer_new(&w, d.fd, &o), -EINVAL);

	/* the anchor device fills up at a checkpoint */
	afd = anchor_file(&d);
	w = new_writer(&d, 1000, afd, EVLOG_SYNC_BATCH);
	CHECK_EQ(append_msg(w, 0), 0);
	CHECK(dup3(full, afd, O_CLOEXEC) == afd);
	CHECK_EQ(evlog_checkpoint(w), -ENOSPC);
	CHECK_EQ(append_msg(w, 1), -EIO);
	CHECK_EQ(evlog_flush(w), -EIO);
	CHECK_EQ(evlog_checkpoint(w), -EIO);
	CHECK_EQ(evlog_writer_close(w), -EIO);
	evlog_writer_free(w);
	close(afd);

	/* the log device fills up at a flush */
	w = new_writer(&d, 1000, -1, EVLOG_SYNC_BATCH);
	lfd = find_fd(evlog_writer_name(w));
	CHECK(lfd >= 0);
	CHECK_EQ(append_msg(w, 0), 0);
	if (lfd >= 0)
		CHECK(dup3(full, lfd, O_CLOEXEC) == lfd);
	CHECK_EQ(evlog_flush(w), -ENOSPC);
	CHECK_EQ(append_msg(w, 1), -EIO);
	CHECK_EQ(evlog_writer_close(w), -EIO);
	evlog_writer_free(w);

	/* a closed log fd */
	w = new_writer(&d, 2, -1, EVLOG_SYNC_BATCH);
	lfd = find_fd(evlog_writer_name(w));
	CHECK(lfd >= 0);
	if (lfd >= 0)
		close(lfd);
	CHECK_EQ(append_msg(w, 0), 0);
	CHECK_EQ(append_msg(w, 1), -EBADF); /* the automatic checkpoint cannot be written */
	CHECK_EQ(append_msg(w, 2), -EIO);
	evlog_writer_free(w);
	close(full);
	tdir_clean(&d);
}

static void test_reader_garbage(void)
{
	struct evlog_reader *r = (struct evlog_reader *)1;
	struct evlog_verify_result res;
	uint8_t junk[200];
	int fd;

	memset(junk, 0xa5, sizeof(junk));
	fd = mem_fd(junk, sizeof(junk));
	CHECK_EQ(evlog_reader_new(&r, fd), -EBADMSG);
	CHECK(r == NULL);
	CHECK_EQ(evlog_verify(fd, NULL, &res), 0);
	CHECK_EQ(res.damage, EVLOG_BAD_HEADER);
	close(fd);
	fd = mem_fd(junk, 0);
	CHECK_EQ(evlog_reader_new(&r, fd), -EBADMSG);
	CHECK_EQ(evlog_verify(fd, NULL, &res), 0);
	CHECK_EQ(res.damage, EVLOG_BAD_HEADER);
	close(fd);
}

/* A record claiming a huge length is not read or allocated beyond the file. */
static void test_reader_bounds(void)
{
	struct tdir d;
	struct evlog_reader *r;
	struct evlog_record rec;
	size_t len;
	uint8_t *buf, *t;
	int fd;

	tdir_make(&d);
	buf = small_log(&d, -1, &len, NULL);
	t = malloc(len + 8);
	memcpy(t, buf, len);
	put_le32(t + len, EVLOG_REC_MAX);
	put_le32(t + len + 4, ~(uint32_t)EVLOG_REC_MAX);
	fd = mem_fd(t, len + 8);
	CHECK_EQ(evlog_reader_new(&r, fd), 0);
	for (int i = 0; i < 5; i++)
		CHECK_EQ(evlog_reader_next(r, &rec), 1);
	CHECK_EQ(evlog_reader_next(r, &rec), -EBADMSG);
	CHECK_EQ(evlog_reader_offset(r), len);
	evlog_reader_free(r);
	close(fd);
	put_le32(t + len, EVLOG_REC_MAX + 1);
	put_le32(t + len + 4, ~(uint32_t)(EVLOG_REC_MAX + 1));
	fd = mem_fd(t, len + 8);
	CHECK_EQ(evlog_reader_new(&r, fd), 0);
	for (int i = 0; i < 5; i++)
		CHECK_EQ(evlog_reader_next(r, &rec), 1);
	CHECK_EQ(evlog_reader_next(r, &rec), -EBADMSG);
	evlog_reader_free(r);
	close(fd);
	free(t);
	free(buf);
	tdir_clean(&d);
}

static const char ID1[] = "00112233445566778899aabbccddeeff";
static const char ID2[] = "ffeeddccbbaa99887766554433221100";
static const char KEY[] = "0101010101010101010101010101010101010101010101010101010101010101";
static const char HEAD[] = "abababababababababababababababababababababababababababababababab";

static int load_text(const char *text, const char *idhex, struct evlog_anchors *a, unsigned *line,
		     unsigned *col)
{
	uint8_t id[16];
	int fd = text_fd(text), r;

	evlog_hex_decode(idhex, 32, id);
	r = evlog_anchors_load(fd, id, a, line, col);
	close(fd);
	return r;
}

#define HDR(id) "vmmsec-anchor 1 logid=" id " pubkey=" KEY_LIT "\n"
#define CK(id, seq) "vmmsec-anchor 1 logid=" id " ckpt=" seq " head=" HEAD_LIT "\n"
#define ID1_LIT "00112233445566778899aabbccddeeff"
#define ID2_LIT "ffeeddccbbaa99887766554433221100"
#define KEY_LIT "0101010101010101010101010101010101010101010101010101010101010101"
#define HEAD_LIT "abababababababababababababababababababababababababababababababab"

static void expect_error(const char *text, unsigned eline, unsigned ecol)
{
	struct evlog_anchors a;
	unsigned line = 99, col = 99;

	CHECK_EQ(load_text(text, ID1, &a, &line, &col), -EBADMSG);
	CHECK_EQ(line, eline);
	CHECK_EQ(col, ecol);
	CHECK(a.v == NULL && a.n == 0);
}

static void test_anchor_logids(void)
{
	const char *good = "vmmsec-anchor 1 logid=00112233445566778899aabbccddeeff pubkey="
			   "0000000000000000000000000000000000000000000000000000000000000001\n"
			   "vmmsec-anchor 1 logid=00112233445566778899aabbccddeeff ckpt=7 head="
			   "0000000000000000000000000000000000000000000000000000000000000002\n"
			   "vmmsec-anchor 1 logid=ffeeddccbbaa99887766554433221100 pubkey="
			   "0000000000000000000000000000000000000000000000000000000000000003\n";
	uint8_t(*ids)[EVLOG_LOGID_BYTES] = NULL;
	size_t n = 99;
	unsigned line, col;
	int fd = text_fd(good);

	CHECK_EQ(evlog_anchors_logids(fd, &ids, &n, &line, &col), 0);
	CHECK_EQ(n, 2);
	if (n == 2) {
		CHECK_EQ(ids[0][0], 0x00);
		CHECK_EQ(ids[0][15], 0xff);
		CHECK_EQ(ids[1][0], 0xff);
		CHECK_EQ(ids[1][15], 0x00);
	}
	free(ids);
	close(fd);
	fd = text_fd("vmmsec-anchor 1 logid=00112233445566778899aabbccddeeff pubkey="
		     "00z0000000000000000000000000000000000000000000000000000000000000\n");
	CHECK_EQ(evlog_anchors_logids(fd, &ids, &n, &line, &col), -EBADMSG);
	CHECK_EQ(line, 1);
	CHECK_EQ(col, 65);
	CHECK(ids == NULL && n == 0);
	close(fd);
}

static void test_anchor_parse(void)
{
	struct evlog_anchors a;
	unsigned line, col;
	uint8_t key[32], head[32];
	char longline[400];

	evlog_hex_decode(KEY, 64, key);
	evlog_hex_decode(HEAD, 64, head);
	/* two logs interleaved */
	CHECK_EQ(load_text(HDR(ID2_LIT) HDR(ID1_LIT) CK(ID2_LIT, "5") CK(ID1_LIT, "0")
				   CK(ID1_LIT, "17") CK(ID2_LIT, "9"),
			   ID1, &a, &line, &col),
		 0);
	CHECK_EQ(a.n, 2);
	CHECK_EQ(a.v[0].seq, 0);
	CHECK_EQ(a.v[1].seq, 17);
	CHECK_MEM(a.pubkey, 32, key, 32);
	CHECK_MEM(a.v[1].head, 32, head, 32);
	evlog_anchors_release(&a);
	CHECK_EQ(load_text(HDR(ID2_LIT) CK(ID2_LIT, "18446744073709551615"), ID2, &a, NULL, NULL),
		 0);
	CHECK_EQ(a.n, 1);
	CHECK(a.v[0].seq == UINT64_MAX);
	evlog_anchors_release(&a);
	CHECK_EQ(load_text(HDR(ID2_LIT), ID1, &a, &line, &col), -ENOENT);
	CHECK_EQ(load_text("", ID1, &a, &line, &col), -ENOENT);

	expect_error("garbage\n", 1, 1);
	expect_error(HDR(ID1_LIT) "\n", 2, 1);
	/* 'x' after the digits: column 22 + 32 + 1 + 5 + 2 + 1 */
	expect_error(HDR(ID1_LIT) "vmmsec-anchor 1 logid=" ID1_LIT " ckpt=12x head=" HEAD_LIT "\n",
		     2, 63);
	/* upper-case hex in the log id, 4th digit */
	expect_error("vmmsec-anchor 1 logid=001A2233445566778899aabbccddeeff pubkey=" KEY_LIT "\n",
		     1, 26);
	/* a malformed line of another log still fails */
	expect_error(HDR(ID1_LIT) "vmmsec-anchor 1 logid=" ID2_LIT " ckpt=1 head=abab\n", 2, 72);
	expect_error("vmmsec-anchor 2 logid=" ID1_LIT " pubkey=" KEY_LIT "\n", 1, 15);
	expect_error(HDR(ID1_LIT) "vmmsec-anchor 1 logid=" ID1_LIT " ckpt=1 head=" HEAD_LIT " \n",
		     2, 132);
	expect_error(HDR(ID1_LIT) "vmmsec-anchor 1 logid=" ID1_LIT " ckpt=007 head=" HEAD_LIT "\n",
		     2, 62);
	expect_error(HDR(ID1_LIT) "vmmsec-anchor 1 logid=" ID1_LIT
				  " ckpt=18446744073709551616 head=" HEAD_LIT "\n",
		     2, 80);
	/* missing newline at the end: a torn line */
	expect_error(HDR(ID1_LIT) "vmmsec-anchor 1 logid=", 2, 23);
	/* a second pin of the same log is refused */
	expect_error(HDR(ID1_LIT) CK(ID1_LIT, "3") HDR(ID1_LIT), 3, 1);
	/* a checkpoint before its pin */
	expect_error(CK(ID1_LIT, "3") HDR(ID1_LIT), 1, 1);
	/* sequence numbers must grow */
	expect_error(HDR(ID1_LIT) CK(ID1_LIT, "3") CK(ID1_LIT, "3"), 3, 61);
	memset(longline, 'a', sizeof(longline));
	longline[sizeof(longline) - 2] = '\n';
	longline[sizeof(longline) - 1] = 0;
	expect_error(longline, 1, EVLOG_ANCHOR_LINE_MAX + 1);
	longline[300] = 0;
	expect_error(longline, 1, EVLOG_ANCHOR_LINE_MAX + 1);
	/* NULL error pointers are allowed */
	CHECK_EQ(load_text("bad\n", ID1, &a, NULL, NULL), -EBADMSG);
	evlog_anchors_release(NULL);
}

int main(void)
{
	if (sodium_init() < 0)
		return 2;
	RUN(test_names);
	RUN(test_round_trip);
	RUN(test_auto_checkpoint);
	RUN(test_close_final_with_anchors);
	RUN(test_flip_every_byte);
	RUN(test_delete_swap_insert);
	RUN(test_truncate_and_rollback);
	RUN(test_forged_after_close);
	RUN(test_wrong_key);
	RUN(test_bad_signature);
	RUN(test_crash_tail);
	RUN(test_kill9);
	RUN(test_follow);
	RUN(test_append_errors);
	RUN(test_dead_writer);
	RUN(test_reader_garbage);
	RUN(test_reader_bounds);
	RUN(test_anchor_parse);
	RUN(test_anchor_logids);
	return TEST_DONE();
}

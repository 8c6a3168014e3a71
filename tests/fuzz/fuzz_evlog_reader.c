/* fuzz_evlog_reader.c - libFuzzer target: evidence-log reader and verifier on arbitrary bytes. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "evlog/evlog.h"
#include "report/report.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int to_fd(const uint8_t *data, size_t size)
{
	int fd = memfd_create("fuzz-evl", MFD_CLOEXEC);

	if (fd < 0)
		abort();
	if (size && write(fd, data, size) != (ssize_t)size)
		abort();
	return fd;
}

/* Anchors that agree with the header, so the anchor paths are reached too. */
static void fake_anchors(struct evlog_reader *r, const uint8_t *data, size_t size,
			 struct evlog_anchors *a, struct evlog_anchor *v)
{
	const struct evlog_header *h = evlog_reader_header(r);

	memset(a, 0, sizeof(*a));
	memcpy(a->logid, h->logid, EVLOG_LOGID_BYTES);
	memcpy(a->pubkey, h->pubkey, EVLOG_PUBKEY_BYTES);
	memset(v, 0, sizeof(*v));
	v->seq = size ? data[size - 1] % 8 : 0;
	if (size >= EVLOG_HASH_BYTES)
		memcpy(v->head, data + size - EVLOG_HASH_BYTES, EVLOG_HASH_BYTES);
	a->n = 1;
	a->v = v;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct evlog_verify_result res;
	struct evlog_reader *r = NULL;
	struct evlog_record rec;
	struct evlog_anchors a;
	struct evlog_anchor v;
	int fd = to_fd(data, size);
	struct report_buf out;

	report_buf_init(&out);
	if (evlog_reader_new(&r, fd) == 0) {
		for (int i = 0; i < 4096 && evlog_reader_next(r, &rec) == 1; i++) {
			uint32_t u32 = 0;
			uint64_t u64;

			(void)evlog_kind_name(rec.kind);
			(void)evlog_field_u32(&rec, EVF_PID, &u32);
			(void)evlog_field_u64(&rec, EVF_LOST_COUNT, &u64);
			for (size_t f = 0; f < rec.nfields;
			     f++) /* touch every byte: ASan checks bounds */
				for (uint32_t b = 0; b < rec.fields[f].len; b++)
					u32 += ((const uint8_t *)rec.fields[f].data)[b];
			/* What `vmmsec log` prints from any record must not crash either. */
			report_buf_reset(&out);
			(void)report_render(&rec, REPORT_JSON, &out);
			report_buf_reset(&out);
			(void)report_render(&rec, REPORT_HUMAN, &out);
		}
		fake_anchors(r, data, size, &a, &v);
		if (evlog_verify(fd, &a, &res) == 0 && res.damage > EVLOG_BAD_HEADER)
			abort();
		evlog_reader_free(r);
	}
	if (evlog_verify(fd, NULL, &res) == 0 &&
	    strnlen(res.detail, sizeof(res.detail)) == sizeof(res.detail))
		abort();
	report_buf_release(&out);
	close(fd);
	return 0;
}

/* reader.c - structural reader of evidence logs, safe on arbitrary bytes and on growing files. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "evlog/format.h"
#include "util/util.h"

struct evlog_reader {
	struct evlog_win win;
	struct evlog_header hdr;
	uint64_t off;
	struct evlog_rec_view view;
};

int evlog_reader_new(struct evlog_reader **out, int fd)
{
	struct evlog_reader *r;
	const uint8_t *p;
	ssize_t got;
	int ret;

	*out = NULL;
	if (sodium_init() < 0)
		return -ENOSYS;
	r = calloc(1, sizeof(*r));
	if (!r)
		return -ENOMEM;
	evlog_win_init(&r->win, fd);
	got = evlog_win_get(&r->win, 0, EVLOG_HDR_SIZE, &p);
	ret = got < 0 ? (int)got : evlog_header_parse(p, (size_t)got, &r->hdr, NULL);
	if (ret < 0) {
		evlog_reader_free(r);
		return ret;
	}
	r->off = EVLOG_HDR_SIZE;
	*out = r;
	return 0;
}

const struct evlog_header *evlog_reader_header(const struct evlog_reader *r)
{
	return &r->hdr;
}

int evlog_reader_next(struct evlog_reader *r, struct evlog_record *rec)
{
	struct evlog_rec_view *v = &r->view;
	int ret = evlog_rec_load(&r->win, r->off, v);

	if (ret < 0)
		return ret;
	if (ret == EVLOG_LOAD_EOF)
		return 0; /* nothing cached: a later call sees appended records */
	if (ret != EVLOG_LOAD_OK)
		return -EBADMSG; /* offset stays at the record so a follower can retry */
	rec->seq = v->seq;
	rec->time_ns = v->time_ns;
	rec->kind = v->kind;
	rec->offset = v->offset;
	rec->nfields = v->nfields;
	memcpy(rec->fields, v->fields, v->nfields * sizeof(v->fields[0]));
	r->off += v->len;
	return 1;
}

uint64_t evlog_reader_offset(const struct evlog_reader *r)
{
	return r->off;
}

void evlog_reader_free(struct evlog_reader *r)
{
	if (!r)
		return;
	evlog_win_release(&r->win);
	free(r);
}

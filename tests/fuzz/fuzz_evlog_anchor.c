/* fuzz_evlog_anchor.c - libFuzzer target: anchor-file parser on arbitrary text. */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "evlog/evlog.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The log id the seeds use: 00112233445566778899aabbccddeeff. */
static const uint8_t logid[EVLOG_LOGID_BYTES] = {0x00, 0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77,
						 0x88, 0x99, 0xaa, 0xbb, 0xcc, 0xdd, 0xee, 0xff};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct evlog_anchors a;
	unsigned line = 0, col = 0;
	int fd = memfd_create("fuzz-anchor", MFD_CLOEXEC), r;

	if (fd < 0)
		abort();
	if (size && write(fd, data, size) != (ssize_t)size)
		abort();
	r = evlog_anchors_load(fd, logid, &a, &line, &col);
	if (r == 0) {
		for (size_t i = 1; i < a.n; i++)
			if (a.v[i].seq <= a.v[i - 1].seq)
				abort(); /* the loader promises strictly growing seqs */
	} else if (r == -EBADMSG && (line == 0 || col == 0)) {
		abort();
	} else if (r != -EBADMSG && r != -ENOENT) {
		abort();
	}
	evlog_anchors_release(&a);
	close(fd);
	return 0;
}

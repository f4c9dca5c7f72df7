/* SPDX-License-Identifier: MIT */
/* Fuzz target for the daemon's hostile-input path: a byte stream split into frames
 * (sandboxd/frame.c), each payload unpacked as a Request and checked by sandboxd/convert.c,
 * exactly as dispatch.c does before any handler runs. */
#include <stddef.h>
#include <stdint.h>

#include "convert.h"
#include "frame.h"
#include "sandboxd.pb-c.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	size_t off = 0;

	for (;;) {
		Sandboxd__V1__Request *req;
		struct sbx_error e = {};
		uint32_t n;

		if (frame_decode(data + off, size - off, FRAME_SIZE_MAX_DEFAULT, &n) != 1)
			break;
		req = sandboxd__v1__request__unpack(NULL, n, data + off + FRAME_HEADER_SIZE);
		if (req) {
			(void)convert_check_strings(&req->base, &e);
			sandboxd__v1__request__free_unpacked(req, NULL);
		}
		off += FRAME_HEADER_SIZE + n;
	}
	return 0;
}

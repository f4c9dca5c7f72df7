/* SPDX-License-Identifier: MIT */
/* Length-prefix codec. Every length from the peer is checked against the configured maximum
 * before anything is allocated for it; fuzzed by tests/fuzz/fuzz-frame.c. */
#include <errno.h>

#include "frame.h"

int frame_decode(const uint8_t *data, size_t len, uint32_t max, uint32_t *ret_payload_len)
{
	uint32_t n;

	if (len < FRAME_HEADER_SIZE)
		return 0;
	n = (uint32_t)data[0] << 24 | (uint32_t)data[1] << 16 | (uint32_t)data[2] << 8 |
	    (uint32_t)data[3];
	if (n > max)
		return -EMSGSIZE;
	if (len - FRAME_HEADER_SIZE < n)
		return 0;
	*ret_payload_len = n;
	return 1;
}

int frame_encode_header(size_t len, uint32_t max, uint8_t ret_header[FRAME_HEADER_SIZE])
{
	if (len > max)
		return -EMSGSIZE;
	ret_header[0] = (uint8_t)(len >> 24);
	ret_header[1] = (uint8_t)(len >> 16);
	ret_header[2] = (uint8_t)(len >> 8);
	ret_header[3] = (uint8_t)len;
	return 0;
}

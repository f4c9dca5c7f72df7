/* SPDX-License-Identifier: MIT */
/* The wire's framing: a 4-byte big-endian payload length, then the payload (one protobuf
 * message). Pure and allocation-free; buffering is conn.c's, message decoding dispatch.c's. */
#pragma once

#include <stddef.h>
#include <stdint.h>

#define FRAME_HEADER_SIZE      4
#define FRAME_SIZE_MAX_DEFAULT (16U << 20)  /* DESIGN.md section 3 */
#define FRAME_SIZE_MAX_LIMIT   (256U << 20) /* the most a daemon config may allow */

/* Looks for one whole frame at the start of data[0..len): returns 1 and sets *ret_payload_len
 * when the header and the whole payload are there, 0 when more bytes are needed, and
 * -EMSGSIZE as soon as the header announces more than max bytes (before any payload arrives,
 * so an oversized frame is refused without buffering it). */
int frame_decode(const uint8_t *data, size_t len, uint32_t max, uint32_t *ret_payload_len);

/* Writes the header of a payload of len bytes; -EMSGSIZE when len exceeds max. */
int frame_encode_header(size_t len, uint32_t max, uint8_t ret_header[FRAME_HEADER_SIZE]);

/* SPDX-License-Identifier: MIT */
/* Bounded capture of one output stream: the first half of the cap and the last half, so an
 * output flood keeps its beginning and its end and never more than cap bytes in memory. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct capture {
	size_t cap; /* total bytes kept at most */
	char *head; /* first cap/2 (or all, while under the cap) */
	size_t head_len;
	char *tail; /* ring of the last cap - cap/2 bytes once over */
	size_t tail_len, tail_pos;
	uint64_t total; /* bytes seen */
};

/* Prepares an empty capture of at most cap bytes (cap >= 2). */
int capture_init(struct capture *c, size_t cap);

/* Takes len more bytes. */
int capture_add(struct capture *c, const char *data, size_t len);

/* Whether bytes were dropped from the middle. */
bool capture_truncated(const struct capture *c);

/* The kept bytes, head then tail in order, as one malloc'd buffer of *ret_len bytes. */
char *capture_take(struct capture *c, size_t *ret_len);

/* Frees the buffers; safe on a zeroed struct. */
void capture_done(struct capture *c);

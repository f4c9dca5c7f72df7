/* SPDX-License-Identifier: MIT */
/* Head + tail capture. Memory is allocated as output arrives, never past the cap. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "capture.h"
#include "macro.h"

int capture_init(struct capture *c, size_t cap)
{
	if (cap < 2)
		return -EINVAL;
	*c = (struct capture){.cap = cap};
	return 0;
}

/* Writes into the tail ring; only the last tail-size bytes of data can survive. */
static void ring_put(struct capture *c, const char *data, size_t len)
{
	size_t tail_max = c->cap - c->cap / 2;

	if (len > tail_max) {
		data += len - tail_max;
		len = tail_max;
	}
	while (len > 0) {
		size_t n = MIN(len, tail_max - c->tail_pos);

		memcpy(c->tail + c->tail_pos, data, n);
		c->tail_pos = (c->tail_pos + n) % tail_max;
		c->tail_len = MIN(c->tail_len + n, tail_max);
		data += n;
		len -= n;
	}
}

int capture_add(struct capture *c, const char *data, size_t len)
{
	size_t head_max = c->cap / 2;

	c->total += len;
	if (!c->tail) {
		char *p;

		/* Under the cap everything is kept, in head. */
		if (c->head_len + len <= c->cap) {
			p = realloc(c->head, c->head_len + len ? c->head_len + len : 1);
			if (!p)
				return -ENOMEM;
			c->head = p;
			memcpy(c->head + c->head_len, data, len);
			c->head_len += len;
			return 0;
		}
		/* Over it for the first time: head keeps its first half, the rest goes on in the
		 * ring, followed by the new bytes. */
		c->tail = malloc(c->cap - head_max);
		if (!c->tail)
			return -ENOMEM;
		if (c->head_len > head_max) {
			ring_put(c, c->head + head_max, c->head_len - head_max);
			c->head_len = head_max;
		} else {
			size_t n = head_max - c->head_len;

			p = realloc(c->head, head_max);
			if (!p)
				return -ENOMEM;
			c->head = p;
			memcpy(c->head + c->head_len, data, n);
			c->head_len = head_max;
			data += n;
			len -= n;
		}
	}
	ring_put(c, data, len);
	return 0;
}

bool capture_truncated(const struct capture *c)
{
	return c->total > c->head_len + c->tail_len;
}

char *capture_take(struct capture *c, size_t *ret_len)
{
	size_t tail_max = c->cap - c->cap / 2, len = c->head_len + c->tail_len, start;
	char *out = malloc(len ? len : 1);

	if (!out)
		return NULL;
	if (c->head_len)
		memcpy(out, c->head, c->head_len);
	/* The ring's oldest byte is at tail_pos once it has wrapped, else at 0. */
	start = c->tail_len == tail_max ? c->tail_pos : 0;
	for (size_t i = 0; i < c->tail_len; i++)
		out[c->head_len + i] = c->tail[(start + i) % tail_max];
	*ret_len = len;
	return out;
}

void capture_done(struct capture *c)
{
	free(c->head);
	free(c->tail);
	c->head = c->tail = NULL;
	c->head_len = c->tail_len = c->tail_pos = 0;
}

/* SPDX-License-Identifier: MIT */
/* Reads frames into a buffer that never grows past one maximum frame, hands each whole frame to
 * dispatch.c, and writes queued answers as the socket accepts them. Every failure here closes
 * this connection only; the event handlers always return 0 (STYLE.md section 5, rule 8). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <unistd.h>

#include "conn.h"
#include "dispatch.h"
#include "log.h"
#include "macro.h"

#define CONN_READ_CHUNK 65536

struct conn_watch {
	struct conn_watch *next;
	conn_closed_fn closed;
	void *userdata;
};

struct conn {
	struct daemon *daemon;
	struct conn_watch *watches;
	int fd;
	sd_event_source *io;
	struct ucred peer;
	uint8_t *in;
	size_t in_len, in_cap;
	uint8_t *out;
	size_t out_off, out_len, out_cap;
	bool close_after_flush;
	bool paused; /* not reading: the output queue is over CONN_OUTPUT_PAUSE */
};

struct conn_watch *conn_watch(struct conn *c, conn_closed_fn closed, void *userdata)
{
	struct conn_watch *w = calloc(1, sizeof(*w));

	if (!w)
		return NULL;
	*w = (struct conn_watch){.next = c->watches, .closed = closed, .userdata = userdata};
	c->watches = w;
	return w;
}

void conn_unwatch(struct conn *c, struct conn_watch *w)
{
	for (struct conn_watch **pp = &c->watches; *pp; pp = &(*pp)->next)
		if (*pp == w) {
			*pp = w->next;
			free(w);
			return;
		}
}

static void conn_free(struct conn *c)
{
	if (!c)
		return;
	/* Calls still waiting learn that nobody will read their answer. */
	while (c->watches) {
		struct conn_watch *w = c->watches;

		c->watches = w->next;
		w->closed(w->userdata);
		free(w);
	}
	sd_event_source_disable_unref(c->io);
	safe_close(c->fd);
	free(c->in);
	free(c->out);
	c->daemon->n_connections--;
	free(c);
}

const struct ucred *conn_peer(const struct conn *c)
{
	return &c->peer;
}

static size_t out_pending(const struct conn *c)
{
	return c->out_len - c->out_off;
}

static void update_events(struct conn *c)
{
	uint32_t ev = 0;

	if (!c->close_after_flush && !c->paused)
		ev |= EPOLLIN;
	if (out_pending(c) > 0)
		ev |= EPOLLOUT;
	(void)sd_event_source_set_io_events(c->io, ev);
}

static int out_reserve(struct conn *c, size_t more)
{
	size_t need;
	uint8_t *p;

	if (c->out_off > 0 && c->out_off == c->out_len)
		c->out_off = c->out_len = 0;
	if (__builtin_add_overflow(c->out_len, more, &need))
		return -ENOBUFS;
	if (need - c->out_off > CONN_OUTPUT_HARD_MAX(c->daemon->cfg.frame_max))
		return -ENOBUFS;
	if (need <= c->out_cap)
		return 0;
	if (c->out_off > 0) { /* compact before growing */
		memmove(c->out, c->out + c->out_off, c->out_len - c->out_off);
		c->out_len -= c->out_off;
		c->out_off = 0;
		need = c->out_len + more;
		if (need <= c->out_cap)
			return 0;
	}
	/* Doubling keeps a burst of small answers linear in copying and allocations. */
	need = MIN(MAX(need, 2 * c->out_cap), CONN_OUTPUT_HARD_MAX(c->daemon->cfg.frame_max));
	p = realloc(c->out, need);
	if (!p)
		return -ENOMEM;
	c->out = p;
	c->out_cap = need;
	return 0;
}

int conn_send(struct conn *c, const Sandboxd__V1__ServerMessage *m)
{
	size_t len = sandboxd__v1__server_message__get_packed_size(m);
	int r;

	if (c->close_after_flush)
		return -ESHUTDOWN;
	r = out_reserve(c, FRAME_HEADER_SIZE + len);
	if (r == -ENOBUFS) {
		log_warn("client pid %d uid %u does not read its answers; disconnecting",
			 (int)c->peer.pid, (unsigned)c->peer.uid);
		c->close_after_flush = true;
		c->out_off = c->out_len = 0;
		update_events(c);
		return r;
	}
	if (r < 0)
		return r;
	r = frame_encode_header(len, c->daemon->cfg.frame_max, c->out + c->out_len);
	if (r < 0)
		return r;
	sandboxd__v1__server_message__pack(m, c->out + c->out_len + FRAME_HEADER_SIZE);
	c->out_len += FRAME_HEADER_SIZE + len;
	if (out_pending(c) > CONN_OUTPUT_PAUSE(c->daemon->cfg.frame_max))
		c->paused = true;
	update_events(c);
	return 0;
}

int conn_send_error(struct conn *c, uint64_t id, Sandboxd__V1__Code code, const char *message,
		    const char *rule)
{
	Sandboxd__V1__ServerMessage m = SANDBOXD__V1__SERVER_MESSAGE__INIT;
	Sandboxd__V1__Response resp = SANDBOXD__V1__RESPONSE__INIT;
	Sandboxd__V1__Error err = SANDBOXD__V1__ERROR__INIT;

	err.code = code;
	err.message = (char *)message;
	err.rule = (char *)(rule ? rule : "");
	resp.id = id;
	resp.body_case = SANDBOXD__V1__RESPONSE__BODY_ERROR;
	resp.error = &err;
	m.body_case = SANDBOXD__V1__SERVER_MESSAGE__BODY_RESPONSE;
	m.response = &resp;
	return conn_send(c, &m);
}

void conn_close_after_flush(struct conn *c)
{
	c->close_after_flush = true;
	update_events(c);
}

/* Hands every whole frame in the input buffer to dispatch; false when the connection must go. */
static bool process_input(struct conn *c)
{
	size_t off = 0;

	while (!c->close_after_flush && !c->paused) {
		uint32_t n;
		int r = frame_decode(c->in + off, c->in_len - off, c->daemon->cfg.frame_max, &n);

		if (r == 0)
			break;
		if (r < 0) {
			char msg[128];

			/* The stream cannot be resynchronised after an oversized length. */
			snprintf(
				msg, sizeof(msg),
				"frame larger than the maximum of %u bytes; closing the connection",
				c->daemon->cfg.frame_max);
			(void)conn_send_error(c, 0, SANDBOXD__V1__CODE__RESOURCE_EXHAUSTED, msg,
					      NULL);
			conn_close_after_flush(c);
			off = c->in_len;
			break;
		}
		dispatch_frame(c, c->daemon, c->in + off + FRAME_HEADER_SIZE, n);
		off += FRAME_HEADER_SIZE + n;
	}
	if (off > 0) {
		memmove(c->in, c->in + off, c->in_len - off);
		c->in_len -= off;
	}
	return true;
}

static bool read_input(struct conn *c)
{
	size_t max = (size_t)c->daemon->cfg.frame_max + FRAME_HEADER_SIZE;
	ssize_t n;

	if (c->in_cap - c->in_len < CONN_READ_CHUNK && c->in_cap < max) {
		size_t cap = MIN(max, MAX(c->in_cap * 2, c->in_len + CONN_READ_CHUNK));
		uint8_t *p = realloc(c->in, cap);

		if (!p)
			return false;
		c->in = p;
		c->in_cap = cap;
	}
	if (c->in_len == c->in_cap) /* a whole frame is buffered; dispatch consumes it first */
		return true;
	n = read(c->fd, c->in + c->in_len, c->in_cap - c->in_len);
	if (n < 0)
		return errno == EAGAIN || errno == EINTR;
	if (n == 0)
		return false;
	c->in_len += (size_t)n;
	return process_input(c);
}

static bool write_output(struct conn *c)
{
	while (out_pending(c) > 0) {
		ssize_t n = write(c->fd, c->out + c->out_off, out_pending(c));

		if (n < 0)
			return errno == EAGAIN || errno == EINTR;
		c->out_off += (size_t)n;
	}
	if (c->paused && out_pending(c) <= CONN_OUTPUT_PAUSE(c->daemon->cfg.frame_max) / 2) {
		c->paused = false;
		if (!process_input(c)) /* requests that waited while we were paused */
			return false;
	}
	return !c->close_after_flush || out_pending(c) > 0;
}

static int on_io(sd_event_source *s, int fd, uint32_t revents, void *userdata)
{
	struct conn *c = userdata;
	bool keep = true;

	(void)s;
	(void)fd;
	if (revents & (EPOLLERR | EPOLLHUP) && !(revents & EPOLLIN))
		keep = false;
	if (keep && (revents & EPOLLIN))
		keep = read_input(c);
	if (keep && (revents & EPOLLOUT))
		keep = write_output(c);
	if (keep && c->close_after_flush && out_pending(c) == 0)
		keep = false;
	if (!keep) {
		conn_free(c);
		return 0;
	}
	update_events(c);
	return 0;
}

int conn_new(struct daemon *d, int fd, const struct ucred *peer)
{
	struct conn *c;
	int r;

	c = calloc(1, sizeof(*c));
	if (!c) {
		safe_close(fd);
		return -ENOMEM;
	}
	c->daemon = d;
	c->fd = fd;
	c->peer = *peer;
	d->n_connections++;
	r = sd_event_add_io(d->event, &c->io, fd, EPOLLIN, on_io, c);
	if (r < 0) {
		conn_free(c);
		return r;
	}
	return 0;
}

/* SPDX-License-Identifier: MIT */
/* The egress proxy engine: one state machine per client connection (request head -> policy ->
 * resolve -> check every address -> connect -> tunnel or forward), all non-blocking on one
 * epoll fd, with egress-resolve.c for names. The rules it enforces are listed in egress-proxy.h;
 * head parsing is egress-http.c, the ClientHello egress-tls.c, the decisions are the caller's. */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/epoll.h>
#include <time.h>
#include <unistd.h>

#include "egress-http.h"
#include "egress-proxy.h"
#include "egress-resolve.h"
#include "egress-tls.h"
#include "ip-address.h"

#define DRAIN_TIMEOUT_USEC (UINT64_C(2) * 1000000)
#define DRAIN_BYTES_MAX	   65536
#define EPOLL_BATCH	   64
/* Bytes one connection moves per direction per turn: a fast tunnel must not starve the other
 * connections, nor the daemon's loop (level-triggered epoll reports it again). */
#define PUMP_TURN_BYTES (4 * EGRESS_PROXY_BUFFER_SIZE)

enum conn_state {
	CONN_READ_HEAD, /* reading the request head */
	CONN_RESOLVING, /* waiting for egress-resolve.c */
	CONN_CONNECTING,
	CONN_PEEK,  /* CONNECT answered 200; holding the client's first bytes */
	CONN_RELAY, /* bytes flow both ways */
	CONN_DRAIN, /* our error response goes out; the client's bytes are discarded */
};

struct buffer {
	char *data;
	size_t start, end;
};

struct egress_conn;

struct watch {
	struct egress_conn *conn;
	int fd;
	uint32_t events; /* registered; 0: not in the epoll set */
};

struct egress_conn {
	struct egress_proxy *engine;
	struct egress_conn *prev, *next;
	enum conn_state state;
	bool dead;
	struct watch client, upstream;
	struct buffer up, down; /* client -> origin, origin -> client */
	bool client_eof, upstream_eof, up_shut, down_shut;
	size_t drained;

	struct egress_http_request req;
	bool have_request;
	struct sockaddr_storage addrs[EGRESS_PROXY_ADDRESSES_MAX];
	socklen_t addr_lens[EGRESS_PROXY_ADDRESSES_MAX];
	size_t n_addrs, next_addr;
	char address[IP_ADDRESS_TEXT_MAX];
	struct egress_resolve_query *query;

	uint64_t started, deadline;
	uint64_t bytes_up, bytes_down;
	bool allowed;
	int status;
	char rule[EGRESS_PROXY_RULE_MAX];
	char reason[EGRESS_PROXY_REASON_MAX];
	const char *end;
};

struct egress_proxy {
	struct egress_proxy_config cfg;
	struct egress_proxy_limits lim;
	int epoll_fd;
	struct egress_resolve *resolve;
	struct egress_conn *conns, *dead;
	unsigned n_conns;
	uint64_t bytes_total;
};

static uint64_t now_usec(void)
{
	struct timespec ts;

	(void)clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000 + (uint64_t)ts.tv_nsec / 1000;
}

static uint64_t sat_add(uint64_t a, uint64_t b)
{
	uint64_t r;

	return __builtin_add_overflow(a, b, &r) ? UINT64_MAX : r;
}

_printf_(3, 4) static void set_decision(struct egress_conn *c, const char *rule, const char *fmt,
					...)
{
	va_list ap;

	(void)snprintf(c->rule, sizeof(c->rule), "%s", rule);
	va_start(ap, fmt);
	(void)vsnprintf(c->reason, sizeof(c->reason), fmt, ap);
	va_end(ap);
}

/* --- epoll bookkeeping ------------------------------------------------------------------- */

static void watch_set(struct egress_proxy *e, struct watch *w, uint32_t events)
{
	struct epoll_event ev = {.events = events, .data.ptr = w};
	int op;

	if (w->fd < 0 || w->events == events)
		return;
	/* An fd with no wanted events leaves the set: EPOLLHUP is reported even unasked, and a
	 * level-triggered hangup nobody reads would spin the loop. */
	if (events == 0)
		op = EPOLL_CTL_DEL;
	else
		op = w->events == 0 ? EPOLL_CTL_ADD : EPOLL_CTL_MOD;
	if (epoll_ctl(e->epoll_fd, op, w->fd, &ev) < 0 && op != EPOLL_CTL_DEL)
		return; /* ENOMEM: the deadline still ends the connection */
	w->events = events;
}

static void watch_close(struct egress_proxy *e, struct watch *w)
{
	watch_set(e, w, 0);
	w->fd = safe_close(w->fd);
}

/* --- buffers ------------------------------------------------------------------------------ */

static size_t buf_len(const struct buffer *b)
{
	return b->end - b->start;
}

static void buf_compact(struct buffer *b)
{
	if (b->start == 0)
		return;
	memmove(b->data, b->data + b->start, buf_len(b));
	b->end -= b->start;
	b->start = 0;
}

static bool buf_room(const struct buffer *b)
{
	return b->start == b->end || b->end < EGRESS_PROXY_BUFFER_SIZE;
}

static size_t buf_space(struct buffer *b)
{
	if (b->start == b->end)
		b->start = b->end = 0;
	return EGRESS_PROXY_BUFFER_SIZE - b->end;
}

/* --- life and death ----------------------------------------------------------------------- */

static void conn_emit_record(struct egress_conn *c)
{
	struct egress_proxy *e = c->engine;
	struct egress_proxy_record r = {
		.method = c->have_request ? egress_http_method_to_string(c->req.method) : "",
		.host = c->have_request ? c->req.host : "",
		.port = c->have_request ? c->req.port : 0,
		.address = c->address,
		.bytes_up = c->bytes_up,
		.bytes_down = c->bytes_down,
		.allowed = c->allowed,
		.status = c->status,
		.rule = c->rule,
		.reason = c->reason,
		.end = c->end ? c->end : "closed",
		.duration_usec = now_usec() - c->started,
	};

	if (e->cfg.record)
		e->cfg.record(e->cfg.record_userdata, &r);
}

/* Ends a connection: record, fds out of epoll and closed, query detached. The memory lives on
 * the dead list until the current batch of epoll events is done (they may still name it). */
static void conn_close(struct egress_conn *c, const char *end)
{
	struct egress_proxy *e = c->engine;

	if (c->dead)
		return;
	c->dead = true;
	if (!c->end)
		c->end = end;
	conn_emit_record(c);
	watch_close(e, &c->client);
	watch_close(e, &c->upstream);
	egress_resolve_cancel(c->query);
	c->query = NULL;
	if (c->prev)
		c->prev->next = c->next;
	else
		e->conns = c->next;
	if (c->next)
		c->next->prev = c->prev;
	c->prev = NULL;
	c->next = e->dead;
	e->dead = c;
	e->n_conns--;
}

static void engine_reap(struct egress_proxy *e)
{
	while (e->dead) {
		struct egress_conn *c = e->dead;

		e->dead = c->next;
		free(c->up.data);
		free(c->down.data);
		free(c);
	}
}

/* Answers with the proxy's own error and drains the client. After a 200 on CONNECT the tunnel
 * belongs to the client, so the connection is only closed. */
static void conn_refuse(struct egress_conn *c, int status, bool allowed, const char *end)
{
	struct egress_proxy *e = c->engine;

	c->allowed = allowed;
	if (c->status == 200) {
		conn_close(c, end);
		return;
	}
	c->status = status;
	c->end = end;
	egress_resolve_cancel(c->query);
	c->query = NULL;
	watch_close(e, &c->upstream);
	c->down.start = 0;
	c->down.end = egress_http_error_response(status, c->rule, c->reason, c->down.data,
						 EGRESS_PROXY_BUFFER_SIZE);
	c->up.start = c->up.end = 0;
	c->state = CONN_DRAIN;
	c->deadline = sat_add(now_usec(), MIN(DRAIN_TIMEOUT_USEC, e->lim.idle_timeout_usec));
}

/* --- connect ------------------------------------------------------------------------------ */

static void conn_update(struct egress_conn *c);
static void conn_run(struct egress_conn *c, uint32_t upstream_revents);

static void conn_connected(struct egress_conn *c)
{
	static const char ok[] = "HTTP/1.1 200 Connection established\r\n\r\n";
	struct egress_proxy *e = c->engine;

	c->allowed = true;
	c->deadline = sat_add(now_usec(), e->lim.idle_timeout_usec);
	if (c->req.method == EGRESS_HTTP_CONNECT) {
		c->status = 200;
		memcpy(c->down.data, ok, sizeof(ok) - 1);
		c->down.start = 0;
		c->down.end = sizeof(ok) - 1;
		buf_compact(&c->up);
		c->state = CONN_PEEK;
	} else
		c->state = CONN_RELAY;
}

/* Tries the checked addresses in order until one connects or starts connecting. */
static void conn_connect_next(struct egress_conn *c, int last_error)
{
	struct egress_proxy *e = c->engine;
	struct ip_address a;

	while (c->next_addr < c->n_addrs) {
		const struct sockaddr *sa = (const struct sockaddr *)&c->addrs[c->next_addr];
		socklen_t len = c->addr_lens[c->next_addr];
		int fd;

		c->next_addr++;
		if (ip_address_from_sockaddr(sa, len, &a) == 0)
			(void)ip_address_to_string(&a, c->address);
		fd = socket(sa->sa_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
		if (fd < 0) {
			last_error = errno;
			continue;
		}
		c->upstream.fd = fd;
		c->upstream.events = 0;
		if (connect(fd, sa, len) == 0) {
			conn_connected(c);
			return;
		}
		if (errno == EINPROGRESS) {
			c->state = CONN_CONNECTING;
			return;
		}
		last_error = errno;
		c->upstream.fd = safe_close(c->upstream.fd);
	}
	set_decision(c, "egress.connect", "connect to '%s' port %u (%s): %s", c->req.host,
		     c->req.port, c->address, strerror(last_error ? last_error : ECONNREFUSED));
	conn_refuse(c, 502, false, "connect failed");
	(void)e;
}

/* Every address must pass: see egress-proxy.h. */
static void conn_check_addresses(struct egress_conn *c)
{
	struct egress_proxy *e = c->engine;
	struct ip_address a;

	for (size_t i = 0; i < c->n_addrs; i++) {
		const struct sockaddr *sa = (const struct sockaddr *)&c->addrs[i];

		if (ip_address_from_sockaddr(sa, c->addr_lens[i], &a) == 0)
			(void)ip_address_to_string(&a, c->address);
		if (!e->cfg.policy.decide_address(e->cfg.policy.userdata, c->req.host, sa,
						  c->addr_lens[i], c->rule, sizeof(c->rule),
						  c->reason, sizeof(c->reason))) {
			conn_refuse(c, 403, false, "refused");
			return;
		}
	}
	c->next_addr = 0;
	conn_connect_next(c, 0);
}

static void resolve_done(void *userdata, int error, const char *reason,
			 const struct sockaddr_storage *addrs, const socklen_t *lens, size_t n)
{
	struct egress_conn *c = userdata;

	c->query = NULL;
	if (error < 0) {
		set_decision(c, "egress.resolve", "%s", reason);
		conn_refuse(c, 502, false, "resolve failed");
	} else {
		n = MIN(n, (size_t)EGRESS_PROXY_ADDRESSES_MAX);
		memcpy(c->addrs, addrs, n * sizeof(*addrs));
		memcpy(c->addr_lens, lens, n * sizeof(*lens));
		c->n_addrs = n;
		conn_check_addresses(c);
	}
	if (!c->dead)
		conn_update(c);
}

/* The head is complete: policy for the host, then a literal or an asynchronous lookup. */
static void conn_request(struct egress_conn *c)
{
	struct egress_proxy *e = c->engine;
	struct ip_address a;

	if (!e->cfg.policy.decide_host(e->cfg.policy.userdata, c->req.host, c->req.port, c->rule,
				       sizeof(c->rule), c->reason, sizeof(c->reason))) {
		conn_refuse(c, 403, false, "refused");
		return;
	}
	c->deadline = sat_add(now_usec(), e->lim.connect_timeout_usec);
	if (ip_address_parse(c->req.host, &a) == 0) {
		struct sockaddr_storage *ss = &c->addrs[0];

		memset(ss, 0, sizeof(*ss));
		if (a.family == AF_INET) {
			struct sockaddr_in *in = (struct sockaddr_in *)ss;

			in->sin_family = AF_INET;
			in->sin_port = htons(c->req.port);
			memcpy(&in->sin_addr, a.bytes, 4);
			c->addr_lens[0] = sizeof(*in);
		} else {
			struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)ss;

			in6->sin6_family = AF_INET6;
			in6->sin6_port = htons(c->req.port);
			memcpy(&in6->sin6_addr, a.bytes, 16);
			c->addr_lens[0] = sizeof(*in6);
		}
		c->n_addrs = 1;
		conn_check_addresses(c);
		return;
	}
	c->state = CONN_RESOLVING;
	/* The callback may run before this returns (hosts file, immediate failure). */
	if (egress_resolve_lookup(e->resolve, c->req.host, c->req.port, resolve_done, c,
				  &c->query) < 0) {
		set_decision(c, "egress.resolve", "resolve '%s': %s", c->req.host,
			     strerror(ENOMEM));
		conn_refuse(c, 502, false, "resolve failed");
	}
}

/* --- byte pumping ------------------------------------------------------------------------- */

/* Bytes this connection may still move, under both byte limits. */
static uint64_t conn_allowance(struct egress_conn *c)
{
	struct egress_proxy *e = c->engine;
	uint64_t used = c->bytes_up + c->bytes_down;
	uint64_t conn_left = used >= e->lim.max_bytes_per_connection
				     ? 0
				     : e->lim.max_bytes_per_connection - used;
	uint64_t total_left = e->bytes_total >= e->lim.max_bytes_total
				      ? 0
				      : e->lim.max_bytes_total - e->bytes_total;

	return MIN(conn_left, total_left);
}

/* Reads from fd into b, at most the allowance. Returns bytes read, 0 for EOF, -EAGAIN, or
 * -errno; -EDQUOT when the byte limit is used up. */
static ssize_t pump_in(struct egress_conn *c, int fd, struct buffer *b, bool counted)
{
	size_t space = buf_space(b);
	uint64_t allow = counted ? conn_allowance(c) : UINT64_MAX;
	ssize_t n;

	if (space == 0)
		return -EAGAIN;
	if (allow == 0)
		return -EDQUOT;
	n = recv(fd, b->data + b->end, (size_t)MIN((uint64_t)space, allow), MSG_DONTWAIT);
	if (n < 0)
		return errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR ? -EAGAIN : -errno;
	b->end += (size_t)n;
	return n;
}

static ssize_t pump_out(int fd, struct buffer *b)
{
	ssize_t n;

	if (buf_len(b) == 0)
		return 0;
	n = send(fd, b->data + b->start, buf_len(b), MSG_DONTWAIT | MSG_NOSIGNAL);
	if (n < 0)
		return errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR ? -EAGAIN : -errno;
	b->start += (size_t)n;
	return n;
}

/* Moves what can move without blocking. Returns false when the connection was closed. */
static bool conn_pump(struct egress_conn *c, bool client_to_origin)
{
	struct egress_proxy *e = c->engine;
	size_t moved = 0;
	ssize_t n;
	bool progress = false;

	/* origin -> client */
	for (;;) {
		if (c->upstream.fd >= 0 && !c->upstream_eof) {
			n = pump_in(c, c->upstream.fd, &c->down, true);
			if (n == -EDQUOT) {
				conn_close(c, "byte limit");
				return false;
			}
			if (n == 0)
				c->upstream_eof = true;
			else if (n > 0) {
				c->bytes_down += (uint64_t)n;
				e->bytes_total += (uint64_t)n;
				progress = true;
			} else if (n != -EAGAIN) {
				conn_close(c, "origin error");
				return false;
			}
		}
		n = pump_out(c->client.fd, &c->down);
		if (n > 0) {
			progress = true;
			moved += (size_t)n;
		} else if (n < 0 && n != -EAGAIN) {
			conn_close(c, "client error");
			return false;
		}
		if (n <= 0 || c->upstream_eof || c->upstream.fd < 0 || moved >= PUMP_TURN_BYTES)
			break;
	}
	if (c->upstream_eof && buf_len(&c->down) == 0 && !c->down_shut) {
		(void)shutdown(c->client.fd, SHUT_WR);
		c->down_shut = true;
	}
	/* One request per connection: the origin answered and closed, so the exchange is over
	 * (a tunnel keeps its half-close: the client may still talk). */
	if (c->down_shut && c->req.method != EGRESS_HTTP_CONNECT) {
		conn_close(c, "closed");
		return false;
	}

	/* client -> origin */
	if (client_to_origin) {
		for (;;) {
			if (!c->client_eof) {
				n = pump_in(c, c->client.fd, &c->up, true);
				if (n == -EDQUOT) {
					conn_close(c, "byte limit");
					return false;
				}
				if (n == 0)
					c->client_eof = true;
				else if (n > 0) {
					c->bytes_up += (uint64_t)n;
					e->bytes_total += (uint64_t)n;
					progress = true;
				} else if (n != -EAGAIN) {
					conn_close(c, "client error");
					return false;
				}
			}
			n = pump_out(c->upstream.fd, &c->up);
			if (n > 0) {
				progress = true;
				moved += (size_t)n;
			} else if (n < 0 && n != -EAGAIN) {
				conn_close(c, "origin error");
				return false;
			}
			if (n <= 0 || c->client_eof || moved >= 2 * PUMP_TURN_BYTES)
				break;
		}
		if (c->client_eof && buf_len(&c->up) == 0 && !c->up_shut) {
			(void)shutdown(c->upstream.fd, SHUT_WR);
			c->up_shut = true;
		}
	}
	if (progress)
		c->deadline = sat_add(now_usec(), e->lim.idle_timeout_usec);
	if (c->up_shut && c->down_shut) {
		conn_close(c, "closed");
		return false;
	}
	/* The origin is gone and everything it said was delivered: nothing left to relay. */
	if (c->upstream_eof && c->down_shut && !client_to_origin) {
		conn_close(c, "closed");
		return false;
	}
	return true;
}

/* CONNECT: decide on the client's first bytes before any of them reach the origin. */
static void conn_peek(struct egress_conn *c)
{
	char sni[EGRESS_TLS_SNI_MAX + 1];
	const uint8_t *p;
	size_t len;
	ssize_t n;
	int r;

	if (!c->client_eof && c->up.end < EGRESS_TLS_PEEK_MAX) {
		n = recv(c->client.fd, c->up.data + c->up.end, EGRESS_TLS_PEEK_MAX - c->up.end,
			 MSG_DONTWAIT);
		if (n == 0)
			c->client_eof = true;
		else if (n > 0)
			c->up.end += (size_t)n;
		else if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR) {
			conn_close(c, "client error");
			return;
		}
	}
	p = (const uint8_t *)c->up.data;
	len = c->up.end;
	if (len == 0) {
		if (c->client_eof)
			c->state = CONN_RELAY;
		return;
	}
	if (egress_tls_is_handshake(p, len)) {
		r = egress_tls_parse_sni(p, len, sni);
		if (r == -EAGAIN && !c->client_eof && len < EGRESS_TLS_PEEK_MAX)
			return;
		if (r < 0) {
			set_decision(c, "egress.sni",
				     "TLS ClientHello to '%s' is malformed or not in one record",
				     c->req.host);
			conn_refuse(c, 403, false, "refused");
			return;
		}
		/* Domain fronting: a tunnel opened for an allowed host must not carry a
		 * handshake for another name, which a shared front end (CDN) would route to
		 * a different site. */
		if (r == 1 && strcmp(sni, c->req.host) != 0) {
			set_decision(c, "egress.sni",
				     "TLS server name '%s' differs from CONNECT host '%s'", sni,
				     c->req.host);
			conn_refuse(c, 403, false, "refused");
			return;
		}
	}
	/* Not TLS, or TLS for the right name: either reaches only the checked address. */
	c->bytes_up += len;
	c->engine->bytes_total += len;
	c->state = CONN_RELAY;
}

static void conn_read_head(struct egress_conn *c)
{
	struct egress_proxy *e = c->engine;
	struct egress_http_error err = {};
	ssize_t n;
	int r, fwd;

	for (;;) {
		n = recv(c->client.fd, c->up.data + c->up.end, EGRESS_HTTP_HEAD_MAX - c->up.end,
			 MSG_DONTWAIT);
		if (n == 0) {
			set_decision(c, "egress.request",
				     "client closed before a complete request");
			conn_close(c, "client closed");
			return;
		}
		if (n < 0) {
			if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)
				return;
			set_decision(c, "egress.request", "reading the request: %s",
				     strerror(errno));
			conn_close(c, "client error");
			return;
		}
		c->up.end += (size_t)n;
		r = egress_http_parse(c->up.data, c->up.end, &c->req, &err);
		if (r < 0) {
			set_decision(c, "egress.request", "%s", err.reason);
			conn_refuse(c, err.status, false, "refused");
			return;
		}
		if (r > 0)
			break;
	}
	c->have_request = true;
	if (c->req.method == EGRESS_HTTP_CONNECT) {
		c->up.start = c->req.head_len;
	} else {
		/* Origin-form head, then whatever body bytes followed, staged in the other
		 * buffer and swapped in: sizes are bounded by EGRESS_HTTP_HEAD_MAX. */
		size_t rest = c->up.end - c->req.head_len;
		char *t;

		fwd = egress_http_forward_head(c->up.data, &c->req, c->down.data,
					       EGRESS_PROXY_BUFFER_SIZE - rest);
		if (fwd < 0) {
			set_decision(c, "egress.request", "request head too large to forward");
			conn_refuse(c, 400, false, "refused");
			return;
		}
		memcpy(c->down.data + fwd, c->up.data + c->req.head_len, rest);
		t = c->up.data;
		c->up.data = c->down.data;
		c->down.data = t;
		c->up.start = 0;
		c->up.end = (size_t)fwd + rest;
		c->down.start = c->down.end = 0;
		c->bytes_up += rest;
		e->bytes_total += rest;
	}
	conn_request(c);
}

static void conn_drain(struct egress_conn *c)
{
	char sink[4096];
	ssize_t n;

	n = pump_out(c->client.fd, &c->down);
	if (n < 0 && n != -EAGAIN) {
		conn_close(c, c->end);
		return;
	}
	if (buf_len(&c->down) > 0)
		return;
	if (!c->down_shut) {
		(void)shutdown(c->client.fd, SHUT_WR);
		c->down_shut = true;
	}
	/* Reading what the client still sends avoids an RST that would destroy our answer in
	 * the client's receive queue. */
	for (;;) {
		n = recv(c->client.fd, sink, sizeof(sink), MSG_DONTWAIT);
		if (n > 0 && (c->drained += (size_t)n) < DRAIN_BYTES_MAX)
			continue;
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR))
			return;
		conn_close(c, c->end);
		return;
	}
}

/* Recomputes which events each fd waits for from the state and the buffers. */
static void conn_update(struct egress_conn *c)
{
	struct egress_proxy *e = c->engine;
	uint32_t ce = 0, ue = 0;

	if (c->dead)
		return;
	switch (c->state) {
	case CONN_READ_HEAD:
		ce = EPOLLIN;
		break;
	case CONN_RESOLVING:
		break;
	case CONN_CONNECTING:
		ue = EPOLLOUT;
		break;
	case CONN_PEEK:
		if (!c->client_eof && c->up.end < EGRESS_TLS_PEEK_MAX)
			ce |= EPOLLIN;
		if (buf_len(&c->down) > 0)
			ce |= EPOLLOUT;
		else if (!c->upstream_eof)
			ue |= EPOLLIN;
		break;
	case CONN_RELAY:
		if (!c->client_eof && buf_room(&c->up))
			ce |= EPOLLIN;
		if (buf_len(&c->down) > 0)
			ce |= EPOLLOUT;
		if (!c->upstream_eof && buf_room(&c->down))
			ue |= EPOLLIN;
		if (buf_len(&c->up) > 0)
			ue |= EPOLLOUT;
		break;
	case CONN_DRAIN:
		ce = buf_len(&c->down) > 0 ? EPOLLOUT : EPOLLIN;
		break;
	}
	watch_set(e, &c->client, ce);
	watch_set(e, &c->upstream, ue);
}

/* Advances the connection as far as it goes without blocking. */
static void conn_run(struct egress_conn *c, uint32_t upstream_revents)
{
	for (int rounds = 0; rounds < 8 && !c->dead; rounds++) {
		enum conn_state before = c->state;

		switch (c->state) {
		case CONN_READ_HEAD:
			conn_read_head(c);
			break;
		case CONN_RESOLVING:
			break;
		case CONN_CONNECTING: {
			int err = 0;
			socklen_t len = sizeof(err);

			if (!(upstream_revents & (EPOLLOUT | EPOLLERR | EPOLLHUP)))
				break;
			if (getsockopt(c->upstream.fd, SOL_SOCKET, SO_ERROR, &err, &len) < 0)
				err = errno;
			if (err == 0) {
				conn_connected(c);
				break;
			}
			watch_close(c->engine, &c->upstream);
			conn_connect_next(c, err);
			break;
		}
		case CONN_PEEK:
			if (!conn_pump(c, false))
				break;
			conn_peek(c);
			break;
		case CONN_RELAY:
			(void)conn_pump(c, true);
			break;
		case CONN_DRAIN:
			conn_drain(c);
			break;
		}
		upstream_revents = 0;
		if (c->state == before)
			break;
	}
	conn_update(c);
}

/* --- engine ------------------------------------------------------------------------------ */

int egress_proxy_new(const struct egress_proxy_config *cfg, struct egress_proxy **ret,
		     struct sbx_error *reterr)
{
	struct egress_proxy *e;
	int r;

	if (!cfg || !cfg->policy.decide_host || !cfg->policy.decide_address)
		return sbx_fail(reterr, -EINVAL, "create egress proxy: no policy callbacks");
	e = calloc(1, sizeof(*e));
	if (!e)
		return sbx_fail(reterr, -ENOMEM, "create egress proxy");
	e->cfg = *cfg;
	e->lim = cfg->limits;
	if (!e->lim.max_connections)
		e->lim.max_connections = EGRESS_PROXY_CONNECTIONS_MAX_DEFAULT;
	if (!e->lim.max_bytes_per_connection)
		e->lim.max_bytes_per_connection = EGRESS_PROXY_BYTES_PER_CONNECTION_DEFAULT;
	if (!e->lim.max_bytes_total)
		e->lim.max_bytes_total = EGRESS_PROXY_BYTES_TOTAL_DEFAULT;
	if (!e->lim.idle_timeout_usec)
		e->lim.idle_timeout_usec = EGRESS_PROXY_IDLE_TIMEOUT_USEC_DEFAULT;
	if (!e->lim.connect_timeout_usec)
		e->lim.connect_timeout_usec = EGRESS_PROXY_CONNECT_TIMEOUT_USEC_DEFAULT;
	e->cfg.dns_servers = NULL; /* not kept: used below only */
	e->cfg.dns_lookups = NULL;

	e->epoll_fd = epoll_create1(EPOLL_CLOEXEC);
	if (e->epoll_fd < 0) {
		r = -errno;
		free(e);
		return sbx_fail(reterr, r, "create egress proxy epoll");
	}
	r = egress_resolve_new(e->epoll_fd, cfg->dns_servers, cfg->dns_lookups, &e->resolve,
			       reterr);
	if (r < 0) {
		(void)egress_proxy_free(e);
		return r;
	}
	*ret = e;
	return 0;
}

struct egress_proxy *egress_proxy_free(struct egress_proxy *e)
{
	if (!e)
		return NULL;
	while (e->conns) {
		if (!e->conns->end)
			e->conns->end = "proxy stopped";
		conn_close(e->conns, "proxy stopped");
	}
	engine_reap(e);
	e->resolve = egress_resolve_free(e->resolve); /* pending queries were cancelled */
	e->epoll_fd = safe_close(e->epoll_fd);
	free(e);
	return NULL;
}

int egress_proxy_get_fd(const struct egress_proxy *e)
{
	return e->epoll_fd;
}

uint64_t egress_proxy_get_deadline(const struct egress_proxy *e)
{
	uint64_t d = UINT64_MAX, t = egress_resolve_timeout_usec(e->resolve);

	for (struct egress_conn *c = e->conns; c; c = c->next)
		d = MIN(d, c->deadline);
	if (t != UINT64_MAX)
		d = MIN(d, sat_add(now_usec(), t));
	return d;
}

unsigned egress_proxy_count(const struct egress_proxy *e)
{
	return e->n_conns;
}

static void conn_timeout(struct egress_conn *c)
{
	switch (c->state) {
	case CONN_READ_HEAD:
		set_decision(c, "egress.timeout", "no complete request head within %" PRIu64 " ms",
			     c->engine->lim.idle_timeout_usec / 1000);
		conn_refuse(c, 400, false, "head timeout");
		break;
	case CONN_RESOLVING:
	case CONN_CONNECTING:
		set_decision(c, "egress.timeout",
			     "resolving and connecting to '%s' took over %" PRIu64 " ms",
			     c->req.host, c->engine->lim.connect_timeout_usec / 1000);
		conn_refuse(c, 504, false, "connect timeout");
		break;
	case CONN_PEEK:
	case CONN_RELAY:
		conn_close(c, "idle timeout");
		return;
	case CONN_DRAIN:
		conn_close(c, c->end);
		return;
	}
	conn_update(c);
}

int egress_proxy_process(struct egress_proxy *e)
{
	struct epoll_event evs[EPOLL_BATCH];
	uint64_t now;
	int n;

	for (int round = 0; round < 4; round++) {
		n = epoll_wait(e->epoll_fd, evs, EPOLL_BATCH, 0);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		for (int i = 0; i < n; i++) {
			struct watch *w;

			if (evs[i].data.u64 & EGRESS_RESOLVE_EPOLL_TAG) {
				egress_resolve_process(e->resolve, evs[i].data.u64, evs[i].events);
				continue;
			}
			w = evs[i].data.ptr;
			if (w->conn->dead)
				continue;
			conn_run(w->conn, w == &w->conn->upstream ? evs[i].events : 0);
		}
		engine_reap(e);
		if (n < EPOLL_BATCH)
			break;
	}

	/* Timers: the resolver's, then each connection's deadline. */
	egress_resolve_process(e->resolve, 0, 0);
	now = now_usec();
	for (struct egress_conn *c = e->conns, *next; c; c = next) {
		next = c->next;
		if (c->deadline <= now)
			conn_timeout(c);
	}
	engine_reap(e);
	return 0;
}

int egress_proxy_add(struct egress_proxy *e, int client_fd)
{
	_cleanup_close_ int fd = client_fd;
	struct egress_conn *c;
	int flags;

	flags = fcntl(fd, F_GETFL);
	if (flags < 0 || fcntl(fd, F_SETFL, flags | O_NONBLOCK) < 0)
		return -errno;

	if (e->n_conns >= e->lim.max_connections) {
		char resp[1024], reason[128], sink[4096];
		struct egress_proxy_record r = {
			.method = "",
			.host = "",
			.address = "",
			.status = 503,
			.rule = "egress.connections",
			.reason = reason,
			.end = "refused",
		};
		size_t len;

		(void)snprintf(reason, sizeof(reason),
			       "the session already has %u proxy connections open (the limit)",
			       e->lim.max_connections);
		len = egress_http_error_response(503, r.rule, reason, resp, sizeof(resp));
		/* A fresh socket's send buffer holds this; a client that cannot take it loses
		 * only its refusal. */
		(void)send(fd, resp, len, MSG_DONTWAIT | MSG_NOSIGNAL);
		(void)shutdown(fd, SHUT_WR);
		for (int i = 0; i < 16 && recv(fd, sink, sizeof(sink), MSG_DONTWAIT) > 0; i++)
			;
		if (e->cfg.record)
			e->cfg.record(e->cfg.record_userdata, &r);
		return 1;
	}

	c = calloc(1, sizeof(*c));
	if (!c)
		return -ENOMEM;
	c->up.data = malloc(EGRESS_PROXY_BUFFER_SIZE);
	c->down.data = malloc(EGRESS_PROXY_BUFFER_SIZE);
	if (!c->up.data || !c->down.data) {
		free(c->up.data);
		free(c->down.data);
		free(c);
		return -ENOMEM;
	}
	c->engine = e;
	c->client = (struct watch){.conn = c, .fd = TAKE_FD(fd)};
	c->upstream = (struct watch){.conn = c, .fd = -EBADF};
	c->started = now_usec();
	/* The head must be complete within one idle timeout from accept (slow-loris). */
	c->deadline = sat_add(c->started, e->lim.idle_timeout_usec);
	c->state = CONN_READ_HEAD;
	set_decision(c, "egress.request", "no request");
	c->next = e->conns;
	if (e->conns)
		e->conns->prev = c;
	e->conns = c;
	e->n_conns++;
	conn_run(c, 0);
	engine_reap(e);
	return 0;
}

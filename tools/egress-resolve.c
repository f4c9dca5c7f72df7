/* SPDX-License-Identifier: MIT */
/* The egress proxy's resolver: c-ares driven through the proxy's epoll fd (the socket-state
 * callback adds and removes its sockets), never blocking and never resolving twice for one
 * request. Which addresses may be used is egress-proxy.c's question to the policy. */
#include <ares.h>
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>

#include "egress-resolve.h"

struct egress_resolve {
	int epoll_fd; /* not owned */
	ares_channel channel;
};

struct egress_resolve_query {
	egress_resolve_done_t done; /* NULL once cancelled */
	void *userdata;
	uint16_t port;
	char host[256];
};

static void sock_state(void *data, ares_socket_t fd, int readable, int writable)
{
	struct egress_resolve *r = data;
	struct epoll_event ev = {
		.events = (readable ? EPOLLIN : 0) | (writable ? EPOLLOUT : 0),
		.data.u64 = EGRESS_RESOLVE_EPOLL_TAG | (uint64_t)(uint32_t)fd,
	};

	if (!readable && !writable) {
		(void)epoll_ctl(r->epoll_fd, EPOLL_CTL_DEL, fd, NULL);
		return;
	}
	/* On ENOMEM the lookup times out: the proxy's connect deadline answers 504. */
	if (epoll_ctl(r->epoll_fd, EPOLL_CTL_MOD, fd, &ev) < 0 && errno == ENOENT)
		(void)epoll_ctl(r->epoll_fd, EPOLL_CTL_ADD, fd, &ev);
}

int egress_resolve_new(int epoll_fd, const char *servers, const char *lookups,
		       struct egress_resolve **ret, struct sbx_error *reterr)
{
	struct ares_options opts = {};
	int optmask = ARES_OPT_SOCK_STATE_CB, a;
	struct egress_resolve *r;

	r = calloc(1, sizeof(*r));
	if (!r)
		return sbx_fail(reterr, -ENOMEM, "create egress resolver");
	r->epoll_fd = epoll_fd;
	a = ares_library_init(ARES_LIB_INIT_ALL);
	if (a != ARES_SUCCESS) {
		free(r);
		return sbx_fail(reterr, -ENOMEM, "initialise c-ares: %s", ares_strerror(a));
	}
	opts.sock_state_cb = sock_state;
	opts.sock_state_cb_data = r;
	if (lookups) {
		opts.lookups = (char *)lookups;
		optmask |= ARES_OPT_LOOKUPS;
	}
	a = ares_init_options(&r->channel, &opts, optmask);
	if (a != ARES_SUCCESS) {
		ares_library_cleanup();
		free(r);
		return sbx_fail(reterr, a == ARES_ENOMEM ? -ENOMEM : -EIO,
				"create egress resolver: %s", ares_strerror(a));
	}
	if (servers) {
		a = ares_set_servers_ports_csv(r->channel, servers);
		if (a != ARES_SUCCESS) {
			(void)egress_resolve_free(r);
			return sbx_fail(reterr, -EINVAL, "set egress DNS servers '%s': %s", servers,
					ares_strerror(a));
		}
	}
	*ret = r;
	return 0;
}

struct egress_resolve *egress_resolve_free(struct egress_resolve *r)
{
	if (!r)
		return NULL;
	ares_destroy(r->channel); /* pending queries end here: done() frees them */
	ares_library_cleanup();
	free(r);
	return NULL;
}

static int status_to_errno(int status)
{
	switch (status) {
	case ARES_ENOTFOUND:
	case ARES_ENODATA:
		return -ENOENT;
	case ARES_ENOMEM:
		return -ENOMEM;
	case ARES_ETIMEOUT:
		return -ETIMEDOUT;
	case ARES_ECONNREFUSED:
		return -ECONNREFUSED;
	default:
		return -EIO;
	}
}

static void lookup_done(void *arg, int status, int timeouts, struct ares_addrinfo *res)
{
	struct egress_resolve_query *q = arg;
	struct sockaddr_storage addrs[EGRESS_RESOLVE_ADDRESSES_MAX];
	socklen_t lens[EGRESS_RESOLVE_ADDRESSES_MAX];
	char reason[384];
	size_t n = 0;

	(void)timeouts;
	if (!q->done)
		goto out;
	if (status != ARES_SUCCESS || !res) {
		(void)snprintf(reason, sizeof(reason), "resolve '%s': %s", q->host,
			       ares_strerror(status));
		q->done(q->userdata, status_to_errno(status), reason, NULL, NULL, 0);
		goto out;
	}
	for (struct ares_addrinfo_node *a = res->nodes; a && n < EGRESS_RESOLVE_ADDRESSES_MAX;
	     a = a->ai_next) {
		memset(&addrs[n], 0, sizeof(addrs[n]));
		if (a->ai_family == AF_INET && a->ai_addrlen >= sizeof(struct sockaddr_in)) {
			memcpy(&addrs[n], a->ai_addr, sizeof(struct sockaddr_in));
			((struct sockaddr_in *)&addrs[n])->sin_port = htons(q->port);
			lens[n++] = sizeof(struct sockaddr_in);
		} else if (a->ai_family == AF_INET6 &&
			   a->ai_addrlen >= sizeof(struct sockaddr_in6)) {
			memcpy(&addrs[n], a->ai_addr, sizeof(struct sockaddr_in6));
			((struct sockaddr_in6 *)&addrs[n])->sin6_port = htons(q->port);
			lens[n++] = sizeof(struct sockaddr_in6);
		}
	}
	if (n == 0) {
		(void)snprintf(reason, sizeof(reason), "resolve '%s': no IPv4 or IPv6 address",
			       q->host);
		q->done(q->userdata, -ENOENT, reason, NULL, NULL, 0);
	} else
		q->done(q->userdata, 0, "", addrs, lens, n);
out:
	ares_freeaddrinfo(res);
	free(q);
}

int egress_resolve_lookup(struct egress_resolve *r, const char *host, uint16_t port,
			  egress_resolve_done_t done, void *userdata,
			  struct egress_resolve_query **ret_query)
{
	struct ares_addrinfo_hints hints = {.ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM};
	struct egress_resolve_query *q;

	q = calloc(1, sizeof(*q));
	if (!q)
		return -ENOMEM;
	q->done = done;
	q->userdata = userdata;
	q->port = port;
	(void)snprintf(q->host, sizeof(q->host), "%s", host);
	*ret_query = q;
	ares_getaddrinfo(r->channel, q->host, NULL, &hints, lookup_done, q);
	return 0;
}

void egress_resolve_cancel(struct egress_resolve_query *q)
{
	if (q)
		q->done = NULL;
}

void egress_resolve_process(struct egress_resolve *r, uint64_t tag_data, uint32_t events)
{
	int fd = (int)(uint32_t)tag_data;

	if (events == 0) {
		ares_process_fd(r->channel, ARES_SOCKET_BAD, ARES_SOCKET_BAD);
		return;
	}
	ares_process_fd(r->channel, events & (EPOLLIN | EPOLLERR | EPOLLHUP) ? fd : ARES_SOCKET_BAD,
			events & EPOLLOUT ? fd : ARES_SOCKET_BAD);
}

uint64_t egress_resolve_timeout_usec(struct egress_resolve *r)
{
	struct timeval tv, *t = ares_timeout(r->channel, NULL, &tv);

	if (!t)
		return UINT64_MAX;
	return (uint64_t)t->tv_sec * 1000000 + (uint64_t)t->tv_usec;
}

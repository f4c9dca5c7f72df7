/* SPDX-License-Identifier: MIT */
/* Asynchronous name resolution for the egress proxy: a c-ares channel whose sockets live in the
 * proxy's epoll set, and lookups that return every IPv4 and IPv6 address of a name. It decides
 * nothing: checking the addresses and connecting is egress-proxy.c. */
#pragma once

#include <stdbool.h>
#include <stdint.h>
#include <sys/socket.h>

#include "error.h"
#include "macro.h"

#define EGRESS_RESOLVE_ADDRESSES_MAX 16 /* addresses returned per name; the rest are dropped */

/* epoll_data.u64 of the resolver's sockets: this bit and the fd. The proxy's own watches are
 * aligned pointers, which never have it set. */
#define EGRESS_RESOLVE_EPOLL_TAG (UINT64_C(1) << 63)

struct egress_resolve;
struct egress_resolve_query;

/* The answer to one lookup: error 0 and n addresses with the port set, or -errno and a
 * sentence ("resolve 'x': Domain name not found"). Runs inside egress_resolve_lookup(),
 * egress_resolve_process() or egress_resolve_free(); never after egress_resolve_cancel(). */
typedef void (*egress_resolve_done_t)(void *userdata, int error, const char *reason,
				      const struct sockaddr_storage *addrs, const socklen_t *lens,
				      size_t n);

/* Creates a channel whose sockets are added to epoll_fd. servers: "ip[:port],..." or NULL for
 * /etc/resolv.conf; lookups: c-ares lookups ("b", "fb") or NULL for its default. */
int egress_resolve_new(int epoll_fd, const char *servers, const char *lookups,
		       struct egress_resolve **ret, struct sbx_error *reterr);

/* Ends every pending lookup (without calling back cancelled ones) and frees; returns NULL. */
struct egress_resolve *egress_resolve_free(struct egress_resolve *r);

/* Starts a lookup of host. *ret_query is set before done can run (done may run before this
 * returns: hosts file, immediate failure); the handle is valid until done runs, so the owner
 * forgets it there. 0, or -ENOMEM (done not called). */
int egress_resolve_lookup(struct egress_resolve *r, const char *host, uint16_t port,
			  egress_resolve_done_t done, void *userdata,
			  struct egress_resolve_query **ret_query);

/* Detaches a pending query: its callback will not run. */
void egress_resolve_cancel(struct egress_resolve_query *q);

/* Handles epoll events of a socket tagged EGRESS_RESOLVE_EPOLL_TAG (events 0: timeouts only). */
void egress_resolve_process(struct egress_resolve *r, uint64_t tag_data, uint32_t events);

/* Microseconds until the channel's next timeout; UINT64_MAX when no lookup is pending. */
uint64_t egress_resolve_timeout_usec(struct egress_resolve *r);

/* SPDX-License-Identifier: MIT */
/* The egress proxy engine of one session: accepted client connections in, checked connections
 * to the allowed web out. HTTP CONNECT and absolute-URI HTTP/1.1; the host is checked by the
 * policy, resolved asynchronously (c-ares), every address is checked, and the proxy connects to
 * the exact address it checked. Request heads are egress-http.c, the ClientHello peek
 * egress-tls.c; accepting the client sockets and the session history are the daemon's.
 *
 * Event loop: the engine is non-blocking and loop-agnostic. It owns one epoll fd that holds all
 * of its sockets (clients, upstreams, resolver). The owner watches that one fd for EPOLLIN and
 * arms one timer at egress_proxy_get_deadline(); on either, it calls egress_proxy_process():
 *
 *   sd-event:  sd_event_add_io(ev, &io, egress_proxy_get_fd(e), EPOLLIN, on_io, e);
 *              on_io/on_time: egress_proxy_process(e); re-arm the time source with
 *              egress_proxy_get_deadline(e) (CLOCK_MONOTONIC)
 *   poll():    poll the fd with the timeout until the deadline, then egress_proxy_process().
 *
 * Single-threaded: the policy and record callbacks run inside egress_proxy_add(), _process()
 * and _free(), and must not call back into the engine. Client fds may be TCP or Unix stream
 * sockets (the engine only uses recv/send/shutdown on them).
 *
 * Decisions documented here (DESIGN.md section 6 item 3):
 *   - Hosts: a dotted quad or a bracketed IPv6 literal is an address (no DNS); any other numeric
 *     spelling (2130706433, 0x7f000001, 0177.0.0.1, 127.1) is refused with 400; IPv4-mapped IPv6
 *     literals ([::ffff:127.0.0.1]) are refused with 400 (spell the IPv4 address); userinfo in
 *     the URL is refused with 400; a name whose last label starts with a digit is refused (no
 *     top-level domain does). Everything else is a name, checked as a name.
 *   - Every resolved address must pass decide_address; if any is refused the request is refused
 *     (403): a name answering with one public and one private address is a rebinding setup.
 *     The proxy connects only to checked addresses, in resolver order, and never resolves twice.
 *   - CONNECT: after "200", the client's first bytes are held until they are known. A TLS
 *     ClientHello must fit in one record; its SNI, when present, must equal the CONNECT host
 *     (case-insensitive), or the tunnel is closed (a 200 was already sent) and recorded as
 *     refused. A hello without SNI, and non-TLS data, are allowed: they can only reach the
 *     address that was checked for the host, which is what the policy allowed.
 *   - Plain HTTP: the Host header, when present, must name the URL's host and port; the head is
 *     forwarded in origin-form with hop-by-hop headers dropped and "Connection: close". After
 *     the head, bytes flow both ways unchanged (the body, and anything pipelined, reach only the
 *     same checked address). One request per client connection: when the origin has answered
 *     and closed, the client connection is closed too.
 *   - Refusals before a 200 are HTTP answers (400 malformed or refused spelling, 403 policy,
 *     405 method, 502 resolve/connect failed, 503 connection limit, 504 timeout) carrying the
 *     rule in X-Egress-Rule and the sentence in X-Egress-Reason and in the body.
 *   - Limits per engine: concurrent connections (above it: 503 and close), bytes per connection
 *     and in total (the connection is cut at the limit), a deadline for the request head (idle
 *     timeout from accept), a connect timeout covering resolution and connect (504), and an idle
 *     timeout while tunnelling. Every connection ends with one record.
 */
#pragma once

#include <stdbool.h>
#include <stdint.h>
#include <sys/socket.h>

#include "error.h"
#include "macro.h"

#define EGRESS_PROXY_CONNECTIONS_MAX_DEFAULT	  64
#define EGRESS_PROXY_BYTES_PER_CONNECTION_DEFAULT (UINT64_C(1) << 30) /* 1 GiB */
#define EGRESS_PROXY_BYTES_TOTAL_DEFAULT	  (UINT64_C(8) << 30)
#define EGRESS_PROXY_IDLE_TIMEOUT_USEC_DEFAULT	  (UINT64_C(60) * 1000000)
#define EGRESS_PROXY_CONNECT_TIMEOUT_USEC_DEFAULT (UINT64_C(10) * 1000000)
#define EGRESS_PROXY_ADDRESSES_MAX		  16	/* resolved addresses checked and tried */
#define EGRESS_PROXY_BUFFER_SIZE		  32768 /* per direction, per connection */
#define EGRESS_PROXY_RULE_MAX			  256
#define EGRESS_PROXY_REASON_MAX			  384

/* The policy, as two questions. Both fill rule and reason (NUL-terminated, truncated to the
 * given sizes) whether they allow or not; the engine sends them back to the client in the 403
 * and passes them to the record. */
struct egress_proxy_policy {
	/* May host (lowercase, no brackets, no trailing dot; a name or an IP literal) be
	 * reached on port? */
	bool (*decide_host)(void *userdata, const char *host, uint16_t port, char *rule,
			    size_t rule_len, char *reason, size_t reason_len);
	/* May this address, resolved for host (or its literal), be connected to? */
	bool (*decide_address)(void *userdata, const char *host, const struct sockaddr *sa,
			       socklen_t sa_len, char *rule, size_t rule_len, char *reason,
			       size_t reason_len);
	void *userdata;
};

/* 0 in any field: the default above. */
struct egress_proxy_limits {
	unsigned max_connections;
	uint64_t max_bytes_per_connection; /* both directions together */
	uint64_t max_bytes_total;	   /* over the engine's life */
	uint64_t idle_timeout_usec;
	uint64_t connect_timeout_usec;
};

/* One connection, as the session history keeps it. Strings are valid during the callback. */
struct egress_proxy_record {
	const char *method;  /* "CONNECT", "GET", ...; "" when no request line was parsed */
	const char *host;    /* "" when none was parsed */
	uint16_t port;	     /* 0 when none */
	const char *address; /* the address connected to (or last refused/tried); "" none */
	uint64_t bytes_up;   /* client -> origin, after the request head */
	uint64_t bytes_down; /* origin -> client, the proxy's own responses excluded */
	bool allowed;	     /* the connection reached the origin and was not refused later */
	int status;	     /* the proxy's own answer: 200 (CONNECT), 4xx/5xx; 0 forwarded */
	const char *rule;    /* the rule that decided ("egress.*" for the engine's own) */
	const char *reason;  /* one sentence */
	const char *end;     /* how it ended: "closed", "idle timeout", "byte limit", ... */
	uint64_t duration_usec;
};

struct egress_proxy_config {
	struct egress_proxy_policy policy;
	struct egress_proxy_limits limits;
	void (*record)(void *userdata, const struct egress_proxy_record *r); /* NULL: none */
	void *record_userdata;
	const char *dns_servers; /* "ip[:port],..." (c-ares CSV); NULL: /etc/resolv.conf */
	const char *dns_lookups; /* "b" DNS only, "fb" hosts file first; NULL: c-ares default */
};

struct egress_proxy;

/* Creates an engine with no connections. */
int egress_proxy_new(const struct egress_proxy_config *cfg, struct egress_proxy **ret,
		     struct sbx_error *reterr);

/* Closes every connection (each produces its record) and frees the engine; returns NULL. */
struct egress_proxy *egress_proxy_free(struct egress_proxy *e);
DEFINE_CLEANUP(struct egress_proxy *, egress_proxy_free)

/* The fd to watch for EPOLLIN (an epoll fd owned by the engine). */
int egress_proxy_get_fd(const struct egress_proxy *e);

/* CLOCK_MONOTONIC microseconds at which egress_proxy_process() must run even without I/O;
 * UINT64_MAX when nothing is pending. */
uint64_t egress_proxy_get_deadline(const struct egress_proxy *e);

/* Does all I/O that is ready and handles expired deadlines, without blocking. 0 or -errno (the
 * engine's epoll failing; per-connection failures close that connection and return 0). */
int egress_proxy_process(struct egress_proxy *e);

/* Hands an accepted client socket to the engine, which owns it from here on (closed on every
 * path). Returns 0 when it became a connection, 1 when it was refused at the connection limit
 * (answered 503 and recorded), or -errno (the fd is closed). */
int egress_proxy_add(struct egress_proxy *e, int client_fd);

/* Connections currently open. */
unsigned egress_proxy_count(const struct egress_proxy *e);

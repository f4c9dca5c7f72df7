/* SPDX-License-Identifier: MIT */
/* The request head a client sends to the egress proxy: HTTP CONNECT host:port and absolute-URI
 * HTTP/1.1, parsed with a bound on every line, count and total size, and the origin-form head
 * forwarded for plain HTTP. Pure: no I/O, no allocation. The connection state machine is
 * egress-proxy.c; the TLS ClientHello peek is egress-tls.c. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define EGRESS_HTTP_HEAD_MAX	16384 /* bytes of the whole request head, final CRLF included */
#define EGRESS_HTTP_LINE_MAX	8192  /* bytes of one line (request line or header) */
#define EGRESS_HTTP_HEADERS_MAX 64    /* header fields */
#define EGRESS_HTTP_HOST_MAX	253   /* bytes of a host name (an IPv6 literal is shorter) */
#define EGRESS_HTTP_REASON_MAX	160

enum egress_http_method {
	EGRESS_HTTP_CONNECT,
	EGRESS_HTTP_GET,
	EGRESS_HTTP_HEAD,
	EGRESS_HTTP_POST,
	EGRESS_HTTP_PUT,
	EGRESS_HTTP_DELETE,
	EGRESS_HTTP_OPTIONS,
	EGRESS_HTTP_PATCH,
	_EGRESS_HTTP_METHOD_MAX,
	_EGRESS_HTTP_METHOD_INVALID = -22,
};

/* A range of the parsed buffer. */
struct egress_http_span {
	uint16_t off;
	uint16_t len;
};

struct egress_http_header {
	struct egress_http_span name;
	struct egress_http_span value;
};

/* A parsed head; spans point into the buffer given to egress_http_parse(). */
struct egress_http_request {
	enum egress_http_method method;
	char host[EGRESS_HTTP_HOST_MAX + 1]; /* lowercase, no brackets, no trailing dot */
	bool host_is_ipv6;		     /* was written as [v6]; needs brackets again */
	uint16_t port;
	struct egress_http_span target; /* origin-form ("/path?q") of an absolute URI */
	size_t n_headers;
	struct egress_http_header headers[EGRESS_HTTP_HEADERS_MAX];
	size_t head_len; /* bytes of the head; what follows is body or tunnel data */
};

/* Result of a parse that failed: the HTTP status to answer and one sentence why. */
struct egress_http_error {
	int status; /* 400, 405 */
	char reason[EGRESS_HTTP_REASON_MAX];
};

/* Parses the head at the start of buf[0..len). Returns 1 when a whole head was parsed into
 * *ret, 0 when more bytes are needed (len is still below EGRESS_HTTP_HEAD_MAX and no line is
 * too long yet), -EBADMSG when the head is malformed or refused (*ret_error says why). */
int egress_http_parse(const char *buf, size_t len, struct egress_http_request *ret,
		      struct egress_http_error *ret_error);

/* Writes the head to send to the origin for a parsed absolute-URI request: origin-form target,
 * hop-by-hop headers dropped, Host kept (or added) and "Connection: close". Returns the number
 * of bytes written, or -ENOBUFS when cap is too small. */
int egress_http_forward_head(const char *buf, const struct egress_http_request *req, char *out,
			     size_t cap);

/* Writes a complete error response with the rule as an X-Egress-Rule header and the reason
 * (made printable) as an X-Egress-Reason header and as the body. Returns the number of bytes
 * written (truncating the reason to fit cap). */
size_t egress_http_error_response(int status, const char *rule, const char *reason, char *out,
				  size_t cap);

/* "GET", "CONNECT", ... */
const char *egress_http_method_to_string(enum egress_http_method m);

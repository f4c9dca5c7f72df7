/* SPDX-License-Identifier: MIT */
/* Fuzz target for tools/egress-http.c: the request head a sandboxed client sends to the egress
 * proxy. Checks that a parsed head stays inside its buffer and limits, that a prefix of a head
 * never parses as a different head, and that neither the forwarded head nor an error response
 * can end early (header injection through the host, target or reason). */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "egress-http.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_one_head(const char *out, size_t n)
{
	const char *end = memmem(out, n, "\r\n\r\n", 4);

	if (!end || (size_t)(end - out) + 4 != n)
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct egress_http_request req, again;
	static char out[2 * EGRESS_HTTP_HEAD_MAX];
	const char *buf = (const char *)data;
	struct egress_http_error err;
	size_t n;
	int r;

	r = egress_http_parse(buf, size, &req, &err);
	if (r < 0) {
		if (err.status != 400 && err.status != 405)
			abort();
		n = egress_http_error_response(err.status, "egress.request", err.reason, out,
					       sizeof(out));
		{
			const char *body = memmem(out, n, "\r\n\r\n", 4);

			/* One head, and a body without CR: the reason cannot add headers. */
			if (!body || memchr(body + 4, '\r', n - (size_t)(body + 4 - out)))
				abort();
		}
		return 0;
	}
	if (r == 0) {
		if (size >= EGRESS_HTTP_HEAD_MAX)
			abort();
		return 0;
	}
	if (req.head_len > size || req.head_len > EGRESS_HTTP_HEAD_MAX ||
	    req.n_headers > EGRESS_HTTP_HEADERS_MAX || req.host[0] == 0 || req.port == 0)
		abort();
	for (const char *c = req.host; *c; c++)
		if ((*c >= 'A' && *c <= 'Z') || *c == '@' || *c == '/' || *c == '[')
			abort();
	for (size_t i = 0; i < req.n_headers; i++)
		if ((size_t)req.headers[i].value.off + req.headers[i].value.len > req.head_len)
			abort();
	if ((size_t)req.target.off + req.target.len > req.head_len)
		abort();
	/* The head alone parses the same; any shorter prefix does not parse. */
	if (egress_http_parse(buf, req.head_len, &again, NULL) != 1 ||
	    strcmp(again.host, req.host) != 0 || again.port != req.port)
		abort();
	if (req.head_len > 1 && egress_http_parse(buf, req.head_len - 1, &again, NULL) == 1)
		abort();
	if (req.method != EGRESS_HTTP_CONNECT) {
		r = egress_http_forward_head(buf, &req, out, sizeof(out));
		if (r < 0)
			abort();
		check_one_head(out, (size_t)r);
		if (out[strlen(egress_http_method_to_string(req.method)) + 1] != '/')
			abort();
	}
	return 0;
}

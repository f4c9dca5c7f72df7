/* SPDX-License-Identifier: MIT */
/* Request heads of the egress proxy: strict HTTP/1.x parsing with bounds on every line, count
 * and size, and the origin-form head forwarded for absolute-URI requests. Every byte here comes
 * from a sandbox. The host is only normalised here; whether it may be reached is the policy's
 * call (egress-proxy.c asks it). */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "egress-http.h"
#include "ip-address.h"
#include "macro.h"

static const char *const method_names[_EGRESS_HTTP_METHOD_MAX] = {
	[EGRESS_HTTP_CONNECT] = "CONNECT", [EGRESS_HTTP_GET] = "GET",
	[EGRESS_HTTP_HEAD] = "HEAD",	   [EGRESS_HTTP_POST] = "POST",
	[EGRESS_HTTP_PUT] = "PUT",	   [EGRESS_HTTP_DELETE] = "DELETE",
	[EGRESS_HTTP_OPTIONS] = "OPTIONS", [EGRESS_HTTP_PATCH] = "PATCH",
};

const char *egress_http_method_to_string(enum egress_http_method m)
{
	if (m < 0 || m >= _EGRESS_HTTP_METHOD_MAX)
		return "?";
	return method_names[m];
}

_printf_(3, 4) static int fail(struct egress_http_error *e, int status, const char *fmt, ...)
{
	va_list ap;

	if (e) {
		e->status = status;
		va_start(ap, fmt);
		(void)vsnprintf(e->reason, sizeof(e->reason), fmt, ap);
		va_end(ap);
	}
	return -EBADMSG;
}

static bool is_tchar(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       (c && strchr("!#$%&'*+-.^_`|~", c));
}

static char lower(char c)
{
	return c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c;
}

static bool span_eq_nocase(const char *buf, struct egress_http_span s, const char *word)
{
	size_t n = strlen(word);

	if (s.len != n)
		return false;
	for (size_t i = 0; i < n; i++)
		if (lower(buf[s.off + i]) != word[i])
			return false;
	return true;
}

/* Parses "host[:port]" (or "[v6][:port]") into *req. The port is required when default_port is
 * 0. Userinfo is refused outright: "http://allowed@evil/" must never be read as host "allowed"
 * by one parser and "evil" by another. */
static int parse_authority(const char *s, size_t len, uint16_t default_port, char *ret_host,
			   bool *ret_is_ipv6, uint16_t *ret_port, struct egress_http_error *e)
{
	char host[EGRESS_HTTP_HOST_MAX + 2];
	const char *port = NULL;
	size_t hlen, plen = 0;
	struct ip_address a;
	bool v6 = false;
	unsigned long p;

	if (len == 0)
		return fail(e, 400, "empty host");
	if (memchr(s, '@', len))
		return fail(e, 400, "userinfo ('user@') in the request target is refused");
	if (s[0] == '[') {
		const char *end = memchr(s, ']', len);

		if (!end)
			return fail(e, 400, "unterminated IPv6 literal");
		hlen = (size_t)(end - s - 1);
		if (hlen == 0 || hlen >= IP_ADDRESS_TEXT_MAX)
			return fail(e, 400, "bad IPv6 literal");
		memcpy(host, s + 1, hlen);
		host[hlen] = 0;
		if (ip_address_parse(host, &a) < 0 || strchr(host, ':') == NULL)
			return fail(e, 400, "bad IPv6 literal");
		/* ip_address_parse() unwraps ::ffff:a.b.c.d to IPv4: the same address spelt so
		 * that an IPv6 rule or a v4 CIDR could be dodged. Only the IPv4 spelling is taken.
		 */
		if (a.family != AF_INET6)
			return fail(e, 400,
				    "IPv4-mapped IPv6 literal is refused; use the IPv4 address");
		v6 = true;
		/* The canonical text, so that "[::A1]" and "[0::a1]" are one host for the policy.
		 */
		(void)ip_address_to_string(&a, host);
		hlen = strlen(host);
		if ((size_t)(end - s) + 1 < len) {
			if (end[1] != ':')
				return fail(e, 400, "junk after IPv6 literal");
			port = end + 2;
			plen = len - (size_t)(end - s) - 2;
		}
	} else {
		const char *colon = memchr(s, ':', len);

		hlen = colon ? (size_t)(colon - s) : len;
		if (colon) {
			port = colon + 1;
			plen = len - hlen - 1;
		}
		if (hlen > 0 && s[hlen - 1] == '.')
			hlen--; /* one trailing dot: the same name */
		if (hlen == 0 || hlen > EGRESS_HTTP_HOST_MAX)
			return fail(e, 400, "host name empty or longer than %d bytes",
				    EGRESS_HTTP_HOST_MAX);
		for (size_t i = 0; i < hlen; i++) {
			char c = lower(s[i]);

			if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
			      c == '_' || c == '.'))
				return fail(e, 400, "invalid character in host name");
			if (c == '.' && (i == 0 || host[i - 1] == '.'))
				return fail(e, 400, "empty label in host name");
			host[i] = c;
		}
		host[hlen] = 0;
		if (ip_address_parse(host, &a) < 0) {
			const char *last = strrchr(host, '.');

			last = last ? last + 1 : host;
			/* 2130706433, 0x7f000001, 0177.0.0.1 and 127.1 all reach 127.0.0.1 through
			 * inet_aton(); only the strict dotted quad is an address, and no real
			 * top-level label starts with a digit. */
			if (*last >= '0' && *last <= '9')
				return fail(e, 400,
					    "numeric host '%s' is not a dotted-quad IPv4 address",
					    host);
		}
	}
	if (port) {
		p = 0;
		if (plen == 0 || plen > 5 || port[0] == '0')
			return fail(e, 400, "bad port");
		for (size_t i = 0; i < plen; i++) {
			if (port[i] < '0' || port[i] > '9')
				return fail(e, 400, "bad port");
			p = p * 10 + (unsigned long)(port[i] - '0');
		}
		if (p == 0 || p > 65535)
			return fail(e, 400, "bad port");
	} else if (default_port == 0)
		return fail(e, 400, "CONNECT needs host:port");
	else
		p = default_port;
	memcpy(ret_host, host, hlen + 1);
	*ret_is_ipv6 = v6;
	*ret_port = (uint16_t)p;
	return 0;
}

static int parse_method(const char *s, size_t len, enum egress_http_method *ret)
{
	for (int m = 0; m < _EGRESS_HTTP_METHOD_MAX; m++)
		if (strlen(method_names[m]) == len && memcmp(method_names[m], s, len) == 0) {
			*ret = m;
			return 0;
		}
	return -EINVAL;
}

/* Request line: METHOD SP target SP HTTP/1.x */
static int parse_request_line(const char *buf, size_t len, struct egress_http_request *req,
			      struct egress_http_error *e)
{
	const char *sp1, *sp2, *t, *auth_end;
	size_t tlen;

	sp1 = memchr(buf, ' ', len);
	if (!sp1 || sp1 == buf)
		return fail(e, 400, "malformed request line");
	for (const char *c = buf; c < sp1; c++)
		if (!is_tchar(*c))
			return fail(e, 400, "malformed method");
	if (parse_method(buf, (size_t)(sp1 - buf), &req->method) < 0)
		return fail(e, 405, "method '%.*s' is not supported by the egress proxy",
			    (int)MIN((size_t)(sp1 - buf), 32), buf);
	t = sp1 + 1;
	sp2 = memchr(t, ' ', len - (size_t)(t - buf));
	if (!sp2 || sp2 == t)
		return fail(e, 400, "malformed request line");
	tlen = (size_t)(sp2 - t);
	if (!((size_t)(buf + len - sp2) == 9 &&
	      (memcmp(sp2 + 1, "HTTP/1.1", 8) == 0 || memcmp(sp2 + 1, "HTTP/1.0", 8) == 0)))
		return fail(e, 400, "only HTTP/1.0 and HTTP/1.1 are spoken");
	for (const char *c = t; c < sp2; c++)
		if (*c < 0x21 || *c > 0x7e)
			return fail(e, 400, "invalid character in request target");

	if (req->method == EGRESS_HTTP_CONNECT)
		return parse_authority(t, tlen, 0, req->host, &req->host_is_ipv6, &req->port, e);

	if (tlen >= 8 && strncasecmp(t, "https://", 8) == 0)
		return fail(e, 400, "https URLs go through CONNECT");
	if (tlen < 7 || strncasecmp(t, "http://", 7) != 0) {
		if (t[0] == '/')
			return fail(e, 400,
				    "origin-form request: this is a proxy, send an absolute "
				    "http:// URL");
		return fail(e, 400, "only http:// URLs are proxied (CONNECT for https)");
	}
	t += 7;
	tlen -= 7;
	if (memchr(t, '#', tlen))
		return fail(e, 400, "fragment in request target");
	auth_end = t;
	while (auth_end < t + tlen && *auth_end != '/' && *auth_end != '?')
		auth_end++;
	if (parse_authority(t, (size_t)(auth_end - t), 80, req->host, &req->host_is_ipv6,
			    &req->port, e) < 0)
		return -EBADMSG;
	req->target.off = (uint16_t)(auth_end - (buf - 0));
	req->target.len = (uint16_t)(t + tlen - auth_end);
	return 0;
}

static bool header_is(const char *buf, const struct egress_http_header *h, const char *name)
{
	return span_eq_nocase(buf, h->name, name);
}

int egress_http_parse(const char *buf, size_t len, struct egress_http_request *req,
		      struct egress_http_error *e)
{
	const char *end, *line, *nl;
	bool have_host = false, have_cl = false, have_te = false;
	size_t head_len = 0, first_line = 0;

	/* Find the blank line; a bare CR or LF, or a NUL, is refused (request smuggling lives in
	 * the gap between two parsers' ideas of a line end). */
	for (size_t i = 0, line_start = 0; i < len; i++) {
		char c = buf[i];

		if (c == 0)
			return fail(e, 400, "NUL byte in request head");
		if (c == '\n')
			return fail(e, 400, "bare LF in request head");
		if (c == '\r') {
			if (i + 1 >= len)
				break;
			if (buf[i + 1] != '\n')
				return fail(e, 400, "bare CR in request head");
			if (i - line_start > EGRESS_HTTP_LINE_MAX)
				return fail(e, 400, "request line longer than %d bytes",
					    EGRESS_HTTP_LINE_MAX);
			if (i == line_start && i > 0) {
				head_len = i + 2;
				break;
			}
			if (i == 0)
				return fail(e, 400, "empty request line");
			if (first_line == 0)
				first_line = i;
			i++;
			line_start = i + 1;
			continue;
		}
		if (i - line_start >= EGRESS_HTTP_LINE_MAX)
			return fail(e, 400, "request line longer than %d bytes",
				    EGRESS_HTTP_LINE_MAX);
	}
	if (head_len == 0) {
		if (len >= EGRESS_HTTP_HEAD_MAX)
			return fail(e, 400, "request head longer than %d bytes",
				    EGRESS_HTTP_HEAD_MAX);
		return 0;
	}
	end = buf + head_len;
	if (head_len > EGRESS_HTTP_HEAD_MAX)
		return fail(e, 400, "request head longer than %d bytes", EGRESS_HTTP_HEAD_MAX);

	memset(req, 0, sizeof(*req));
	nl = buf + first_line;
	if (parse_request_line(buf, first_line, req, e) < 0)
		return -EBADMSG;

	for (line = nl + 2; line < end - 2; line = nl + 2) {
		struct egress_http_header *h;
		const char *colon, *v, *vend;

		nl = memmem(line, (size_t)(end - line), "\r\n", 2);
		if (line[0] == ' ' || line[0] == '\t')
			return fail(e, 400, "obsolete header line folding");
		if (req->n_headers >= EGRESS_HTTP_HEADERS_MAX)
			return fail(e, 400, "more than %d header fields", EGRESS_HTTP_HEADERS_MAX);
		colon = memchr(line, ':', (size_t)(nl - line));
		if (!colon || colon == line)
			return fail(e, 400, "malformed header field");
		for (const char *c = line; c < colon; c++)
			if (!is_tchar(*c))
				return fail(e, 400, "invalid character in header name");
		for (v = colon + 1; v < nl && (*v == ' ' || *v == '\t'); v++)
			;
		for (vend = nl; vend > v && (vend[-1] == ' ' || vend[-1] == '\t'); vend--)
			;
		for (const char *c = v; c < vend; c++)
			if ((unsigned char)*c < 0x20 && *c != '\t')
				return fail(e, 400, "control character in header value");
		h = &req->headers[req->n_headers++];
		h->name =
			(struct egress_http_span){(uint16_t)(line - buf), (uint16_t)(colon - line)};
		h->value = (struct egress_http_span){(uint16_t)(v - buf), (uint16_t)(vend - v)};

		if (header_is(buf, h, "host")) {
			char host[EGRESS_HTTP_HOST_MAX + 1];
			uint16_t port;
			bool v6;

			if (have_host)
				return fail(e, 400, "more than one Host header");
			have_host = true;
			if (req->method == EGRESS_HTTP_CONNECT)
				continue;
			/* The origin routes by Host; a Host naming another site than the URL would
			 * reach a host the policy never saw. */
			if (parse_authority(buf + h->value.off, h->value.len, 80, host, &v6, &port,
					    e) < 0 ||
			    strcmp(host, req->host) != 0 || port != req->port)
				return fail(e, 400, "Host header does not match the request URL");
		} else if (header_is(buf, h, "content-length")) {
			if (have_cl)
				return fail(e, 400, "more than one Content-Length");
			have_cl = true;
			if (h->value.len == 0 || h->value.len > 18)
				return fail(e, 400, "bad Content-Length");
			for (size_t k = 0; k < h->value.len; k++)
				if (buf[h->value.off + k] < '0' || buf[h->value.off + k] > '9')
					return fail(e, 400, "bad Content-Length");
		} else if (header_is(buf, h, "transfer-encoding"))
			have_te = true;
	}
	if (have_cl && have_te)
		return fail(e, 400, "both Content-Length and Transfer-Encoding");
	req->head_len = head_len;
	return 1;
}

/* Hop-by-hop headers (RFC 9110 7.6.1) and the proxy's own: never forwarded. */
static bool is_hop_by_hop(const char *buf, const struct egress_http_header *h)
{
	static const char *const names[] = {
		"connection",	      "keep-alive", "proxy-connection", "proxy-authorization",
		"proxy-authenticate", "te",	    "trailer",		"upgrade",
	};

	for (size_t i = 0; i < ELEMENTSOF(names); i++)
		if (header_is(buf, h, names[i]))
			return true;
	return false;
}

static int append(char *out, size_t cap, size_t *pos, const char *s, size_t n)
{
	if (n > cap - *pos)
		return -ENOBUFS;
	memcpy(out + *pos, s, n);
	*pos += n;
	return 0;
}

int egress_http_forward_head(const char *buf, const struct egress_http_request *req, char *out,
			     size_t cap)
{
	const char *m = egress_http_method_to_string(req->method);
	bool have_host = false;
	size_t pos = 0;
	char host[EGRESS_HTTP_HOST_MAX + 16];
	int n;

	if (append(out, cap, &pos, m, strlen(m)) < 0 || append(out, cap, &pos, " ", 1) < 0)
		return -ENOBUFS;
	if ((req->target.len == 0 || buf[req->target.off] == '?') &&
	    append(out, cap, &pos, "/", 1) < 0)
		return -ENOBUFS;
	if (append(out, cap, &pos, buf + req->target.off, req->target.len) < 0 ||
	    append(out, cap, &pos, " HTTP/1.1\r\n", 11) < 0)
		return -ENOBUFS;
	for (size_t i = 0; i < req->n_headers; i++) {
		const struct egress_http_header *h = &req->headers[i];

		if (is_hop_by_hop(buf, h))
			continue;
		if (header_is(buf, h, "host"))
			have_host = true;
		if (append(out, cap, &pos, buf + h->name.off, h->name.len) < 0 ||
		    append(out, cap, &pos, ": ", 2) < 0 ||
		    append(out, cap, &pos, buf + h->value.off, h->value.len) < 0 ||
		    append(out, cap, &pos, "\r\n", 2) < 0)
			return -ENOBUFS;
	}
	if (!have_host) {
		n = snprintf(host, sizeof(host), req->host_is_ipv6 ? "Host: [%s]" : "Host: %s",
			     req->host);
		if (n < 0 || (size_t)n >= sizeof(host) ||
		    append(out, cap, &pos, host, (size_t)n) < 0)
			return -ENOBUFS;
		if (req->port != 80) {
			n = snprintf(host, sizeof(host), ":%u", req->port);
			if (append(out, cap, &pos, host, (size_t)n) < 0)
				return -ENOBUFS;
		}
		if (append(out, cap, &pos, "\r\n", 2) < 0)
			return -ENOBUFS;
	}
	if (append(out, cap, &pos, "Connection: close\r\n\r\n", 21) < 0)
		return -ENOBUFS;
	return (int)pos;
}

static const char *status_text(int status)
{
	switch (status) {
	case 200:
		return "Connection established";
	case 400:
		return "Bad Request";
	case 403:
		return "Forbidden";
	case 405:
		return "Method Not Allowed";
	case 502:
		return "Bad Gateway";
	case 503:
		return "Service Unavailable";
	case 504:
		return "Gateway Timeout";
	default:
		return "Error";
	}
}

static void printable(const char *s, char *out, size_t cap)
{
	size_t n = 0;

	for (const char *c = s ? s : ""; *c && n < cap - 1; c++)
		out[n++] = (*c >= 0x20 && *c < 0x7f) ? *c : '?';
	out[n] = 0;
}

size_t egress_http_error_response(int status, const char *rule, const char *reason, char *out,
				  size_t cap)
{
	char clean[EGRESS_HTTP_REASON_MAX * 3], clean_rule[256];
	int r;

	/* The reason may quote hostile bytes: keep both printable so neither splits the head. */
	printable(reason, clean, sizeof(clean));
	printable(rule ? rule : "-", clean_rule, sizeof(clean_rule));
	r = snprintf(out, cap,
		     "HTTP/1.1 %d %s\r\nContent-Type: text/plain\r\nConnection: close\r\n"
		     "X-Egress-Rule: %s\r\nX-Egress-Reason: %s\r\nContent-Length: %zu\r\n\r\n"
		     "egress proxy: %s\n",
		     status, status_text(status), clean_rule, clean,
		     strlen("egress proxy: \n") + strlen(clean), clean);
	if (r < 0)
		return 0;
	return MIN((size_t)r, cap > 0 ? cap - 1 : 0);
}

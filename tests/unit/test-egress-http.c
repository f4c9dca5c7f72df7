/* SPDX-License-Identifier: MIT */
/* tools/egress-http.c as a table: request heads -> parsed host and port, or the status the
 * proxy answers. The same heads against real sockets are tests/integration/test-egress.c. */
#include <errno.h>
#include <stdio.h>

#include "egress-http.h"
#include "macro.h"
#include "test-util.h"

struct head_case {
	const char *head;
	int status; /* 0: parses */
	const char *host;
	uint16_t port;
};

static const struct head_case cases[] = {
	{"GET http://Example.COM./a HTTP/1.1\r\n\r\n", 0, "example.com", 80},
	{"GET http://a.test:8080?q HTTP/1.0\r\nHost: A.test:8080\r\n\r\n", 0, "a.test", 8080},
	{"CONNECT a.test:443 HTTP/1.1\r\nHost: whatever\r\n\r\n", 0, "a.test", 443},
	{"CONNECT [2001:db8::1]:443 HTTP/1.1\r\n\r\n", 0, "2001:db8::1", 443},
	{"GET http://[2001:DB8:0::A1] HTTP/1.1\r\n\r\n", 0, "2001:db8::a1", 80},
	{"GET http://10.0.0.1/ HTTP/1.1\r\n\r\n", 0, "10.0.0.1", 80},
	{"CONNECT a.test HTTP/1.1\r\n\r\n", 400},
	{"CONNECT a.test:0 HTTP/1.1\r\n\r\n", 400},
	{"CONNECT a.test:65536 HTTP/1.1\r\n\r\n", 400},
	{"CONNECT a.test:0443 HTTP/1.1\r\n\r\n", 400},
	{"GET http://2130706433/ HTTP/1.1\r\n\r\n", 400},
	{"GET http://0x7f000001/ HTTP/1.1\r\n\r\n", 400},
	{"GET http://0177.0.0.1/ HTTP/1.1\r\n\r\n", 400},
	{"GET http://127.1/ HTTP/1.1\r\n\r\n", 400},
	{"GET http://1.2.3.04/ HTTP/1.1\r\n\r\n", 400},
	{"GET http://[::ffff:127.0.0.1]/ HTTP/1.1\r\n\r\n", 400},
	{"GET http://[::ffff:7f00:1]/ HTTP/1.1\r\n\r\n", 400},
	{"GET http://[fe80::1%25eth0]/ HTTP/1.1\r\n\r\n", 400},
	{"GET http://[127.0.0.1]/ HTTP/1.1\r\n\r\n", 400},
	{"GET http://a@b.test/ HTTP/1.1\r\n\r\n", 400},
	{"GET http://a.test:80@b.test/ HTTP/1.1\r\n\r\n", 400},
	{"GET http://a..test/ HTTP/1.1\r\n\r\n", 400},
	{"GET http://a_b-c.test/ HTTP/1.1\r\n\r\n", 0, "a_b-c.test", 80},
	{"GET http://a.test\\@b.test/ HTTP/1.1\r\n\r\n", 400},
	{"GET http://a.test/#frag HTTP/1.1\r\n\r\n", 400},
	{"GET https://a.test/ HTTP/1.1\r\n\r\n", 400},
	{"GET ftp://a.test/ HTTP/1.1\r\n\r\n", 400},
	{"GET /local HTTP/1.1\r\nHost: a.test\r\n\r\n", 400},
	{"TRACE http://a.test/ HTTP/1.1\r\n\r\n", 405},
	{"get http://a.test/ HTTP/1.1\r\n\r\n", 405},
	{"GET http://a.test/ HTTP/2.0\r\n\r\n", 400},
	{"GET  http://a.test/ HTTP/1.1\r\n\r\n", 400},
	{"GET http://a.test/ HTTP/1.1\r\nHost: b.test\r\n\r\n", 400},
	{"GET http://a.test/ HTTP/1.1\r\nHost: a.test:81\r\n\r\n", 400},
	{"GET http://a.test/ HTTP/1.1\r\nHost: a.test\r\nHost: a.test\r\n\r\n", 400},
	{"GET http://a.test/ HTTP/1.1\r\nContent-Length: 1\r\nContent-Length: 1\r\n\r\n", 400},
	{"GET http://a.test/ HTTP/1.1\r\nContent-Length: -1\r\n\r\n", 400},
	{"GET http://a.test/ HTTP/1.1\r\nX : y\r\n\r\n", 400},
	{"GET http://a.test/ HTTP/1.1\r\n folded\r\n\r\n", 400},
	{"GET http://a.test/ HTTP/1.1\r\nX: a\rb\r\n\r\n", 400},
	{"GET http://a.test/ HTTP/1.1\nX: y\n\n", 400},
	{"\r\nGET http://a.test/ HTTP/1.1\r\n\r\n", 400},
};

START_TEST(test_heads)
{
	const struct head_case *c = &cases[_i];
	struct egress_http_request req;
	struct egress_http_error err = {};
	int r = egress_http_parse(c->head, strlen(c->head), &req, &err);

	if (c->status == 0) {
		ck_assert_msg(r == 1, "'%s': %s", c->head, err.reason);
		ck_assert_str_eq(req.host, c->host);
		ck_assert_uint_eq(req.port, c->port);
		ck_assert_uint_eq(req.head_len, strlen(c->head));
	} else {
		ck_assert_msg(r == -EBADMSG, "'%s' parsed (%d)", c->head, r);
		ck_assert_msg(err.status == c->status, "'%s': %d %s", c->head, err.status,
			      err.reason);
	}
}
END_TEST

START_TEST(test_incomplete_and_limits)
{
	static char big[EGRESS_HTTP_HEAD_MAX + 16];
	struct egress_http_request req;
	struct egress_http_error err;
	const char *h = "GET http://a.test/ HTTP/1.1\r\nX: y\r\n\r\n";
	size_t n;

	for (size_t k = 0; k < strlen(h); k++)
		ck_assert_int_eq(egress_http_parse(h, k, &req, &err), 0);

	memset(big, 'a', sizeof(big));
	ck_assert_int_eq(egress_http_parse(big, EGRESS_HTTP_LINE_MAX - 1, &req, &err), 0);
	ck_assert_int_eq(egress_http_parse(big, EGRESS_HTTP_LINE_MAX + 1, &req, &err), -EBADMSG);

	n = (size_t)snprintf(big, sizeof(big), "GET http://a.test/ HTTP/1.1\r\n");
	while (n + 8 < EGRESS_HTTP_HEAD_MAX)
		n += (size_t)snprintf(big + n, sizeof(big) - n, "X: y\r\n");
	n += (size_t)snprintf(big + n, sizeof(big) - n, "\r\n");
	ck_assert_int_eq(egress_http_parse(big, n, &req, &err), -EBADMSG); /* > 64 fields */

	n = (size_t)snprintf(big, sizeof(big), "GET http://a.test/ HTTP/1.1\r\nX: ");
	memset(big + n, 'v', EGRESS_HTTP_HEAD_MAX - n);
	ck_assert_int_eq(egress_http_parse(big, EGRESS_HTTP_HEAD_MAX, &req, &err), -EBADMSG);
}
END_TEST

START_TEST(test_forward_head)
{
	const char *h = "POST http://a.test:8080?x=1 HTTP/1.0\r\nConnection: keep-alive\r\n"
			"Proxy-Authorization: secret\r\nTE: trailers\r\nUpgrade: h2c\r\n"
			"Content-Length: 3\r\nX-Keep: 1\r\n\r\nabc";
	struct egress_http_request req;
	struct egress_http_error err;
	char out[1024];
	int n;

	ck_assert_int_eq(egress_http_parse(h, strlen(h), &req, &err), 1);
	ck_assert_uint_eq(req.head_len, strlen(h) - 3);
	n = egress_http_forward_head(h, &req, out, sizeof(out));
	ck_assert_int_gt(n, 0);
	out[n] = 0;
	ck_assert_str_eq(out, "POST /?x=1 HTTP/1.1\r\nContent-Length: 3\r\nX-Keep: 1\r\n"
			      "Host: a.test:8080\r\nConnection: close\r\n\r\n");
	ck_assert_int_eq(egress_http_forward_head(h, &req, out, 20), -ENOBUFS);
}
END_TEST

START_TEST(test_error_response)
{
	char out[512];
	size_t n =
		egress_http_error_response(403, "p/skills.web.network.allow",
					   "host 'x\r\nSet-Cookie: a' refused", out, sizeof(out));

	ck_assert_uint_eq(n, strlen(out));
	ck_assert_msg(strncmp(out, "HTTP/1.1 403 Forbidden\r\n", 24) == 0, "%s", out);
	ck_assert_msg(!strstr(out, "\r\nSet-Cookie"), "%s", out);
	ck_assert_msg(strstr(out, "X-Egress-Rule: p/skills.web.network.allow\r\n"), "%s", out);
}
END_TEST

static Suite *egress_http_suite(void)
{
	Suite *s = suite_create("egress-http");
	TCase *tc = tcase_create("parse");

	tcase_set_timeout(tc, 30);
	tcase_add_loop_test(tc, test_heads, 0, (int)ELEMENTSOF(cases));
	tcase_add_test(tc, test_incomplete_and_limits);
	tcase_add_test(tc, test_forward_head);
	tcase_add_test(tc, test_error_response);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return test_run_suite(egress_http_suite());
}

/* SPDX-License-Identifier: MIT */
/* tools/egress-tls.c: ClientHellos built here, byte by byte, read for their server name; the
 * same check on a live tunnel is tests/integration/test-egress.c. */
#include <errno.h>
#include <stdint.h>

#include "egress-tls.h"
#include "test-util.h"

/* A ClientHello with the given server_name entries (type 0) and an extra extension. */
static size_t hello(uint8_t *out, const char *const *names, size_t n_names, bool extra)
{
	uint8_t ext[1024], *p = ext, *body = out + 9, *q;
	size_t ext_len, body_len;

	if (extra) {
		*p++ = 0, *p++ = 10, *p++ = 0, *p++ = 4, *p++ = 0, *p++ = 2, *p++ = 0, *p++ = 0x1d;
	}
	for (size_t i = 0; i < n_names; i++) {
		size_t n = strlen(names[i]);

		*p++ = 0, *p++ = 0, *p++ = (uint8_t)((n + 5) >> 8), *p++ = (uint8_t)(n + 5);
		*p++ = (uint8_t)((n + 3) >> 8), *p++ = (uint8_t)(n + 3);
		*p++ = 0, *p++ = (uint8_t)(n >> 8), *p++ = (uint8_t)n;
		memcpy(p, names[i], n), p += n;
	}
	ext_len = (size_t)(p - ext);
	q = body;
	*q++ = 3, *q++ = 3;
	memset(q, 0x5a, 32), q += 32;
	*q++ = 0;
	*q++ = 0, *q++ = 2, *q++ = 0x13, *q++ = 1;
	*q++ = 1, *q++ = 0;
	*q++ = (uint8_t)(ext_len >> 8), *q++ = (uint8_t)ext_len;
	memcpy(q, ext, ext_len), q += ext_len;
	body_len = (size_t)(q - body);
	out[0] = 22, out[1] = 3, out[2] = 1;
	out[3] = (uint8_t)((body_len + 4) >> 8), out[4] = (uint8_t)(body_len + 4);
	out[5] = 1, out[6] = 0, out[7] = (uint8_t)(body_len >> 8), out[8] = (uint8_t)body_len;
	return 9 + body_len;
}

START_TEST(test_sni)
{
	const char *one[] = {"Allowed.TEST"}, *two[] = {"a.test", "b.test"}, *bad[] = {"a b"};
	char sni[EGRESS_TLS_SNI_MAX + 1];
	uint8_t buf[2048];
	size_t n;

	n = hello(buf, one, 1, true);
	ck_assert(egress_tls_is_handshake(buf, n));
	ck_assert_int_eq(egress_tls_parse_sni(buf, n, sni), 1);
	ck_assert_str_eq(sni, "allowed.test");
	for (size_t k = 0; k < n; k++)
		ck_assert_int_eq(egress_tls_parse_sni(buf, k, sni), -EAGAIN);

	n = hello(buf, NULL, 0, true);
	ck_assert_int_eq(egress_tls_parse_sni(buf, n, sni), 0);
	n = hello(buf, NULL, 0, false);
	ck_assert_int_eq(egress_tls_parse_sni(buf, n, sni), 0);

	/* Two names, or a name with a space: the server might pick what the proxy did not. */
	n = hello(buf, two, 2, false);
	ck_assert_int_eq(egress_tls_parse_sni(buf, n, sni), -EBADMSG);
	n = hello(buf, bad, 1, false);
	ck_assert_int_eq(egress_tls_parse_sni(buf, n, sni), -EBADMSG);

	/* Lengths that lie. */
	n = hello(buf, one, 1, false);
	buf[8]++; /* handshake longer than its record */
	ck_assert_int_eq(egress_tls_parse_sni(buf, n, sni), -EBADMSG);
	n = hello(buf, one, 1, false);
	buf[n - strlen(one[0]) - 1]++; /* name longer than its extension */
	ck_assert_int_eq(egress_tls_parse_sni(buf, n, sni), -EBADMSG);
	n = hello(buf, one, 1, false);
	buf[5] = 2; /* ServerHello */
	ck_assert_int_eq(egress_tls_parse_sni(buf, n, sni), -EBADMSG);

	ck_assert(!egress_tls_is_handshake((const uint8_t *)"GET /", 5));
	ck_assert_int_eq(egress_tls_parse_sni((const uint8_t *)"GET / HTTP/1.1", 14, sni),
			 -EBADMSG);
	buf[0] = 22, buf[1] = 3, buf[2] = 1, buf[3] = 0x40, buf[4] = 1; /* 16385 > record max */
	ck_assert_int_eq(egress_tls_parse_sni(buf, 5, sni), -EBADMSG);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("egress-tls");
	TCase *tc = tcase_create("sni");

	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, test_sni);
	suite_add_tcase(s, tc);
	return test_run_suite(s);
}

/* SPDX-License-Identifier: MIT */
/* A bounded reader for the TLS ClientHello (RFC 8446 4.1.2, RFC 6066 3), only as far as the
 * server_name extension. Every length is checked against the bytes that hold it. Comparing the
 * name with the CONNECT host is egress-proxy.c's. */
#include <errno.h>
#include <stdbool.h>
#include <string.h>

#include "egress-tls.h"

struct reader {
	const uint8_t *p;
	size_t left;
};

static bool take(struct reader *r, size_t n, const uint8_t **ret)
{
	if (n > r->left)
		return false;
	if (ret)
		*ret = r->p;
	r->p += n;
	r->left -= n;
	return true;
}

static bool u8(struct reader *r, size_t *ret)
{
	const uint8_t *b;

	if (!take(r, 1, &b))
		return false;
	*ret = b[0];
	return true;
}

static bool u16(struct reader *r, size_t *ret)
{
	const uint8_t *b;

	if (!take(r, 2, &b))
		return false;
	*ret = (size_t)b[0] << 8 | b[1];
	return true;
}

/* A length-prefixed vector: a sub-reader over exactly its bytes. */
static bool sub(struct reader *r, size_t len, struct reader *ret)
{
	const uint8_t *b;

	if (!take(r, len, &b))
		return false;
	*ret = (struct reader){b, len};
	return true;
}

bool egress_tls_is_handshake(const uint8_t *buf, size_t len)
{
	return len >= 1 && buf[0] == 22 && (len < 2 || buf[1] == 3);
}

static int parse_server_name(struct reader *ext, char *ret_sni)
{
	struct reader list;
	size_t n, type, len;
	const uint8_t *name;
	bool found = false;

	if (!u16(ext, &n) || !sub(ext, n, &list) || ext->left != 0 || n == 0)
		return -EBADMSG;
	while (list.left > 0) {
		if (!u8(&list, &type) || !u16(&list, &len) || !take(&list, len, &name))
			return -EBADMSG;
		if (type != 0)
			continue;
		/* Two host_names (RFC 6066 forbids it) would let the proxy check one and the
		 * server pick the other. */
		if (found || len == 0 || len > EGRESS_TLS_SNI_MAX)
			return -EBADMSG;
		for (size_t i = 0; i < len; i++) {
			char c = (char)name[i];

			if (c >= 'A' && c <= 'Z')
				c = (char)(c - 'A' + 'a');
			if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
			      c == '_' || c == '.'))
				return -EBADMSG;
			ret_sni[i] = c;
		}
		ret_sni[len] = 0;
		found = true;
	}
	return found ? 1 : 0;
}

int egress_tls_parse_sni(const uint8_t *buf, size_t len,
			 char ret_sni[static EGRESS_TLS_SNI_MAX + 1])
{
	struct reader rec = {buf, len}, hs, body, exts, ext;
	size_t type, rec_len, hs_len, n;
	const uint8_t *b;
	bool found = false;
	int r;

	if (len < 5)
		return len == 0 || egress_tls_is_handshake(buf, len) ? -EAGAIN : -EBADMSG;
	if (!take(&rec, 1, &b) || b[0] != 22 || !take(&rec, 2, &b) || b[0] != 3 ||
	    !u16(&rec, &rec_len))
		return -EBADMSG;
	if (rec_len == 0 || rec_len > EGRESS_TLS_RECORD_MAX)
		return -EBADMSG;
	if (rec.left < rec_len)
		return -EAGAIN;
	if (!sub(&rec, rec_len, &hs))
		return -EBADMSG;

	/* The ClientHello must fit in this one record: a hello fragmented over records is legal
	 * but no client sends one below 16 KiB, and reassembling it is attack surface. */
	if (!u8(&hs, &type) || type != 1 || !take(&hs, 3, &b))
		return -EBADMSG;
	hs_len = (size_t)b[0] << 16 | (size_t)b[1] << 8 | b[2];
	if (hs_len > hs.left || !sub(&hs, hs_len, &body))
		return -EBADMSG;

	if (!take(&body, 2, &b) || b[0] != 3 || !take(&body, 32, NULL)) /* version, random */
		return -EBADMSG;
	if (!u8(&body, &n) || n > 32 || !take(&body, n, NULL)) /* session id */
		return -EBADMSG;
	if (!u16(&body, &n) || n < 2 || n % 2 || !take(&body, n, NULL)) /* cipher suites */
		return -EBADMSG;
	if (!u8(&body, &n) || n < 1 || !take(&body, n, NULL)) /* compression methods */
		return -EBADMSG;
	if (body.left == 0)
		return 0; /* no extensions at all */
	if (!u16(&body, &n) || !sub(&body, n, &exts) || body.left != 0)
		return -EBADMSG;
	while (exts.left > 0) {
		if (!u16(&exts, &type) || !u16(&exts, &n) || !sub(&exts, n, &ext))
			return -EBADMSG;
		if (type != 0)
			continue;
		if (found)
			return -EBADMSG; /* a second server_name extension */
		r = parse_server_name(&ext, ret_sni);
		if (r < 0)
			return r;
		found = r > 0;
	}
	return found ? 1 : 0;
}

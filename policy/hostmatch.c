/* SPDX-License-Identifier: MIT */
/* Host patterns and CIDRs. Strict on purpose: anything a resolver or an HTTP client might read
 * differently from us ("127.1", "0x7f.0.0.1", "EXAMPLE.com.", "[::1]:80") is refused at load
 * time, so that a pattern means exactly one set of hosts. */
#include <arpa/inet.h>
#include <string.h>

#include "hostmatch.h"
#include "macro.h"

static bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static bool is_hex(char c)
{
	return is_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

/* A last label that a URL parser would read as a number makes the name an IPv4 address. */
static bool label_is_numeric(const char *l, size_t len)
{
	size_t i = 0;

	if (len >= 2 && l[0] == '0' && (l[1] == 'x' || l[1] == 'X')) {
		for (i = 2; i < len && is_hex(l[i]); i++)
			;
		return i == len;
	}
	for (; i < len && is_digit(l[i]); i++)
		;
	return i == len;
}

/* Validates a DNS name (lowercase already). */
static int check_name(const char *s, size_t len, const char **ret_reason)
{
	const char *label = s;

	if (len == 0) {
		*ret_reason = "empty host name";
		return -EINVAL;
	}
	if (len > HOSTMATCH_NAME_MAX) {
		*ret_reason = "longer than 253 bytes";
		return -EINVAL;
	}
	for (size_t i = 0; i <= len; i++) {
		char c = i < len ? s[i] : '.';
		size_t llen = (size_t)(s + i - label);

		if (c == '.') {
			if (llen == 0) {
				*ret_reason = i == len ? "must not end with '.'" : "empty label";
				return -EINVAL;
			}
			if (llen > 63) {
				*ret_reason = "label longer than 63 bytes";
				return -EINVAL;
			}
			if (label[0] == '-' || label[llen - 1] == '-') {
				*ret_reason = "label starts or ends with '-'";
				return -EINVAL;
			}
			if (i == len && label_is_numeric(label, llen)) {
				*ret_reason = "looks like an IPv4 address but is not a valid one";
				return -EINVAL;
			}
			label = s + i + 1;
			continue;
		}
		if ((unsigned char)c >= 0x80) {
			*ret_reason =
				"not ASCII (write internationalised names in their xn-- form)";
			return -EINVAL;
		}
		if (c >= 'A' && c <= 'Z') {
			*ret_reason = "must be lowercase";
			return -EINVAL;
		}
		if (c == '*') {
			*ret_reason = "'*' is only allowed as a leading '*.' label";
			return -EINVAL;
		}
		if (c == '/') {
			*ret_reason = "address ranges belong in allow_cidrs";
			return -EINVAL;
		}
		if (!(c >= 'a' && c <= 'z') && !is_digit(c) && c != '-' && c != '_') {
			*ret_reason = "not a valid host name (letters, digits, '-', '_' and '.')";
			return -EINVAL;
		}
	}
	return 0;
}

/* Parses an address literal, with the reason when text that looks like one is not. */
static int parse_address(const char *s, struct ip_address *ret, const char **ret_reason)
{
	if (ip_address_parse(s, ret) == 0)
		return 0;
	if (strchr(s, '%'))
		*ret_reason = "IPv6 zone ids are not allowed";
	else if (strchr(s, ':'))
		*ret_reason = "not a valid IPv6 address (ports are not part of host patterns)";
	else
		*ret_reason = "not a valid IP address";
	return -EINVAL;
}

int hostmatch_pattern_parse(const char *s, struct hostmatch_pattern *ret, const char **ret_reason)
{
	struct hostmatch_pattern p = {};
	const char *unused, *name = s;
	size_t len;
	int r;

	if (!ret_reason)
		ret_reason = &unused;
	if (!s || !*s) {
		*ret_reason = "empty host pattern";
		return -EINVAL;
	}
	if (strcmp(s, "*") == 0) {
		*ret_reason = "'*' alone would allow every host; list the hosts";
		return -EINVAL;
	}
	if (s[0] == '[') {
		*ret_reason = "write IPv6 addresses without brackets";
		return -EINVAL;
	}
	if (strchr(s, ':') || ip_address_parse(s, &p.address) == 0) {
		r = parse_address(s, &p.address, ret_reason);
		if (r < 0)
			return r;
		p.kind = HOSTMATCH_ADDRESS;
		*ret = p;
		return 0;
	}
	if (s[0] == '*' && s[1] == '.') {
		p.kind = HOSTMATCH_SUFFIX;
		name = s + 2;
	} else
		p.kind = HOSTMATCH_NAME;
	len = strnlen(name, HOSTMATCH_NAME_MAX + 1);
	r = check_name(name, len, ret_reason);
	if (r < 0)
		return r;
	memcpy(p.name, name, len);
	p.len = (uint8_t)len;
	*ret = p;
	return 0;
}

int hostmatch_cidr_parse(const char *s, struct hostmatch_cidr *ret, const char **ret_reason)
{
	char addr[IP_ADDRESS_TEXT_MAX];
	struct hostmatch_cidr c = {};
	const char *unused, *slash, *p;
	unsigned bits, prefix = 0;
	int r;

	if (!ret_reason)
		ret_reason = &unused;
	slash = s ? strchr(s, '/') : NULL;
	if (!slash) {
		*ret_reason = "expected ADDRESS/PREFIX";
		return -EINVAL;
	}
	if ((size_t)(slash - s) >= sizeof(addr)) {
		*ret_reason = "not a valid IP address";
		return -EINVAL;
	}
	memcpy(addr, s, (size_t)(slash - s));
	addr[slash - s] = '\0';
	r = parse_address(addr, &c.network, ret_reason);
	if (r < 0)
		return r;
	if (c.network.family == AF_INET && strchr(addr, ':')) {
		*ret_reason = "write IPv4 ranges in IPv4 form, not IPv4-mapped IPv6";
		return -EINVAL;
	}
	bits = c.network.family == AF_INET ? 32 : 128;

	p = slash + 1;
	if (!is_digit(*p) || (p[0] == '0' && p[1] != '\0')) {
		*ret_reason = "the prefix length must be a decimal number without leading zeros";
		return -EINVAL;
	}
	for (; is_digit(*p) && prefix <= bits; p++)
		prefix = prefix * 10 + (unsigned)(*p - '0');
	if (*p != '\0' || prefix > bits) {
		*ret_reason = c.network.family == AF_INET ? "the prefix length must be 1 to 32"
							  : "the prefix length must be 1 to 128";
		return -EINVAL;
	}
	if (prefix == 0) {
		*ret_reason = "a /0 range would allow every address, loopback and cloud metadata "
			      "included";
		return -EINVAL;
	}
	for (unsigned i = prefix; i < bits; i++)
		if (c.network.bytes[i / 8] & (0x80 >> (i % 8))) {
			*ret_reason = "bits are set beyond the prefix length (write the network "
				      "address)";
			return -EINVAL;
		}
	c.prefix = prefix;
	*ret = c;
	return 0;
}

int hostmatch_host_parse(const char *s, size_t len, struct hostmatch_host *ret,
			 const char **ret_reason)
{
	struct hostmatch_host h = {};
	char buf[HOSTMATCH_NAME_MAX + 3];
	const char *unused;
	int r;

	if (!ret_reason)
		ret_reason = &unused;
	if (!s || len == 0) {
		*ret_reason = "empty host";
		return -EINVAL;
	}
	if (len >= sizeof(buf)) {
		*ret_reason = "longer than 253 bytes";
		return -EINVAL;
	}
	if (memchr(s, '\0', len)) {
		*ret_reason = "contains a NUL byte";
		return -EINVAL;
	}
	if (s[0] == '[') {
		/* The URL form of an IPv6 literal. */
		if (len < 3 || s[len - 1] != ']') {
			*ret_reason = "unbalanced '[' in host";
			return -EINVAL;
		}
		memcpy(buf, s + 1, len - 2);
		buf[len - 2] = '\0';
		if (!strchr(buf, ':')) {
			*ret_reason = "brackets are only for IPv6 addresses";
			return -EINVAL;
		}
		r = parse_address(buf, &h.address, ret_reason);
		if (r < 0)
			return r;
		h.is_address = true;
		h.len = strlen(ip_address_to_string(&h.address, h.name));
		*ret = h;
		return 0;
	}
	for (size_t i = 0; i < len; i++)
		buf[i] = (s[i] >= 'A' && s[i] <= 'Z') ? (char)(s[i] - 'A' + 'a') : s[i];
	if (buf[len - 1] == '.' && len > 1)
		len--; /* "example.com." is the same name as "example.com" */
	buf[len] = '\0';

	if (strchr(buf, ':') || ip_address_parse(buf, &h.address) == 0) {
		r = parse_address(buf, &h.address, ret_reason);
		if (r < 0)
			return r;
		h.is_address = true;
		h.len = strlen(ip_address_to_string(&h.address, h.name));
		*ret = h;
		return 0;
	}
	r = check_name(buf, len, ret_reason);
	if (r < 0)
		return r;
	memcpy(h.name, buf, len + 1);
	h.len = len;
	*ret = h;
	return 0;
}

bool hostmatch_pattern_match(const struct hostmatch_pattern *p, const struct hostmatch_host *h)
{
	switch (p->kind) {
	case HOSTMATCH_NAME:
		return !h->is_address && h->len == p->len && memcmp(h->name, p->name, p->len) == 0;
	case HOSTMATCH_SUFFIX:
		return !h->is_address && h->len > (size_t)p->len + 1 &&
		       h->name[h->len - p->len - 1] == '.' &&
		       memcmp(h->name + h->len - p->len, p->name, p->len) == 0;
	case HOSTMATCH_ADDRESS:
		return h->is_address && ip_address_equal(&h->address, &p->address);
	default:
		return false;
	}
}

bool hostmatch_cidr_contains(const struct hostmatch_cidr *c, const struct ip_address *a)
{
	unsigned whole = c->prefix / 8, rest = c->prefix % 8;

	if (a->family != c->network.family)
		return false;
	if (memcmp(a->bytes, c->network.bytes, whole) != 0)
		return false;
	return rest == 0 ||
	       ((a->bytes[whole] ^ c->network.bytes[whole]) & (uint8_t)(0xff << (8 - rest))) == 0;
}

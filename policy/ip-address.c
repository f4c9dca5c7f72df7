/* SPDX-License-Identifier: MIT */
/* Address literals and classes. The class tables are the IANA special-purpose registries
 * (RFC 6890 and successors) plus the metadata endpoints of the large clouds; everything not
 * listed is public. Deliberately not special: 0.0.0.0/0 itself, which is a CIDR question
 * (hostmatch.c refuses /0). */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <string.h>

#include "ip-address.h"
#include "macro.h"

struct range {
	uint8_t bytes[16];
	unsigned prefix;
	enum ip_address_class class;
};

/* More specific entries first: the first match wins. */
static const struct range v4_ranges[] = {
	{{169, 254, 169, 254}, 32, IP_ADDRESS_METADATA}, /* AWS, GCP, Azure, OpenStack, ... */
	{{169, 254, 170, 2}, 32, IP_ADDRESS_METADATA},	 /* AWS ECS task metadata */
	{{100, 100, 100, 200}, 32, IP_ADDRESS_METADATA}, /* Alibaba Cloud */
	{{192, 0, 0, 192}, 32, IP_ADDRESS_METADATA},	 /* Oracle Cloud */
	{{0, 0, 0, 0}, 8, IP_ADDRESS_UNSPECIFIED},
	{{10, 0, 0, 0}, 8, IP_ADDRESS_PRIVATE},
	{{100, 64, 0, 0}, 10, IP_ADDRESS_PRIVATE}, /* shared address space (CGNAT) */
	{{127, 0, 0, 0}, 8, IP_ADDRESS_LOOPBACK},
	{{169, 254, 0, 0}, 16, IP_ADDRESS_LINK_LOCAL},
	{{172, 16, 0, 0}, 12, IP_ADDRESS_PRIVATE},
	{{192, 0, 0, 0}, 24, IP_ADDRESS_RESERVED},
	{{192, 0, 2, 0}, 24, IP_ADDRESS_RESERVED},
	{{192, 88, 99, 0}, 24, IP_ADDRESS_RESERVED},
	{{192, 168, 0, 0}, 16, IP_ADDRESS_PRIVATE},
	{{198, 18, 0, 0}, 15, IP_ADDRESS_RESERVED},
	{{198, 51, 100, 0}, 24, IP_ADDRESS_RESERVED},
	{{203, 0, 113, 0}, 24, IP_ADDRESS_RESERVED},
	{{224, 0, 0, 0}, 4, IP_ADDRESS_MULTICAST},
	{{240, 0, 0, 0}, 4, IP_ADDRESS_RESERVED}, /* includes 255.255.255.255 */
};

static const struct range v6_ranges[] = {
	/* AWS fd00:ec2::254 */
	{{0xfd, 0x00, 0x0e, 0xc2, [14] = 0x02, [15] = 0x54}, 128, IP_ADDRESS_METADATA},
	{{[15] = 0}, 128, IP_ADDRESS_UNSPECIFIED},
	{{[15] = 1}, 128, IP_ADDRESS_LOOPBACK},
	{{0}, 96, IP_ADDRESS_RESERVED},			     /* IPv4-compatible, deprecated */
	{{0x01, 0x00}, 64, IP_ADDRESS_RESERVED},	     /* discard */
	{{0x20, 0x01, 0x00, 0x00}, 32, IP_ADDRESS_RESERVED}, /* Teredo */
	{{0x20, 0x01, 0x00, 0x02, 0x00, 0x00}, 48, IP_ADDRESS_RESERVED}, /* benchmarking */
	{{0x20, 0x01, 0x0d, 0xb8}, 32, IP_ADDRESS_RESERVED},		 /* documentation */
	{{0x3f, 0xff}, 20, IP_ADDRESS_RESERVED},			 /* documentation */
	{{0xfc}, 7, IP_ADDRESS_PRIVATE},				 /* unique local */
	{{0xfe, 0x80}, 10, IP_ADDRESS_LINK_LOCAL},
	{{0xfe, 0xc0}, 10, IP_ADDRESS_PRIVATE}, /* site-local, deprecated */
	{{0xff}, 8, IP_ADDRESS_MULTICAST},
};

static const char *const class_names[_IP_ADDRESS_CLASS_MAX] = {
	[IP_ADDRESS_PUBLIC] = "public",		[IP_ADDRESS_UNSPECIFIED] = "unspecified",
	[IP_ADDRESS_LOOPBACK] = "loopback",	[IP_ADDRESS_PRIVATE] = "private",
	[IP_ADDRESS_LINK_LOCAL] = "link-local", [IP_ADDRESS_METADATA] = "metadata",
	[IP_ADDRESS_MULTICAST] = "multicast",	[IP_ADDRESS_RESERVED] = "reserved",
};

static const uint8_t v4_mapped_prefix[12] = {[10] = 0xff, [11] = 0xff};

/* Stores an IPv6 address, unwrapping IPv4-mapped ones. */
static void set_v6(struct ip_address *ret, const uint8_t bytes[16])
{
	if (memcmp(bytes, v4_mapped_prefix, sizeof(v4_mapped_prefix)) == 0) {
		*ret = (struct ip_address){.family = AF_INET};
		memcpy(ret->bytes, bytes + 12, 4);
		return;
	}
	*ret = (struct ip_address){.family = AF_INET6};
	memcpy(ret->bytes, bytes, 16);
}

int ip_address_parse(const char *s, struct ip_address *ret)
{
	uint8_t bytes[16];

	if (!s || strnlen(s, IP_ADDRESS_TEXT_MAX) >= IP_ADDRESS_TEXT_MAX)
		return -EINVAL;
	/* glibc's inet_pton(AF_INET) takes exactly four decimal parts without leading zeros,
	 * unlike inet_aton, which reads "127.1" and "0x7f.1" as 127.0.0.1. */
	if (inet_pton(AF_INET, s, bytes) == 1) {
		*ret = (struct ip_address){.family = AF_INET};
		memcpy(ret->bytes, bytes, 4);
		return 0;
	}
	if (inet_pton(AF_INET6, s, bytes) == 1) {
		set_v6(ret, bytes);
		return 0;
	}
	return -EINVAL;
}

int ip_address_from_sockaddr(const struct sockaddr *sa, socklen_t len, struct ip_address *ret)
{
	if (!sa || len < (socklen_t)sizeof(sa_family_t))
		return -EINVAL;
	if (sa->sa_family == AF_INET) {
		struct sockaddr_in in;

		if (len < (socklen_t)sizeof(in))
			return -EINVAL;
		memcpy(&in, sa, sizeof(in));
		*ret = (struct ip_address){.family = AF_INET};
		memcpy(ret->bytes, &in.sin_addr, 4);
		return 0;
	}
	if (sa->sa_family == AF_INET6) {
		struct sockaddr_in6 in6;

		if (len < (socklen_t)sizeof(in6))
			return -EINVAL;
		memcpy(&in6, sa, sizeof(in6));
		set_v6(ret, in6.sin6_addr.s6_addr);
		return 0;
	}
	return -EAFNOSUPPORT;
}

const char *ip_address_to_string(const struct ip_address *a, char buf[static IP_ADDRESS_TEXT_MAX])
{
	if (!inet_ntop(a->family, a->bytes, buf, IP_ADDRESS_TEXT_MAX))
		buf[0] = '\0';
	return buf;
}

bool ip_address_equal(const struct ip_address *a, const struct ip_address *b)
{
	return a->family == b->family &&
	       memcmp(a->bytes, b->bytes, a->family == AF_INET ? 4 : 16) == 0;
}

static bool prefix_match(const uint8_t *a, const uint8_t *b, unsigned prefix)
{
	unsigned whole = prefix / 8, rest = prefix % 8;

	if (memcmp(a, b, whole) != 0)
		return false;
	if (rest == 0)
		return true;
	return ((a[whole] ^ b[whole]) & (uint8_t)(0xff << (8 - rest))) == 0;
}

static enum ip_address_class classify_v4(const uint8_t *b)
{
	for (size_t i = 0; i < ELEMENTSOF(v4_ranges); i++)
		if (prefix_match(b, v4_ranges[i].bytes, v4_ranges[i].prefix))
			return v4_ranges[i].class;
	return IP_ADDRESS_PUBLIC;
}

enum ip_address_class ip_address_classify(const struct ip_address *a)
{
	static const uint8_t nat64[12] = {0x00, 0x64, 0xff, 0x9b};
	static const uint8_t six_to_four[2] = {0x20, 0x02};

	if (a->family == AF_INET)
		return classify_v4(a->bytes);
	if (a->family != AF_INET6)
		return _IP_ADDRESS_CLASS_INVALID;
	/* Translation prefixes reach the IPv4 address they carry: class by that address. */
	if (memcmp(a->bytes, nat64, sizeof(nat64)) == 0)
		return classify_v4(a->bytes + 12);
	if (memcmp(a->bytes, six_to_four, sizeof(six_to_four)) == 0)
		return classify_v4(a->bytes + 2);
	for (size_t i = 0; i < ELEMENTSOF(v6_ranges); i++)
		if (prefix_match(a->bytes, v6_ranges[i].bytes, v6_ranges[i].prefix))
			return v6_ranges[i].class;
	return IP_ADDRESS_PUBLIC;
}

const char *ip_address_class_to_string(enum ip_address_class c)
{
	if (c < 0 || c >= _IP_ADDRESS_CLASS_MAX)
		return NULL;
	return class_names[c];
}

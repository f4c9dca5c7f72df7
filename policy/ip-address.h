/* SPDX-License-Identifier: MIT */
/* IP addresses for the network allowlists: strict literals, sockaddrs, and the class of an
 * address (loopback, private, link-local, cloud metadata, ...), which the egress proxy checks
 * after resolving and before connecting. Host name patterns and CIDRs are hostmatch.h. */
#pragma once

#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/socket.h>

#define IP_ADDRESS_TEXT_MAX 46 /* INET6_ADDRSTRLEN */

/* An address in network byte order. An IPv4-mapped IPv6 address (::ffff:a.b.c.d) is stored
 * as the IPv4 address it carries, so that no allowlist or class check can be dodged by
 * spelling an IPv4 address the IPv6 way. */
struct ip_address {
	int family; /* AF_INET or AF_INET6 */
	uint8_t bytes[16];
};

enum ip_address_class {
	IP_ADDRESS_PUBLIC,
	IP_ADDRESS_UNSPECIFIED, /* 0.0.0.0/8, :: (Linux connects 0.0.0.0 to the local host) */
	IP_ADDRESS_LOOPBACK,	/* 127.0.0.0/8, ::1 */
	IP_ADDRESS_PRIVATE,	/* RFC 1918, 100.64.0.0/10 (shared), fc00::/7, fec0::/10 */
	IP_ADDRESS_LINK_LOCAL,	/* 169.254.0.0/16, fe80::/10 */
	IP_ADDRESS_METADATA,	/* cloud instance metadata endpoints (credentials live there) */
	IP_ADDRESS_MULTICAST,	/* 224.0.0.0/4, ff00::/8 */
	IP_ADDRESS_RESERVED,	/* documentation, benchmarking, 240.0.0.0/4, broadcast, ... */
	_IP_ADDRESS_CLASS_MAX,
	_IP_ADDRESS_CLASS_INVALID = -EINVAL,
};

/* Parses a strict literal: dotted quad without leading zeros, or IPv6 text (no brackets, no
 * zone). 0 or -EINVAL. */
int ip_address_parse(const char *s, struct ip_address *ret);

/* Reads an AF_INET or AF_INET6 sockaddr. 0, or -EAFNOSUPPORT / -EINVAL for anything else. */
int ip_address_from_sockaddr(const struct sockaddr *sa, socklen_t len, struct ip_address *ret);

/* Formats the address (IPv4 dotted, IPv6 compressed). */
const char *ip_address_to_string(const struct ip_address *a, char buf[static IP_ADDRESS_TEXT_MAX]);

/* True for the same family and bytes. */
bool ip_address_equal(const struct ip_address *a, const struct ip_address *b);

/* The class of an address; IPv4 carried in NAT64 (64:ff9b::/96) and 6to4 (2002::/16)
 * addresses is classified as that IPv4 address. */
enum ip_address_class ip_address_classify(const struct ip_address *a);

/* "public", "loopback", ... */
const char *ip_address_class_to_string(enum ip_address_class c);

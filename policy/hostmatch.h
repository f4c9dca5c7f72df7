/* SPDX-License-Identifier: MIT */
/* Host allowlists: patterns ("docs.python.org", "*.example.com", "10.0.0.7", "2001:db8::1"),
 * CIDRs ("10.0.0.0/24"), and the normalised form of a host named by a call. Parsing is strict
 * and matching is exact; address classes (private, metadata, ...) are ip-address.h. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ip-address.h"

#define HOSTMATCH_NAME_MAX 253 /* bytes of a DNS name without the trailing dot */

enum hostmatch_kind {
	HOSTMATCH_NAME,	   /* exactly this name */
	HOSTMATCH_SUFFIX,  /* "*.suffix": any name below suffix, not suffix itself */
	HOSTMATCH_ADDRESS, /* exactly this IP address */
};

struct hostmatch_pattern {
	uint8_t kind; /* enum hostmatch_kind */
	uint8_t len;  /* bytes of name: the whole name, or the suffix without "*." */
	char name[HOSTMATCH_NAME_MAX + 1];
	struct ip_address address; /* HOSTMATCH_ADDRESS */
};

struct hostmatch_cidr {
	struct ip_address network; /* host bits zero */
	unsigned prefix;
};

/* A host as a call names it, normalised: lowercase, no trailing dot, no brackets. */
struct hostmatch_host {
	char name[HOSTMATCH_NAME_MAX + 1];
	size_t len;
	bool is_address;
	struct ip_address address;
};

/* Parses an allowlist pattern. Names must be lowercase ASCII (LDH labels, '_' allowed) with
 * no trailing dot; '*' only as a leading "*." label; a name whose last label is numeric must
 * be a valid IPv4 address (no "127.1"). On -EINVAL, *ret_reason says why. */
int hostmatch_pattern_parse(const char *s, struct hostmatch_pattern *ret, const char **ret_reason);

/* Parses ADDRESS/PREFIX strictly: a valid literal, a decimal prefix within the family's bits
 * and above 0, no bits set beyond the prefix. On -EINVAL, *ret_reason says why. */
int hostmatch_cidr_parse(const char *s, struct hostmatch_cidr *ret, const char **ret_reason);

/* Normalises the host s[0..len) of a call: lowercases, strips one trailing dot and IPv6
 * brackets, and validates it as a pattern would be. On -EINVAL, *ret_reason says why. */
int hostmatch_host_parse(const char *s, size_t len, struct hostmatch_host *ret,
			 const char **ret_reason);

/* True when the pattern allows the host. Names never match addresses and vice versa. */
bool hostmatch_pattern_match(const struct hostmatch_pattern *p, const struct hostmatch_host *h);

/* True when the address lies in the range (same family). */
bool hostmatch_cidr_contains(const struct hostmatch_cidr *c, const struct ip_address *a);

/* SPDX-License-Identifier: MIT */
/* Fuzz target for policy/hostmatch.c and policy/ip-address.c. Input: three lines, a host
 * pattern, a call's host and a CIDR. Checks the invariants the allowlists rely on: a
 * normalised host is lowercase without a trailing dot and matches itself as a pattern, and a
 * CIDR contains its own network address. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "hostmatch.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *copy = strndup((const char *)data, size), *save = NULL;
	const char *line[3] = {"", "", ""};
	struct hostmatch_pattern p, self;
	struct hostmatch_host h;
	struct hostmatch_cidr c;
	int i = 0;

	if (!copy)
		abort();
	for (char *t = strtok_r(copy, "\n", &save); t && i < 3; t = strtok_r(NULL, "\n", &save))
		line[i++] = t;

	if (hostmatch_host_parse(line[1], strlen(line[1]), &h, NULL) == 0) {
		if (h.len == 0 || h.len != strlen(h.name) || h.name[h.len - 1] == '.')
			abort();
		for (size_t k = 0; k < h.len; k++)
			if (h.name[k] >= 'A' && h.name[k] <= 'Z')
				abort();
		if (hostmatch_pattern_parse(h.name, &self, NULL) != 0 ||
		    !hostmatch_pattern_match(&self, &h))
			abort();
		if (h.is_address)
			(void)ip_address_classify(&h.address);
		if (hostmatch_pattern_parse(line[0], &p, NULL) == 0)
			(void)hostmatch_pattern_match(&p, &h);
	}
	if (hostmatch_cidr_parse(line[2], &c, NULL) == 0 &&
	    !hostmatch_cidr_contains(&c, &c.network))
		abort();
	free(copy);
	return 0;
}

/* SPDX-License-Identifier: MIT */
/* Fuzz target for the Landlock rule decoder (runtime/landlock.c): any bytes, decoded; whatever
 * decodes must encode back to exactly the same bytes (the format has one spelling per list). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "landlock.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static char again[LANDLOCK_ENCODED_MAX];
	struct landlock_rules rules;
	struct sbx_error e = {};
	ssize_t n;

	if (landlock_rules_decode((const char *)data, size, &rules, &e) < 0)
		return 0;
	n = landlock_rules_encode(&rules, again, sizeof(again));
	if (n < 0 || (size_t)n != size || memcmp(again, data, size) != 0)
		abort();
	return 0;
}

/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/random.h>

#include "ids.h"

int id_new(char kind, char ret[static ID_LEN + 1])
{
	uint8_t b[8];

	if (getrandom(b, sizeof(b), 0) != sizeof(b))
		return -EIO;
	snprintf(ret, ID_LEN + 1, "%c-%02x%02x%02x%02x%02x%02x%02x%02x", kind, b[0], b[1], b[2],
		 b[3], b[4], b[5], b[6], b[7]);
	return 0;
}

bool id_is_valid(char kind, const char *s)
{
	return s && strlen(s) == ID_LEN && s[0] == kind && s[1] == '-' &&
	       strspn(s + 2, "0123456789abcdef") == ID_LEN - 2;
}

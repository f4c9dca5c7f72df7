/* SPDX-License-Identifier: MIT */
/* Fuzz target for tools/egress-tls.c: the first bytes of a CONNECT tunnel, read for the TLS
 * server name. Checks that a name found is a bounded lowercase host name, and that a prefix of
 * the record never yields a verdict other than "need more". */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "egress-tls.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char sni[EGRESS_TLS_SNI_MAX + 1], again[EGRESS_TLS_SNI_MAX + 1];
	size_t rec;
	int r;

	r = egress_tls_parse_sni(data, size, sni);
	if (r != 1 && r != 0 && r != -EAGAIN && r != -EBADMSG)
		abort();
	if (r == 1) {
		size_t n = strnlen(sni, sizeof(sni));

		if (n == 0 || n > EGRESS_TLS_SNI_MAX)
			abort();
		for (size_t i = 0; i < n; i++)
			if ((sni[i] >= 'A' && sni[i] <= 'Z') || sni[i] == 0)
				abort();
	}
	if (r >= 0) {
		rec = 5 + ((size_t)data[3] << 8 | data[4]);
		if (rec > size || egress_tls_parse_sni(data, rec, again) != r)
			abort();
		if (r == 1 && strcmp(again, sni) != 0)
			abort();
		if (egress_tls_parse_sni(data, rec - 1, again) != -EAGAIN)
			abort();
	}
	return 0;
}

/* SPDX-License-Identifier: MIT */
/* Fuzz target for the daemon config reader (sandboxd/config.c): any bytes, parsed and freed. */
#include <stddef.h>
#include <stdint.h>

#include "config.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct config_file c;
	struct sbx_error e = {};

	if (config_parse((const char *)data, size, "fuzz", &c, &e) == 0)
		config_done(&c);
	return 0;
}

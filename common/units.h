/* SPDX-License-Identifier: MIT */
/* Sizes ("512Mi", "1G", "4096") and durations ("60s", "1m30s", "250ms"), strict, for limits given
 * on command lines, in policy files and in the daemon config. Plain numbers are parse-util.h. */
#pragma once

#include <stddef.h>
#include <stdint.h>

#define UNITS_TEXT_MAX 32

/* Bytes: an integer with an optional suffix K/Ki/M/Mi/G/Gi/T/Ti (binary, 1024) or k/kB/MB/GB/TB
 * (decimal, 1000); "B" alone allowed. 0 or -EINVAL/-ERANGE. */
int units_parse_size(const char *s, uint64_t *ret_bytes);

/* Microseconds from one or more <integer><unit> parts, units us, ms, s, m, h, d
 * ("1h30m"); a bare integer is seconds. 0 or -EINVAL/-ERANGE. */
int units_parse_duration(const char *s, uint64_t *ret_usec);

/* CPU count as a decimal with up to 3 fraction digits ("1", "0.5", "2.25") in thousandths.
 * Zero is -ERANGE. */
int units_parse_cpus(const char *s, uint64_t *ret_millicpus);

/* Writes bytes in the largest exact binary unit ("256Mi", "1536Ki", "100"). */
const char *units_format_size(uint64_t bytes, char buf[static UNITS_TEXT_MAX]);

/* Writes a duration in the largest exact unit ("5s", "1500ms", "2h"). */
const char *units_format_duration(uint64_t usec, char buf[static UNITS_TEXT_MAX]);

/* SPDX-License-Identifier: MIT */
/* Unit tables for sizes and durations. Each parser accepts exactly the documented grammar:
 * no spaces, no signs, no exponents, overflow is -ERANGE. */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "macro.h"
#include "units.h"

struct unit {
	const char *suffix;
	uint64_t factor;
};

static const struct unit size_units[] = {
	{"", 1},
	{"B", 1},
	{"K", 1ULL << 10},
	{"Ki", 1ULL << 10},
	{"M", 1ULL << 20},
	{"Mi", 1ULL << 20},
	{"G", 1ULL << 30},
	{"Gi", 1ULL << 30},
	{"T", 1ULL << 40},
	{"Ti", 1ULL << 40},
	{"k", 1000ULL},
	{"kB", 1000ULL},
	{"MB", 1000ULL * 1000},
	{"GB", 1000ULL * 1000 * 1000},
	{"TB", 1000ULL * 1000 * 1000 * 1000},
};

static const struct unit duration_units[] = {
	{"us", 1ULL},
	{"ms", 1000ULL},
	{"s", 1000ULL * 1000},
	{"m", 60ULL * 1000 * 1000},
	{"h", 3600ULL * 1000 * 1000},
	{"d", 86400ULL * 1000 * 1000},
};

/* Reads leading digits of *p into *ret and advances *p; -EINVAL if there are none. */
static int read_digits(const char **p, uint64_t *ret)
{
	uint64_t v = 0;
	const char *s = *p;

	if (*s < '0' || *s > '9')
		return -EINVAL;
	for (; *s >= '0' && *s <= '9'; s++)
		if (__builtin_mul_overflow(v, 10, &v) ||
		    __builtin_add_overflow(v, (uint64_t)(*s - '0'), &v))
			return -ERANGE;
	*p = s;
	*ret = v;
	return 0;
}

int units_parse_size(const char *s, uint64_t *ret_bytes)
{
	uint64_t v, out;
	int r;

	if (!s || strlen(s) >= UNITS_TEXT_MAX)
		return -EINVAL;
	r = read_digits(&s, &v);
	if (r < 0)
		return r;
	for (size_t i = 0; i < ELEMENTSOF(size_units); i++) {
		if (strcmp(s, size_units[i].suffix) != 0)
			continue;
		if (__builtin_mul_overflow(v, size_units[i].factor, &out))
			return -ERANGE;
		*ret_bytes = out;
		return 0;
	}
	return -EINVAL;
}

/* True when [start, end) is only digits: a bare number, not the last part of "1m30". */
static bool s_is_whole_number(const char *start, const char *end)
{
	for (const char *p = start; p < end; p++)
		if (*p < '0' || *p > '9')
			return false;
	return true;
}

int units_parse_duration(const char *s, uint64_t *ret_usec)
{
	const char *start = s;
	uint64_t total = 0;
	int r;

	if (!s || !*s || strlen(s) >= UNITS_TEXT_MAX)
		return -EINVAL;
	while (*s) {
		const struct unit *u = NULL;
		size_t best = 0;
		uint64_t v, part;

		r = read_digits(&s, &v);
		if (r < 0)
			return r;
		if (*s == '\0' && s_is_whole_number(start, s)) {
			/* A bare number is seconds, as in "timeout 5". */
			u = &duration_units[2];
		} else {
			/* Longest suffix wins so "ms" is not read as "m" followed by "s". */
			for (size_t i = 0; i < ELEMENTSOF(duration_units); i++) {
				size_t l = strlen(duration_units[i].suffix);
				if (strncmp(s, duration_units[i].suffix, l) == 0 && l > best) {
					u = &duration_units[i];
					best = l;
				}
			}
			if (!u)
				return -EINVAL;
			s += best;
		}
		if (__builtin_mul_overflow(v, u->factor, &part) ||
		    __builtin_add_overflow(total, part, &total))
			return -ERANGE;
	}
	*ret_usec = total;
	return 0;
}

int units_parse_cpus(const char *s, uint64_t *ret_millicpus)
{
	uint64_t whole, frac = 0, v;
	int r, digits = 0;

	if (!s || strlen(s) >= UNITS_TEXT_MAX)
		return -EINVAL;
	r = read_digits(&s, &whole);
	if (r < 0)
		return r;
	if (*s == '.') {
		s++;
		for (; *s >= '0' && *s <= '9'; s++) {
			if (++digits > 3)
				return -EINVAL;
			frac = frac * 10 + (uint64_t)(*s - '0');
		}
		if (digits == 0)
			return -EINVAL;
		for (int i = digits; i < 3; i++)
			frac *= 10;
	}
	if (*s)
		return -EINVAL;
	if (__builtin_mul_overflow(whole, 1000, &v) || __builtin_add_overflow(v, frac, &v))
		return -ERANGE;
	if (v == 0)
		return -ERANGE;
	*ret_millicpus = v;
	return 0;
}

const char *units_format_size(uint64_t bytes, char buf[static UNITS_TEXT_MAX])
{
	static const char *const names[] = {"", "Ki", "Mi", "Gi", "Ti"};
	size_t i = 0;

	while (i + 1 < ELEMENTSOF(names) && bytes >= 1024 && bytes % 1024 == 0) {
		bytes /= 1024;
		i++;
	}
	snprintf(buf, UNITS_TEXT_MAX, "%llu%s", (unsigned long long)bytes, names[i]);
	return buf;
}

const char *units_format_duration(uint64_t usec, char buf[static UNITS_TEXT_MAX])
{
	size_t i = 0;

	for (size_t j = ELEMENTSOF(duration_units); j > 0; j--)
		if (usec > 0 && usec % duration_units[j - 1].factor == 0) {
			i = j - 1;
			break;
		}
	snprintf(buf, UNITS_TEXT_MAX, "%llu%s",
		 (unsigned long long)(usec / duration_units[i].factor), duration_units[i].suffix);
	return buf;
}

/* SPDX-License-Identifier: MIT */
/* Timing helpers shared by the benchmarks: a monotonic clock and medians of samples. */
#pragma once

#include <stdint.h>
#include <stdlib.h>
#include <time.h>

static inline uint64_t bench_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

static inline int bench_cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

/* Sorts the samples and returns the value at quantile q (0.5 = median). */
static inline uint64_t bench_quantile(uint64_t *v, size_t n, double q)
{
	size_t i;

	qsort(v, n, sizeof(*v), bench_cmp_u64);
	i = (size_t)(q * (double)(n - 1) + 0.5);
	return v[i];
}

/* SPDX-License-Identifier: MIT */
/* Clock readings in the units the project keeps times in (header only: sandbox-init uses it
 * without linking common/). */
#pragma once

#include <stdint.h>
#include <time.h>

/* Wall-clock milliseconds since the epoch: TTLs and records that outlive the process. */
static inline uint64_t time_realtime_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000ULL + (uint64_t)ts.tv_nsec / 1000000ULL;
}

/* Monotonic microseconds: durations and timers within one process. */
static inline uint64_t time_monotonic_usec(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000ULL + (uint64_t)ts.tv_nsec / 1000ULL;
}

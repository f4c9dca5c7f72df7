/* SPDX-License-Identifier: MIT */
/* What a session is created with, already checked (convert.c makes it from the wire; session.c
 * uses it), and the defaults and maxima a request may only narrow. No daemon state here. */
#pragma once

#include <stddef.h>
#include <stdint.h>

#define SESSIONS_MAX_DEFAULT	    256
#define SESSION_MEMORY_DEFAULT	    (512ULL << 20)
#define SESSION_MEMORY_MAX	    (16ULL << 30)
#define SESSION_PIDS_DEFAULT	    256
#define SESSION_PIDS_MAX	    4096
#define SESSION_DISK_DEFAULT	    (1ULL << 30)
#define SESSION_DISK_MAX	    (16ULL << 30)
#define SESSION_IDLE_TTL_DEFAULT_MS (30ULL * 60 * 1000)
#define SESSION_TTL_DEFAULT_MS	    (24ULL * 3600 * 1000)
#define SESSION_TTL_MAX_MS	    (7ULL * 24 * 3600 * 1000)
#define SESSION_LABELS_MAX	    32
#define SESSION_LABEL_MAX	    256 /* bytes of a value */

/* What a session gets when its request leaves a limit at 0 (the daemon config may change these,
 * within the maxima above). */
struct session_defaults {
	uint64_t memory_bytes, pids, cpu_millis, disk_bytes;
	uint64_t ttl_ms, idle_ttl_ms;
};

#define SESSION_DEFAULTS_INIT                                                                      \
	{                                                                                          \
		.memory_bytes = SESSION_MEMORY_DEFAULT, .pids = SESSION_PIDS_DEFAULT,              \
		.disk_bytes = SESSION_DISK_DEFAULT, .ttl_ms = SESSION_TTL_DEFAULT_MS,              \
		.idle_ttl_ms = SESSION_IDLE_TTL_DEFAULT_MS                                         \
	}

struct session_label {
	char *key;
	char *value;
};

struct sandbox_bind;

struct session_params {
	const char *image;		  /* NULL = the host image */
	const struct sandbox_bind *binds; /* the policy's data sources */
	size_t n_binds;
	uint64_t memory_bytes, pids, cpu_millis, disk_bytes;
	uint64_t idle_ttl_ms, ttl_ms;
	const struct session_label *labels;
	size_t n_labels;
};

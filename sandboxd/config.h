/* SPDX-License-Identifier: MIT */
/* The optional daemon configuration file (YAML, libyaml): bounded, strict, errors as
 * FILE:LINE:COL: message, and never half-applied. What the keys mean is docs/daemon.md. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "error.h"
#include "session-params.h"

#define CONFIG_FILE_MAX	  (64U * 1024)
#define CONFIG_DEPTH_MAX  4
#define CONFIG_LIST_MAX	  64
#define CONFIG_STRING_MAX 4096

struct config_file {
	char *socket_path; /* NULL when the file does not set it */
	char *state_dir;
	uid_t allowed_uids[CONFIG_LIST_MAX];
	size_t n_allowed_uids;
	gid_t allowed_gids[CONFIG_LIST_MAX];
	size_t n_allowed_gids;
	unsigned max_sessions;
	bool has_max_sessions;
	unsigned warm_pool;
	bool has_warm_pool;
	char *policy_dir; /* NULL when the file does not set it */
	bool allow_inline_policies;
	bool has_allow_inline_policies;
	struct session_defaults defaults; /* built-in defaults where the file is silent */
};

/* Parses the YAML text of a config file named name (for messages). */
int config_parse(const char *text, size_t len, const char *name, struct config_file *ret,
		 struct sbx_error *reterr);

/* Reads and parses the file at path. */
int config_load(const char *path, struct config_file *ret, struct sbx_error *reterr);

/* Frees what a parsed config owns; safe on a zeroed struct. */
void config_done(struct config_file *c);

/* SPDX-License-Identifier: MIT */
/* Policy text -> struct policy. Everything is checked before anything is returned: a bad
 * policy never half-loads, and each mistake is reported once as "NAME:LINE:COL: message"
 * (-EINVAL). Loading a directory of them is policy-set.h. */
#pragma once

#include <stddef.h>

#include "error.h"
#include "policy.h"

/* The built-in policy `default`: one skill, `default`, with exec and the file tools on
 * /workspace and /tmp, and no network. */
extern const char policy_load_default_text[];

/* Parses YAML (or JSON) text named name (used in messages) into a new policy. */
int policy_load_text(const char *text, size_t len, const char *name, struct policy **ret,
		     struct sbx_error *reterr);

/* Reads and parses the file at path (relative to dirfd, which may be AT_FDCWD); name is used
 * in messages. Only regular files up to POLICY_FILE_MAX are read. */
int policy_load_file_at(int dirfd, const char *path, const char *name, struct policy **ret,
			struct sbx_error *reterr);

/* policy_load_file_at(AT_FDCWD, path, path, ...). */
int policy_load_file(const char *path, struct policy **ret, struct sbx_error *reterr);

/* Parses the built-in `default` policy. */
int policy_load_default(struct policy **ret, struct sbx_error *reterr);

/* SPDX-License-Identifier: MIT */
/* The named policies a daemon serves: every *.yaml of a directory plus the built-in
 * `default`. Loading makes a new set or fails as a whole; a set is never modified, so a
 * reload (SIGHUP) swaps one reference for another and sessions keep the set they started
 * with alive by holding a reference. */
#pragma once

#include <stddef.h>

#include "error.h"
#include "macro.h"
#include "policy.h"

#define POLICY_DIR_DEFAULT   "/etc/sandboxd/policies"
#define POLICY_SET_FILES_MAX 1024

struct policy_set;

/* Loads every regular *.yaml file (not starting with '.') of dir, in name order, plus the
 * built-in `default` unless a file defines a policy of that name. A missing dir (or NULL)
 * gives the built-in policy alone. Any bad file fails the whole load with its message; two
 * files defining one name are an error at the second. */
int policy_set_load(const char *dir, struct policy_set **ret, struct sbx_error *reterr);

/* Takes a reference; returns s. */
struct policy_set *policy_set_ref(struct policy_set *s);

/* Drops a reference, freeing the set and its policies with the last; accepts NULL; returns
 * NULL. */
struct policy_set *policy_set_unref(struct policy_set *s);
DEFINE_CLEANUP(struct policy_set *, policy_set_unref);

/* The policy called name, or NULL. Valid while the caller holds a reference to s. */
const struct policy *policy_set_find(const struct policy_set *s, const char *name);

/* Number of policies and the i-th in name order. */
size_t policy_set_size(const struct policy_set *s);
const struct policy *policy_set_get(const struct policy_set *s, size_t i);

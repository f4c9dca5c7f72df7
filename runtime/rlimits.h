/* SPDX-License-Identifier: MIT */
/* The rlimit table applied in the child before exec (core 0, nofile, fsize). */
#pragma once

#include "spec.h"

/* Applies the sandbox's rlimits to the calling process; fsize 0 means the workspace size. */
int rlimits_apply(const struct sandbox_limits *limits, uint64_t workspace_size);

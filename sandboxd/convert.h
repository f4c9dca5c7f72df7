/* SPDX-License-Identifier: MIT */
/* Wire values -> checked values: the one place wire data is validated (STYLE.md section 8).
 * What passes here is valid by construction for everything below it. */
#pragma once

#include <protobuf-c/protobuf-c.h>

#include "error.h"

#define CONVERT_DEPTH_MAX 16 /* message nesting; sandboxd.v1 needs 4 */

/* Checks every string field of m, at any depth, for well-formed UTF-8 (protobuf-c does not),
 * naming the first offending field in *e. */
int convert_check_strings(const ProtobufCMessage *m, struct sbx_error *e);

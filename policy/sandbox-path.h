/* SPDX-License-Identifier: MIT */
/* Paths as a sandbox sees them, normalised lexically before any policy matching: relative to
 * the workspace, "//" and "." collapsed, ".." clamped at "/". Nothing here touches the
 * filesystem; the file tools open the normalised path with openat2(RESOLVE_IN_ROOT), and
 * Landlock stops what symlinks would otherwise reach. */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#define SANDBOX_PATH_MAX     4096 /* bytes, with the NUL: PATH_MAX */
#define SANDBOX_PATH_WORKDIR "/workspace"

/* Writes the normalised absolute form of path[0..len) into ret. Returns its length, -EINVAL
 * for an empty path or one containing a NUL byte, -ENAMETOOLONG when input or result do not
 * fit. */
int sandbox_path_normalize(const char *path, size_t len, char ret[static SANDBOX_PATH_MAX]);

/* True when path is absolute and already in normal form ("/a/b", not "/a//b/" or "/a/./b"). */
bool sandbox_path_is_normalized(const char *path);

/* True when path[0..len) is dir[0..dir_len) or below it, component-wise ("/data2" is not
 * under "/data"); both normalised. */
bool sandbox_path_is_under(const char *path, size_t len, const char *dir, size_t dir_len);

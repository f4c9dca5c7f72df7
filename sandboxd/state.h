/* SPDX-License-Identifier: MIT */
/* The state directory: what must outlive the daemon (job records, results and logs), written
 * atomically (temporary file, fsync, rename, fsync of the directory). */
#pragma once

#include <stddef.h>

/* Creates dir (and parents) with the given mode; 0 if it exists. */
int state_mkdir_p(const char *dir, unsigned mode);

/* Replaces dir/name with data atomically: readers see the old or the new file, never a part. */
int state_write_atomic(int dirfd, const char *name, const void *data, size_t len);

/* Reads a whole file of at most max bytes (malloc'd into *ret). */
int state_read(int dirfd, const char *name, size_t max, void **ret, size_t *ret_len);

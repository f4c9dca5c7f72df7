/* SPDX-License-Identifier: MIT */
/* The state directory: what must outlive the daemon (job records, results and logs), written
 * atomically (temporary file, fsync, rename, fsync of the directory). */
#pragma once

#include <dirent.h>
#include <stddef.h>

/* Creates dir (and parents) with the given mode; 0 if it exists. */
int state_mkdir_p(const char *dir, unsigned mode);

struct sbx_error;

/* Opens <state_dir>/<name> (created 0700, root only, when missing) into *ret_fd. */
int state_open_subdir(const char *state_dir, const char *name, int *ret_fd,
		      struct sbx_error *reterr);

/* A directory stream over a copy of dirfd (the fd itself stays the caller's); NULL with errno. */
DIR *state_opendir(int dirfd);

/* Replaces dir/name with data atomically: readers see the old or the new file, never a part;
 * durably: once it returns, the new file survives a power loss too. */
int state_write_atomic(int dirfd, const char *name, const void *data, size_t len);

/* As state_write_atomic(), without the fsyncs: for records that matter only while the machine
 * stays up (they survive a killed daemon all the same). */
int state_replace(int dirfd, const char *name, const void *data, size_t len);

/* Reads a whole file of at most max bytes (malloc'd into *ret). */
int state_read(int dirfd, const char *name, size_t max, void **ret, size_t *ret_len);

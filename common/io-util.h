/* SPDX-License-Identifier: MIT */
/* Bounded byte I/O on fds: whole writes, exact reads, whole small files. */
#pragma once

#include <stddef.h>
#include <sys/types.h>

/* Writes all len bytes (retrying on EINTR and short writes); 0 or -errno. */
int write_all(int fd, const void *buf, size_t len);

/* Writes all len bytes at offset (pwrite, retrying on EINTR and short writes); 0 or -errno. */
int pwrite_all(int fd, const void *buf, size_t len, off_t offset);

/* Reserves the blocks of [offset, offset + len) of a regular file without changing its size, so
 * later writes there cannot fail for space. Returns 1 if reserved, 0 if the filesystem cannot
 * reserve (nothing done; len 0 too), -ENOSPC when the space (or a quota) is short, or -errno. */
int reserve_space(int fd, off_t offset, size_t len);

/* Reads exactly len bytes; -EPIPE if the peer closed first (0 bytes read: -ENODATA). */
int read_exact(int fd, void *buf, size_t len);

/* Writes a string to a file relative to dirfd (O_WRONLY, no O_CREAT unless create); 0 or -errno. */
int write_file_at(int dirfd, const char *path, const char *content, int create_mode);

/* Reads at most max-1 bytes of a file relative to dirfd into buf, NUL-terminated.
 * Returns the number of bytes read, -EFBIG when the file has more. */
ssize_t read_file_at(int dirfd, const char *path, char *buf, size_t max);

/* SPDX-License-Identifier: MIT */
/* File descriptor helpers: passing fds over Unix sockets, cloexec checks.
 * Byte I/O with bounds is io-util.h. */
#pragma once

#include <stddef.h>

/* Sends len bytes of data plus the fds in fds[0..n_fds) as one message; 0 or -errno. */
int fd_send(int sock, const void *data, size_t len, const int *fds, size_t n_fds);

/* Receives exactly len bytes and at most max_fds fds (born O_CLOEXEC) in one message.
 * A short message, or more fds than max_fds, is -EBADMSG (every received fd is closed).
 * Returns the number of fds received. */
int fd_recv(int sock, void *data, size_t len, int *ret_fds, size_t max_fds);

/* SPDX-License-Identifier: MIT */
/* Parent<->child handshake between clone and exec: fixed-size records over a SOCK_SEQPACKET
 * pair. The child waits for "go" (maps written, cgroup joined), then either execs (the socket
 * closes on exec: success) or sends one error record. spawn.c makes the child, sandbox.c drives. */
#pragma once

#include "error.h"

/* Creates the close-on-exec socket pair; [0] is the parent's end, [1] the child's. */
int sync_pair(int ret_fds[2]);

/* Parent: lets the child continue past its wait. */
int sync_send_go(int fd);

/* Child: blocks until the parent says go; -EPIPE when the parent went away. */
int sync_wait_go(int fd);

/* Child: sends its failure record (exact size, one message). */
int sync_report_error(int fd, const struct sbx_error *e);

/* Parent: waits for the child to exec (0, the socket closed) or report an error (the child's
 * sanitized record in *reterr, its code returned). */
int sync_wait_exec(int fd, struct sbx_error *reterr);

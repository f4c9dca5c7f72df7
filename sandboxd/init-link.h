/* SPDX-License-Identifier: MIT */
/* The sockets through which a restarted daemon reaches the sandbox-init of each session it takes
 * over: one listening SOCK_SEQPACKET socket per session sandbox, bound in <state_dir>/init
 * (0700, root only) and handed to sandbox-init, which accepts on it only while no daemon is
 * connected (runtime/init-control.h). */
#pragma once

#include "daemon.h"
#include "ids.h"

#define INIT_LINK_NAME_LEN ID_LEN /* "i-" + 16 hex digits (ids.h) */

/* Opens (creating) <state_dir>/init into d->init_dirfd. */
int init_link_setup(struct daemon *d, struct sbx_error *reterr);

/* A new listening socket under a fresh name (filled into name). */
int init_link_listen(struct daemon *d, char name[static INIT_LINK_NAME_LEN + 1], int *ret_fd);

/* Connects to a session's sandbox-init; the control channel, non-blocking. */
int init_link_connect(struct daemon *d, const char *name, int *ret_fd);

/* Removes the socket file (the session is gone). */
void init_link_remove(struct daemon *d, const char *name);

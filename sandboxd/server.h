/* SPDX-License-Identifier: MIT */
/* The listening socket: taken from systemd (sd_listen_fds) or bound at the configured path
 * (0660, group "sandboxd" when it exists); accepts, authenticates peers with SO_PEERCRED and
 * hands them to conn.c. */
#pragma once

#include "daemon.h"
#include "error.h"

struct server;

/* Starts listening and accepting on d's event loop. */
int server_new(struct daemon *d, struct server **ret, struct sbx_error *reterr);

/* Stops accepting and removes a socket file this process created. Accepts NULL. */
struct server *server_free(struct server *s);

/* Whether a peer may connect: root, the daemon's own uid, or a configured uid or gid. */
bool server_peer_allowed(const struct daemon_config *cfg, const struct ucred *peer, uid_t self);

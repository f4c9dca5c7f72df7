/* SPDX-License-Identifier: MIT */
/* A session's way out: for each granted skill with the network tool, an egress proxy
 * (tools/egress-proxy.h) that code in the session reaches on 127.0.0.1:SESSION_EGRESS_PORT_BASE
 * + the skill's number. sandbox-init listens there inside the sandbox and hands each
 * connection over (INIT_MSG_PROXY_CONN); the proxy decides it by that skill's allowlist and
 * records it in the session's history. The session's network namespace has only lo, so there
 * is no other way out, and Landlock lets a command connect to its own skill's port only. */
#pragma once

#include <stdint.h>

#include "error.h"

#define SESSION_EGRESS_PORT_BASE 3128

struct session;

/* Asks sandbox-init to listen for each granted network skill (at creation; again after a
 * takeover, which keeps the listeners already there). */
void session_egress_listen(struct session *s);

/* The proxy port of skill number skill (0 when the skill has no network). */
uint16_t session_egress_port(const struct session *s, int skill);

/* A connection sandbox-init accepted for proxy id (a skill number); takes the fd. */
void session_egress_connection(struct session *s, uint64_t id, int fd);

/* Points a command at the proxy on port the way programs look for one: HTTP(S)_PROXY,
 * ALL_PROXY (and lowercase) and NO_PROXY=localhost, replacing any of those in *envp (a
 * malloc'd NULL-terminated list of malloc'd strings, reallocated). */
int session_egress_env(char ***envp, uint16_t port);

/* Ends every proxy of the session. */
void session_egress_done(struct session *s);

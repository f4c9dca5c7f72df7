/* SPDX-License-Identifier: MIT */
/* One client connection: bounded input and output buffers, framing, backpressure. Requests are
 * decoded and answered by dispatch.c; accepting and authenticating is server.c. */
#pragma once

#include <stdbool.h>
#include <stdint.h>
#include <sys/socket.h>

#include "daemon.h"
#include "sandboxd.pb-c.h"

/* Output queued beyond this stops reading further requests until it drains; beyond the hard
 * cap the peer is not reading at all and is disconnected. */
#define CONN_OUTPUT_PAUSE(frame_max)	((size_t)(frame_max))
#define CONN_OUTPUT_HARD_MAX(frame_max) (2 * (size_t)(frame_max) + 2 * FRAME_HEADER_SIZE)

struct conn;

/* Takes over fd (non-blocking, close-on-exec) of an authenticated peer. */
int conn_new(struct daemon *d, int fd, const struct ucred *peer);

/* The peer's credentials (SO_PEERCRED at accept). */
const struct ucred *conn_peer(const struct conn *c);

/* Frames and queues one message; -EMSGSIZE if it does not fit a frame, -ENOBUFS when the peer
 * is so far behind that the connection is being closed. */
int conn_send(struct conn *c, const Sandboxd__V1__ServerMessage *m);

/* Queues a Response carrying Error{code, message} for request id. */
int conn_send_error(struct conn *c, uint64_t id, Sandboxd__V1__Code code, const char *message,
		    const char *rule);

/* Someone waiting on the connection (a call answered later): told once when it closes. */
struct conn_watch;
typedef void (*conn_closed_fn)(void *userdata);

/* Registers closed(userdata) to run when the connection goes away. */
struct conn_watch *conn_watch(struct conn *c, conn_closed_fn closed, void *userdata);

/* Removes a watch (the call was answered); accepts NULL. */
void conn_unwatch(struct conn *c, struct conn_watch *w);

/* Flushes what is queued, then closes (for fatal protocol errors). */
void conn_close_after_flush(struct conn *c);

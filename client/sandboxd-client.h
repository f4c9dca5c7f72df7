/* SPDX-License-Identifier: MIT */
/* libsandboxd-client: talks sandboxd.v1 to a sandboxd socket. Blocking, one connection per
 * struct sbx_client, safe to use from one thread at a time. Messages are the protobuf-c types
 * generated from proto/sandboxd.proto (sandboxd.pb-c.h). sandboxctl is built on it.
 *
 * Every function returns 0 (or a documented positive value) on success and a negative errno
 * on failure: -ECONNREFUSED/-ENOENT when no daemon listens, -EPROTO for a malformed answer,
 * -EMSGSIZE for a message over the frame limit. An answer carrying an Error is a success of
 * the call: look at response->body_case. */
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "sandboxd.pb-c.h"

#define SBX_CLIENT_SOCKET_DEFAULT "/run/sandboxd/sandboxd.sock"
#define SBX_CLIENT_SOCKET_ENV	  "SANDBOXD_SOCKET"
#define SBX_CLIENT_FRAME_MAX	  (16U << 20)

struct sbx_client;

/* Called for each Event of the call in progress; a negative return aborts the call with it. */
typedef int (*sbx_client_event_fn)(const Sandboxd__V1__Event *event, void *userdata);

/* Connects to path, or to $SANDBOXD_SOCKET, or to the default socket when path is NULL. */
int sbx_client_connect(const char *path, struct sbx_client **ret);

/* Closes the connection and frees the client. Accepts NULL. */
void sbx_client_free(struct sbx_client *c);

/* Sends req (its id is assigned when 0) and waits for the Response with that id, passing the
 * call's Events to on_event (may be NULL). Free *ret with sandboxd__v1__response__free_unpacked. */
int sbx_client_call(struct sbx_client *c, Sandboxd__V1__Request *req, sbx_client_event_fn on_event,
		    void *userdata, Sandboxd__V1__Response **ret);

/* Sends req (its id is assigned when 0) without waiting for the answer: for a streaming call
 * (WatchDir) that a second request (CancelRequest) of the same connection ends. Collect the
 * answers with sbx_client_recv(). */
int sbx_client_send(struct sbx_client *c, Sandboxd__V1__Request *req);

/* The connection's socket, to poll() for answers before sbx_client_recv(); still owned by c. */
int sbx_client_fd(const struct sbx_client *c);

/* Sends raw bytes as they are (tests and tools that speak the framing themselves). */
int sbx_client_send_raw(struct sbx_client *c, const void *data, size_t len);

/* Reads the next whole message from the daemon; free with
 * sandboxd__v1__server_message__free_unpacked. */
int sbx_client_recv(struct sbx_client *c, Sandboxd__V1__ServerMessage **ret);

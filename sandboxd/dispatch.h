/* SPDX-License-Identifier: MIT */
/* Request.body case -> {handler, flags}: the permission table (OpenSSH's mon_table). The walker
 * decodes the frame, checks the row's flags and calls the handler; handlers never repeat the
 * checks. One file per service group implements the handlers (rpc-*.c). */
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "conn.h"
#include "error.h"
#include "sandboxd.pb-c.h"

/* What a handler is given; it fills resp (body and its case) or returns -errno with *e set. */
struct rpc_call {
	struct daemon *daemon;
	struct conn *conn;
	const Sandboxd__V1__Request *req;
	struct rpc_alloc *allocs; /* freed once the answer is packed */
	char rule[256];		  /* a policy denial: the rule that decided (Error.rule) */
};

/* Zeroed memory that lives until the call's answer is packed (for the answer's messages);
 * NULL when out of memory. */
void *rpc_alloc(struct rpc_call *call, size_t size);

/* As rpc_alloc(), not zeroed: for a buffer the caller fills (a file chunk of megabytes). */
void *rpc_alloc_buffer(struct rpc_call *call, size_t size);

/* A copy of s in the call's memory. */
char *rpc_strdup(struct rpc_call *call, const char *s);

/* A handler's return for a call it answers later (through rpc_send_response()). */
#define RPC_ANSWER_LATER 1

/* Sends a Response (not an Error) for a call answered later. */
void rpc_send_response(struct conn *c, Sandboxd__V1__Response *resp);

/* Sends an Event{OutputChunk} of request_id: stream 1 is stdout, 2 stderr; offset of data[0]. */
void rpc_send_output(struct conn *c, uint64_t request_id, int stream, const char *data, size_t len,
		     uint64_t offset);

/* Sends an Event (request_id and body set by the caller). */
void rpc_send_event(struct conn *c, Sandboxd__V1__Event *ev);

/* Decodes one frame's payload and answers it: a Response (or Error) for a request, an Error
 * with id 0 for a payload that is not a Request. Never fails the connection by itself. */
void dispatch_frame(struct conn *c, struct daemon *d, const uint8_t *payload, size_t len);

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
};

/* Decodes one frame's payload and answers it: a Response (or Error) for a request, an Error
 * with id 0 for a payload that is not a Request. Never fails the connection by itself. */
void dispatch_frame(struct conn *c, struct daemon *d, const uint8_t *payload, size_t len);

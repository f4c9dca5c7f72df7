/* SPDX-License-Identifier: MIT */
/* WatchDir: file events under a path of a session, streamed as Event{FileEvent} until the
 * client cancels (CancelRequest), the watch's own limits end it, the connection goes or the
 * session does; a WatchEnd answer says which. Events the policy would not list are left out. */
#pragma once

#include "dispatch.h"

#define RPC_WATCHES_MAX 16 /* at once per session */

struct session;

int rpc_watch_dir(struct rpc_call *call, Sandboxd__V1__Response *resp, struct sbx_error *e);
int rpc_cancel(struct rpc_call *call, Sandboxd__V1__Response *resp, struct sbx_error *e);

/* Ends every watch of a session (it is going away). */
void rpc_watch_end_all(struct session *s);

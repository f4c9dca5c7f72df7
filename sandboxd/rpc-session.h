/* SPDX-License-Identifier: MIT */
/* Sessions on the wire: CreateSession, GetSession, ListSessions, ExtendSession,
 * DestroySession. */
#pragma once

#include "dispatch.h"

int rpc_create_session(struct rpc_call *call, Sandboxd__V1__Response *resp, struct sbx_error *e);
int rpc_get_session(struct rpc_call *call, Sandboxd__V1__Response *resp, struct sbx_error *e);
int rpc_list_sessions(struct rpc_call *call, Sandboxd__V1__Response *resp, struct sbx_error *e);
int rpc_extend_session(struct rpc_call *call, Sandboxd__V1__Response *resp, struct sbx_error *e);
int rpc_destroy_session(struct rpc_call *call, Sandboxd__V1__Response *resp, struct sbx_error *e);

int rpc_pause_session(struct rpc_call *call, Sandboxd__V1__Response *resp, struct sbx_error *e);
int rpc_resume_session(struct rpc_call *call, Sandboxd__V1__Response *resp, struct sbx_error *e);

/* GetHistory: the session's tool calls with their decisions. */
int rpc_get_history(struct rpc_call *call, Sandboxd__V1__Response *resp, struct sbx_error *e);

/* The session named by id if the caller may see it; NOT_FOUND with a sentence otherwise. */
struct session *rpc_find_session(struct rpc_call *call, const char *id, struct sbx_error *e);

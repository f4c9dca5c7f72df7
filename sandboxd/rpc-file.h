/* SPDX-License-Identifier: MIT */
/* File calls on the wire: ReadFile, WriteFile (chunked uploads included), ListDir, Stat,
 * Remove, Mkdir, Move, WatchDir and Cancel. Each is decided by the session's policy on the
 * normalised path and done by tools/files.h inside the session's root. */
#pragma once

#include "dispatch.h"

#define RPC_FILE_CHUNK_MAX     (4U << 20) /* bytes of one ReadFile answer or WriteFile request */
#define RPC_LIST_LIMIT_DEFAULT 10000
#define RPC_LIST_LIMIT_MAX     100000
#define RPC_LIST_DEPTH_MAX     16

int rpc_read_file(struct rpc_call *call, Sandboxd__V1__Response *resp, struct sbx_error *e);
int rpc_write_file(struct rpc_call *call, Sandboxd__V1__Response *resp, struct sbx_error *e);
int rpc_list_dir(struct rpc_call *call, Sandboxd__V1__Response *resp, struct sbx_error *e);
int rpc_stat(struct rpc_call *call, Sandboxd__V1__Response *resp, struct sbx_error *e);
int rpc_remove(struct rpc_call *call, Sandboxd__V1__Response *resp, struct sbx_error *e);
int rpc_mkdir(struct rpc_call *call, Sandboxd__V1__Response *resp, struct sbx_error *e);
int rpc_move(struct rpc_call *call, Sandboxd__V1__Response *resp, struct sbx_error *e);

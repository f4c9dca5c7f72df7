/* SPDX-License-Identifier: MIT */
/* Exec on the wire: synchronous (answered when the command ends) and streamed (OutputChunk
 * events while it runs). */
#pragma once

#include "dispatch.h"

int rpc_exec(struct rpc_call *call, Sandboxd__V1__Response *resp, struct sbx_error *e);

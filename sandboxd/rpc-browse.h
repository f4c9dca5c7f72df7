/* SPDX-License-Identifier: MIT */
/* Browse: a page fetched and turned into text by sandbox-browse INSIDE the session (untrusted
 * HTML is never parsed by the daemon), through the skill's egress proxy, which decides every
 * request and redirect. The daemon decides the call, runs the program as an exec of the
 * session, and reads back its bounded JSON answer. */
#pragma once

#include "dispatch.h"

#define RPC_BROWSE_MAX_BYTES_DEFAULT  (2U << 20)
#define RPC_BROWSE_TIMEOUT_MS_DEFAULT 30000ULL
#define RPC_BROWSE_REDIRECTS_MAX      5

int rpc_browse(struct rpc_call *call, Sandboxd__V1__Response *resp, struct sbx_error *e);

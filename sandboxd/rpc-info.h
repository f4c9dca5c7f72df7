/* SPDX-License-Identifier: MIT */
/* Introspection: Health and Version. */
#pragma once

#include "dispatch.h"

int rpc_health(struct rpc_call *call, Sandboxd__V1__Response *resp, struct sbx_error *e);
int rpc_version(struct rpc_call *call, Sandboxd__V1__Response *resp, struct sbx_error *e);

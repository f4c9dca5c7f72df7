/* SPDX-License-Identifier: MIT */
/* The warm pool: sandboxes of the host image prepared ahead, in session mode and without
 * limits, so creating a session takes one and only sets its limits. Refilled one sandbox at a
 * time when the event loop is otherwise idle. Sessions are session.c. */
#pragma once

#include "daemon.h"
#include "init-link.h"
#include "session-params.h"

#define POOL_SIZE_MAX 64

struct pool;

/* Starts a pool of size sandboxes (0: an empty pool that never fills). */
int pool_new(struct daemon *d, unsigned size, struct pool **ret);

/* Destroys every prepared sandbox; accepts NULL. */
struct pool *pool_free(struct pool *p);

/* Takes a prepared sandbox fit for p (the host image, the pool's workspace size): 0 with the
 * sandbox, its control fd and the name of its init socket, -ENOENT when none fits or none is
 * ready. A prepared sandbox has no deadline: until a session takes it, it ends with us. */
int pool_take(struct pool *p, const struct session_params *params, struct sandbox **ret_sb,
	      int *ret_ctl, char init_socket[static INIT_LINK_NAME_LEN + 1]);

/* Sandboxes ready now. */
unsigned pool_ready(const struct pool *p);

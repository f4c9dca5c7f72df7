/* SPDX-License-Identifier: MIT */
/* sandbox-init's session mode (init-session.c). */
#pragma once

#include <signal.h>

/* Serves the control channel ctl until it closes; returns sandbox-init's exit status. Signals
 * are blocked by the caller; old_mask is what commands start with. */
int init_session_run(int ctl, const sigset_t *old_mask);

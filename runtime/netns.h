/* SPDX-License-Identifier: MIT */
/* Network inside a fresh netns: only lo, brought up with libnl. The netns itself is created by
 * clone in spawn.c; egress belongs to the daemon's proxy, not here. */
#pragma once

/* Brings up lo in the caller's network namespace; 0 or -errno. */
int netns_setup_child(void);

/* SPDX-License-Identifier: MIT */
/* Capabilities: every set emptied (bounding, ambient, inheritable, permitted, effective), root's
 * special treatment on exec locked off with securebits, and no_new_privs. Child side only. */
#pragma once

/* Drops every capability of the calling process for good and sets no_new_privs. */
int caps_drop_all(void);

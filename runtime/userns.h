/* SPDX-License-Identifier: MIT */
/* The user namespace's maps: root inside is the first host uid/gid of the sandbox's range
 * (uid-range.c), setgroups is denied. The namespace itself is created by clone (spawn.c). */
#pragma once

#include <sys/types.h>

#include "error.h"

/* Parent: writes uid_map, setgroups "deny" and gid_map of pid: 0..65535 -> host_base.. */
int userns_setup_parent(pid_t pid, uid_t host_base, struct sbx_error *reterr);

/* Child: becomes uid/gid 0 of its namespace in every id (real, effective, saved). */
int userns_setup_child(void);

/* SPDX-License-Identifier: MIT */
/* The sandbox's root filesystem: the built-in "host" image (read-only binds of the host's system
 * directories and a few /etc files, generated passwd/group/hosts) or a directory image under a
 * per-sandbox overlay; then /proc, /dev, /workspace, /tmp, extra binds, pivot_root and the old
 * root detached. Mount primitives are mounts.c; /dev is dev.c. */
#pragma once

#include "error.h"
#include "mounts.h"
#include "spec.h"

#define ROOTFS_STAGING "/tmp" /* where the new root is assembled, in the child's mount ns only */
#define ROOTFS_ROOT_SIZE (4ULL << 20)
#define ROOTFS_SHM_SIZE (64ULL << 20)
#define ROOTFS_OVERLAY_SIZE_DEFAULT (1ULL << 30)

/* Child: builds the root and pivots into it. image_dir is NULL for the host image, else the
 * lower directory of the overlay; workspace is the captured (idmapped) host workspace, or NULL
 * for a tmpfs. On return the cwd is "/" of the new root. */
int rootfs_setup_child(const struct sandbox_spec *spec, const char *image_dir,
		       struct mount_tree *workspace, struct sbx_error *reterr);

/* SPDX-License-Identifier: MIT */
/* The sandbox's root filesystem: the built-in "host" image (read-only binds of the host's system
 * directories and a few /etc files, generated passwd/group/hosts) or a directory image under a
 * per-sandbox overlay; then /proc, /dev, /workspace, /tmp, extra binds, pivot_root and the old
 * root detached. Mount primitives are mounts.c; /dev is dev.c. */
#pragma once

#include "error.h"
#include "mounts.h"
#include "spec.h"

#define ROOTFS_STAGING		    "/tmp" /* where the new root is assembled, in the child's mount ns only */
#define ROOTFS_ROOT_SIZE	    (4ULL << 20)
#define ROOTFS_SHM_SIZE		    (64ULL << 20)
#define ROOTFS_OVERLAY_SIZE_DEFAULT (1ULL << 30)

/* The caller's host trees: captured by the parent before clone, idmapped through the sandbox's
 * user namespace once its maps exist (so host root's files are root's inside and what the
 * sandbox writes lands owned by their host owner), attached by the child. */
struct rootfs_trees {
	struct mount_tree image;     /* lower layer of a directory image; fd < 0 for "host" */
	struct mount_tree workspace; /* host workspace; fd < 0 for a tmpfs */
	struct mount_tree binds[SANDBOX_BINDS_MAX];
	size_t n_binds;
};

#define ROOTFS_TREES_INIT                                                                          \
	{                                                                                          \
		.image = {.fd = -EBADF}, .workspace = {.fd = -EBADF }                              \
	}

/* Closes every captured tree; safe on a partly filled or already closed set. */
void rootfs_trees_done(struct rootfs_trees *t);

/* Parent, before clone: captures the image (image_dir NULL for "host"), workspace and binds. */
int rootfs_capture_parent(const struct sandbox_spec *spec, const char *image_dir,
			  struct rootfs_trees *t, struct sbx_error *reterr);

/* Parent, after the maps are written: idmaps the captured trees through userns_fd. Writable
 * trees (workspace, --bind) must support it; read-only ones stay plain where the filesystem
 * cannot be idmapped. */
int rootfs_idmap_parent(const struct sandbox_spec *spec, struct rootfs_trees *t, int userns_fd,
			struct sbx_error *reterr);

/* Child, right after clone and before it changes uid (the creator's uid still owns what it
 * could open): opens O_PATH captures again in the child's own mount namespace, for kernels
 * without open_tree(). Does nothing where the trees are detached mounts. */
int rootfs_reopen_child(struct rootfs_trees *t, struct sbx_error *reterr);

/* Child: builds the root from the host image or the image overlay, the trees and fresh kernel
 * filesystems, and pivots into it. On return the cwd is "/" of the new root. */
int rootfs_setup_child(const struct sandbox_spec *spec, struct rootfs_trees *t,
		       struct sbx_error *reterr);

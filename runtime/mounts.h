/* SPDX-License-Identifier: MIT */
/* Mount primitives used to build a sandbox's root: detached bind trees made read-only before they
 * are attached (new mount API, classic mount(2) where it is missing), tmpfs, procfs with its
 * masked and read-only paths. What goes where is rootfs.c and dev.c. */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#define MOUNTS_RO     (1U << 0)
#define MOUNTS_NOSUID (1U << 1)
#define MOUNTS_NODEV  (1U << 2)
#define MOUNTS_NOEXEC (1U << 3)

/* A bind source captured while the host's view is still visible. */
struct mount_tree {
	int fd;		  /* open_tree() clone, or O_PATH fd for the classic fallback */
	bool detached;	  /* fd is a detached mount (new API) */
	const char *path; /* what was captured (borrowed), for the fallback's reopen */
};

/* Makes every mount of the caller's (new) mount namespace private, so nothing propagates back
 * to the host. */
int mounts_make_private(void);

/* Captures path (recursively) for a later bind. */
int mounts_open_tree(const char *path, struct mount_tree *ret);

/* Child, in its new mount namespace, before anything is mounted over the host's view: the
 * classic fallback cannot bind from a mount of another namespace, so an O_PATH capture is
 * opened again here. Detached trees are left as they are. */
int mounts_tree_reopen(struct mount_tree *t);

/* Closes a captured tree. */
void mounts_tree_done(struct mount_tree *t);

/* Sets an idmapping (MOUNT_ATTR_IDMAP from userns_fd) on a detached tree; parent side. */
int mounts_tree_idmap(struct mount_tree *t, int userns_fd);

/* Attaches a captured tree at target (which must exist) with the MOUNTS_* flags. */
int mounts_attach(struct mount_tree *t, const char *target, unsigned flags);

/* Binds path at target directly (one call; for device nodes and other single files). */
int mounts_bind_path(const char *path, const char *target, unsigned flags);

/* Mounts a tmpfs with the given size (0 = kernel default), mode and MOUNTS_* flags. */
int mounts_tmpfs(const char *target, uint64_t size, unsigned mode, unsigned flags);

/* Makes an existing mount point read-only (keeping nosuid/nodev/noexec as given). */
int mounts_remount_ro(const char *target, unsigned flags);

/* Mounts a fresh procfs at target and applies the masked and read-only path lists. */
int mounts_proc(const char *target);

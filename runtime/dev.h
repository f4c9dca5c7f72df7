/* SPDX-License-Identifier: MIT */
/* The sandbox's minimal /dev: a small tmpfs holding binds of the host's harmless character
 * devices, a private devpts instance, /dev/shm and the usual symlinks. Part of rootfs.c's build. */
#pragma once

#include <stdint.h>

/* Builds /dev under dev_path (an existing directory in the new root), while the host's /dev is
 * still visible; shm_size bounds /dev/shm. */
int dev_setup_child(const char *dev_path, uint64_t shm_size);

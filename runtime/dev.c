/* SPDX-License-Identifier: MIT */
/* Device nodes cannot be created in a user namespace, so the harmless ones are bound from the
 * host one by one; nothing else of the host's /dev (disks, kmsg, mem) exists inside. */
#include <fcntl.h>
#include <stdio.h>
#include <sys/mount.h>
#include <sys/stat.h>

#include "dev.h"
#include "macro.h"
#include "mounts.h"

static const char *const dev_nodes[] = {
	"null", "zero", "full", "random", "urandom", "tty",
};

static const struct {
	const char *name;
	const char *target;
} dev_links[] = {
	{"ptmx", "pts/ptmx"},	       {"fd", "/proc/self/fd"},	      {"stdin", "/proc/self/fd/0"},
	{"stdout", "/proc/self/fd/1"}, {"stderr", "/proc/self/fd/2"},
};

int dev_setup_child(const char *dev_path, uint64_t shm_size)
{
	char path[256], src[64];
	int r;

	r = mounts_tmpfs(dev_path, 64 * 1024, 0755, MOUNTS_NOSUID | MOUNTS_NOEXEC);
	if (r < 0)
		return r;

	for (size_t i = 0; i < ELEMENTSOF(dev_nodes); i++) {
		int fd;

		snprintf(path, sizeof(path), "%s/%s", dev_path, dev_nodes[i]);
		snprintf(src, sizeof(src), "/dev/%s", dev_nodes[i]);
		fd = open(path, O_CREAT | O_EXCL | O_WRONLY | O_CLOEXEC, 0666);
		if (fd < 0)
			return negative_errno();
		safe_close(fd);
		r = mounts_bind_path(src, path, 0);
		if (r < 0)
			return r;
	}

	for (size_t i = 0; i < ELEMENTSOF(dev_links); i++) {
		snprintf(path, sizeof(path), "%s/%s", dev_path, dev_links[i].name);
		if (symlink(dev_links[i].target, path) < 0)
			return negative_errno();
	}

	snprintf(path, sizeof(path), "%s/pts", dev_path);
	if (mkdir(path, 0755) < 0)
		return negative_errno();
	/* A private instance: the sandbox sees only its own ptys, never the host's. */
	if (mount("devpts", path, "devpts", MS_NOSUID | MS_NOEXEC,
		  "newinstance,ptmxmode=0666,mode=0620") < 0)
		return negative_errno();

	snprintf(path, sizeof(path), "%s/shm", dev_path);
	if (mkdir(path, 01777) < 0)
		return negative_errno();
	r = mounts_tmpfs(path, shm_size, 01777, MOUNTS_NOSUID | MOUNTS_NODEV);
	if (r < 0)
		return r;

	return mounts_remount_ro(dev_path, MOUNTS_NOSUID | MOUNTS_NOEXEC);
}

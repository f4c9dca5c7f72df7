/* SPDX-License-Identifier: MIT */
/* The new mount API (open_tree, mount_setattr, move_mount; Linux 5.2/5.12) sets read-only on a
 * detached copy before anyone can see it writable; mount(2) is the fallback for older kernels. */
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/syscall.h>

#include "macro.h"
#include "mounts.h"

/* OCI's defaults: kernel memory, key and timing side channels, hardware and firmware knobs. */
static const char *const proc_masked[] = {
	"acpi",	      "asound",	     "kcore",	    "keys", "latency_stats",
	"timer_list", "timer_stats", "sched_debug", "scsi", "sysrq-trigger",
};

/* Writable system-wide knobs; most refuse a non-initial user namespace anyway, but read-only
 * removes the question. */
static const char *const proc_readonly[] = {
	"bus",
	"fs",
	"irq",
	"sys",
};

static uint64_t attr_from_flags(unsigned flags)
{
	uint64_t a = 0;

	if (flags & MOUNTS_RO)
		a |= MOUNT_ATTR_RDONLY;
	if (flags & MOUNTS_NOSUID)
		a |= MOUNT_ATTR_NOSUID;
	if (flags & MOUNTS_NODEV)
		a |= MOUNT_ATTR_NODEV;
	if (flags & MOUNTS_NOEXEC)
		a |= MOUNT_ATTR_NOEXEC;
	return a;
}

static unsigned long msflags_from_flags(unsigned flags)
{
	unsigned long f = 0;

	if (flags & MOUNTS_RO)
		f |= MS_RDONLY;
	if (flags & MOUNTS_NOSUID)
		f |= MS_NOSUID;
	if (flags & MOUNTS_NODEV)
		f |= MS_NODEV;
	if (flags & MOUNTS_NOEXEC)
		f |= MS_NOEXEC;
	return f;
}

int mounts_make_private(void)
{
	if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0)
		return negative_errno();
	return 0;
}

int mounts_open_tree(const char *path, struct mount_tree *ret)
{
	int fd;

	fd = open_tree(AT_FDCWD, path, OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_RECURSIVE);
	if (fd >= 0) {
		*ret = (struct mount_tree){.fd = fd, .detached = true, .path = path};
		return 0;
	}
	if (errno != ENOSYS)
		return negative_errno();
	/* Before 5.2: keep an O_PATH fd and bind it later through /proc/self/fd. */
	fd = open(path, O_PATH | O_CLOEXEC);
	if (fd < 0)
		return negative_errno();
	*ret = (struct mount_tree){.fd = fd, .detached = false, .path = path};
	return 0;
}

int mounts_tree_reopen(struct mount_tree *t)
{
	int fd;

	if (t->fd < 0 || t->detached)
		return 0;
	fd = open(t->path, O_PATH | O_CLOEXEC);
	if (fd < 0)
		return negative_errno();
	safe_close(t->fd);
	t->fd = fd;
	return 0;
}

void mounts_tree_done(struct mount_tree *t)
{
	t->fd = safe_close(t->fd);
}

int mounts_tree_idmap(struct mount_tree *t, int userns_fd)
{
	struct mount_attr attr = {
		.attr_set = MOUNT_ATTR_IDMAP,
		.userns_fd = (uint64_t)userns_fd,
	};

	if (!t->detached)
		return -EOPNOTSUPP;
	if (mount_setattr(t->fd, "", AT_EMPTY_PATH | AT_RECURSIVE, &attr, sizeof(attr)) < 0)
		return negative_errno();
	return 0;
}

/* Remounts target with flags added to whatever its mount already carries: a bind of a host mount
 * keeps the host's locked flags, and mount(2) refuses to drop them. */
static int remount_bind_classic(const char *target, unsigned flags)
{
	struct statvfs sv;
	unsigned long f = MS_REMOUNT | MS_BIND | msflags_from_flags(flags);

	if (statvfs(target, &sv) < 0)
		return negative_errno();
	if (sv.f_flag & ST_NOSUID)
		f |= MS_NOSUID;
	if (sv.f_flag & ST_NODEV)
		f |= MS_NODEV;
	if (sv.f_flag & ST_NOEXEC)
		f |= MS_NOEXEC;
	if (sv.f_flag & ST_NOATIME)
		f |= MS_NOATIME;
	if (sv.f_flag & ST_NODIRATIME)
		f |= MS_NODIRATIME;
	if (sv.f_flag & ST_RELATIME)
		f |= MS_RELATIME;
	if (sv.f_flag & ST_RDONLY)
		f |= MS_RDONLY;
	if (mount(NULL, target, NULL, f, NULL) < 0)
		return negative_errno();
	return 0;
}

int mounts_attach(struct mount_tree *t, const char *target, unsigned flags)
{
	char path[64];
	int r;

	if (t->detached) {
		struct mount_attr attr = {.attr_set = attr_from_flags(flags)};

		if (attr.attr_set != 0 && mount_setattr(t->fd, "", AT_EMPTY_PATH | AT_RECURSIVE,
							&attr, sizeof(attr)) < 0) {
			if (errno != ENOSYS)
				return negative_errno();
			/* 5.2 to 5.11: attach first, then remount the classic way. */
			if (move_mount(t->fd, "", AT_FDCWD, target, MOVE_MOUNT_F_EMPTY_PATH) < 0)
				return negative_errno();
			return remount_bind_classic(target, flags);
		}
		if (move_mount(t->fd, "", AT_FDCWD, target, MOVE_MOUNT_F_EMPTY_PATH) < 0)
			return negative_errno();
		return 0;
	}

	snprintf(path, sizeof(path), "/proc/self/fd/%d", t->fd);
	if (mount(path, target, NULL, MS_BIND | MS_REC, NULL) < 0)
		return negative_errno();
	if (flags == 0)
		return 0;
	r = remount_bind_classic(target, flags);
	return r;
}

int mounts_bind_path(const char *path, const char *target, unsigned flags)
{
	if (mount(path, target, NULL, MS_BIND, NULL) < 0)
		return negative_errno();
	if (flags == 0)
		return 0;
	return remount_bind_classic(target, flags);
}

int mounts_tmpfs(const char *target, uint64_t size, unsigned mode, unsigned flags)
{
	char opts[64];

	if (size > 0)
		snprintf(opts, sizeof(opts), "mode=%04o,size=%llu", mode, (unsigned long long)size);
	else
		snprintf(opts, sizeof(opts), "mode=%04o", mode);
	if (mount("tmpfs", target, "tmpfs", msflags_from_flags(flags), opts) < 0)
		return negative_errno();
	return 0;
}

int mounts_remount_ro(const char *target, unsigned flags)
{
	return remount_bind_classic(target, flags | MOUNTS_RO);
}

int mounts_proc(const char *target)
{
	char path[256];
	int r;

	if (mount("proc", target, "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL) < 0)
		return negative_errno();

	/* No stat first: a bind onto a missing entry is ENOENT (this kernel lacks it, nothing to
	 * mask) and onto a directory ENOTDIR (mask it with an empty read-only tmpfs instead). */
	for (size_t i = 0; i < ELEMENTSOF(proc_masked); i++) {
		snprintf(path, sizeof(path), "%s/%s", target, proc_masked[i]);
		r = mounts_bind_path("/dev/null", path, 0);
		if (r == -ENOTDIR)
			r = mounts_tmpfs(path, 4096, 0555,
					 MOUNTS_RO | MOUNTS_NOSUID | MOUNTS_NODEV | MOUNTS_NOEXEC);
		if (r == -ENOENT)
			continue;
		if (r < 0)
			return r;
	}
	/* Our own procfs carries no locked flags, so the remount can name them outright. */
	for (size_t i = 0; i < ELEMENTSOF(proc_readonly); i++) {
		snprintf(path, sizeof(path), "%s/%s", target, proc_readonly[i]);
		if (mount(path, path, NULL, MS_BIND | MS_REC, NULL) < 0) {
			if (errno == ENOENT)
				continue;
			return negative_errno();
		}
		if (mount(NULL, path, NULL,
			  MS_REMOUNT | MS_BIND | MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC,
			  NULL) < 0)
			return negative_errno();
	}
	return 0;
}

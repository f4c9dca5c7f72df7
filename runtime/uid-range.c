/* SPDX-License-Identifier: MIT */
/* Host uid ranges, one per sandbox: pool arithmetic and the per-slot lock files that make a
 * range exclusive across every process on the host. Writing the maps is userns.c; which session
 * holds which range is daemon state (sandboxd/uid-ranges.c). */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "uid-range.h"

/* Host ids below this are the system's own (root, daemons, nobody = 65534, 65535 = the 16-bit
 * (uid_t)-1); a pool starting here can never map a sandbox onto one of them. */
#define UID_RANGE_BASE_MIN 65536U
/* The last id a slot may cover: 0xFFFFFFFF is (uid_t)-1, "no change" to setresuid() and
 * chown(), so an id that maps to it could not be told apart from the sentinel. */
#define UID_RANGE_LAST_MAX 0xFFFFFFFEU

int uid_range_pool_validate(const struct uid_range_pool *pool)
{
	uint32_t span, last;

	if (!pool || !pool->lock_dir || pool->lock_dir[0] != '/' || pool->count == 0)
		return -EINVAL;
	if (pool->base < UID_RANGE_BASE_MIN)
		return -ERANGE;
	/* last = base + count * UID_RANGE_SIZE - 1, refused if any step leaves 32 bits: a wrapped
	 * pool would hand a sandbox host uid 0. */
	if (__builtin_mul_overflow(pool->count, UID_RANGE_SIZE, &span) ||
	    __builtin_add_overflow(pool->base, span - 1, &last) || last > UID_RANGE_LAST_MAX)
		return -ERANGE;
	return 0;
}

int uid_range_slot_base(const struct uid_range_pool *pool, uint32_t slot, uid_t *ret)
{
	uint32_t off, base;
	int r;

	/* Re-checked here, pure arithmetic: a caller that skipped validation still never gets a
	 * base of 0 or one that wraps. */
	r = uid_range_pool_validate(pool);
	if (r < 0)
		return r;
	if (slot >= pool->count)
		return -ERANGE;
	if (__builtin_mul_overflow(slot, UID_RANGE_SIZE, &off) ||
	    __builtin_add_overflow(pool->base, off, &base))
		return -ERANGE;
	*ret = (uid_t)base;
	return 0;
}

/* mkdir -p with mode 0700 for every component it creates; existing components are kept as
 * they are. */
static int uid_range_mkdir_p(const char *path)
{
	char buf[PATH_MAX];
	size_t len = strlen(path);

	if (len >= sizeof(buf))
		return -ENAMETOOLONG;
	memcpy(buf, path, len + 1);

	for (char *p = buf + 1;; p++) {
		char c = *p;

		if (c != '/' && c != '\0')
			continue;
		*p = '\0';
		if (mkdir(buf, 0700) < 0 && errno != EEXIST)
			return -errno;
		if (c == '\0')
			return 0;
		*p = c;
	}
}

/* Opens and locks one slot file: the fd on success, -EWOULDBLOCK when another holder has it. */
static int uid_range_try_slot(const char *path)
{
	_cleanup_close_ int fd = -EBADF;

	/* O_NOFOLLOW: a symlink planted at a slot path must not make us create or lock a file
	 * elsewhere. */
	fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (fd < 0)
		return -errno;

	/* flock() rather than an OFD fcntl() lock: both belong to the open file description, so
	 * either is dropped when the holder's last fd closes, crash included, and neither is lost
	 * when some unrelated fd of the same file is closed (the trap of classic POSIX locks).
	 * flock() is one whole-file call with no struct to fill, and it is what flock(1) and
	 * lslocks(8) speak, so an operator can inspect or pin a slot from a shell. Every user of
	 * the lock dir must use the same kind: Linux does not make the two conflict. */
	if (flock(fd, LOCK_EX | LOCK_NB) < 0)
		return -errno;
	return TAKE_FD(fd);
}

int uid_range_acquire(const struct uid_range_pool *pool, struct uid_range *ret,
		      struct sbx_error *reterr)
{
	char path[PATH_MAX];
	bool dir_made = false;
	uint32_t start;
	int r;

	r = uid_range_pool_validate(pool);
	if (r < 0)
		return sbx_fail(reterr, r,
				"check uid range pool (base %" PRIu32 ", %" PRIu32 " slots)",
				pool ? pool->base : 0, pool ? pool->count : 0);

	/* Different processes (sbx-run instances, the daemon) start at different slots so they
	 * do not all queue on slot 0. */
	start = (uint32_t)getpid() % pool->count;

	for (uint32_t i = 0; i < pool->count; i++) {
		uint32_t slot = (start + i) % pool->count;
		uid_t host_base;
		int n, fd;

		n = snprintf(path, sizeof(path), "%s/%" PRIu32, pool->lock_dir, slot);
		if (n < 0 || (size_t)n >= sizeof(path))
			return sbx_fail(reterr, -ENAMETOOLONG, "lock uid range in '%s'",
					pool->lock_dir);

		fd = uid_range_try_slot(path);
		if (fd == -ENOENT && !dir_made) {
			/* Only the first acquisition on a host (or after /run was emptied) pays
			 * for the mkdir walk; every other one goes straight to open(). */
			r = uid_range_mkdir_p(pool->lock_dir);
			if (r < 0)
				return sbx_fail(reterr, r, "create uid range lock directory '%s'",
						pool->lock_dir);
			dir_made = true;
			fd = uid_range_try_slot(path);
		}
		if (fd == -EWOULDBLOCK)
			continue;
		if (fd < 0)
			return sbx_fail(reterr, fd, "lock uid range file '%s'", path);

		r = uid_range_slot_base(pool, slot, &host_base);
		if (r < 0) {
			safe_close(fd);
			return sbx_fail(reterr, r, "compute base of uid range %" PRIu32, slot);
		}

		/* The lock file is never unlinked, not even here on release: unlink + re-create
		 * would let a second process lock a new inode under the same name while the
		 * first still holds the old one, and both would use the same range. */
		*ret = (struct uid_range){
			.slot = slot,
			.host_base = host_base,
			.lock_fd = fd,
		};
		return 0;
	}

	return sbx_fail(reterr, -EBUSY, "all %" PRIu32 " uid ranges are in use", pool->count);
}

int uid_range_acquire_slot(const struct uid_range_pool *pool, uint32_t slot, struct uid_range *ret)
{
	char path[PATH_MAX];
	uid_t host_base;
	int r, fd, n;

	r = uid_range_slot_base(pool, slot, &host_base);
	if (r < 0)
		return r;
	n = snprintf(path, sizeof(path), "%s/%" PRIu32, pool->lock_dir, slot);
	if (n < 0 || (size_t)n >= sizeof(path))
		return -ENAMETOOLONG;
	fd = uid_range_try_slot(path);
	if (fd < 0)
		return fd;
	*ret = (struct uid_range){.slot = slot, .host_base = host_base, .lock_fd = fd};
	return 0;
}

void uid_range_release(struct uid_range *r)
{
	if (!r)
		return;
	r->lock_fd = safe_close(r->lock_fd);
}

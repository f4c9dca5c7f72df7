/* SPDX-License-Identifier: MIT */
/* Per-sandbox ranges of unprivileged host uids/gids. A range is held by an exclusive lock on
 * <lock_dir>/<slot>, so sandboxes started by different processes (sbx-run, sandboxd) never share
 * one, and a crashed holder releases it. The maps themselves are written by userns.c. */
#pragma once

#include <stdint.h>
#include <sys/types.h>

#include "error.h"

#define UID_RANGE_SIZE		   65536U
#define UID_RANGE_BASE_DEFAULT	   (1U << 30) /* far above /etc/subuid's customary 100000 + n*65536 */
#define UID_RANGE_COUNT_DEFAULT	   1024U
#define UID_RANGE_LOCK_DIR_DEFAULT "/run/sandboxd/uid-ranges"

struct uid_range_pool {
	const char *lock_dir;
	uint32_t base;	/* first host uid of slot 0 */
	uint32_t count; /* number of slots */
};

struct uid_range {
	uint32_t slot;
	uid_t host_base; /* host uid (and gid) that root inside maps to */
	int lock_fd;	 /* held while the range is in use */
};

/* Checks a pool: base above the host's system ids (>= 65536), the whole pool below 2^32-1 so no
 * slot ever maps to root, the overflow ids or (uid_t)-1. */
int uid_range_pool_validate(const struct uid_range_pool *pool);

/* The host base of a slot; -ERANGE when out of the pool. */
int uid_range_slot_base(const struct uid_range_pool *pool, uint32_t slot, uid_t *ret);

/* Locks a free slot (starting at a per-process offset to spread contention); -EBUSY when all
 * slots are in use. */
int uid_range_acquire(const struct uid_range_pool *pool, struct uid_range *ret,
		      struct sbx_error *reterr);

/* Locks one given slot; -EWOULDBLOCK when another holder has it. Used to recognise the leftovers
 * of a holder that died (its slot is free again, its cgroup may still exist). */
int uid_range_acquire_slot(const struct uid_range_pool *pool, uint32_t slot, struct uid_range *ret);

/* Unlocks the slot; accepts a range that was never acquired (lock_fd < 0). */
void uid_range_release(struct uid_range *r);

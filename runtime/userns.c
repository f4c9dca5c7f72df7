/* SPDX-License-Identifier: MIT */
/* uid_map/gid_map writing and the child's switch to root of its namespace. setgroups is denied
 * first so the sandbox can never drop supplementary groups to escape a group-based deny. */
#include <fcntl.h>
#include <stdio.h>

#include "io-util.h"
#include "macro.h"
#include "uid-range.h"
#include "userns.h"

int userns_setup_parent(pid_t pid, uid_t host_base, struct sbx_error *reterr)
{
	_cleanup_close_ int dirfd = -EBADF;
	char path[64], map[64];
	int r;

	snprintf(path, sizeof(path), "/proc/%d", (int)pid);
	dirfd = open(path, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (dirfd < 0)
		return sbx_fail(reterr, negative_errno(), "open %s", path);

	snprintf(map, sizeof(map), "0 %u %u\n", (unsigned)host_base, UID_RANGE_SIZE);
	r = write_file_at(dirfd, "uid_map", map, 0);
	if (r < 0)
		return sbx_fail(reterr, r, "write uid map '0 %u %u'", (unsigned)host_base,
				UID_RANGE_SIZE);
	r = write_file_at(dirfd, "setgroups", "deny", 0);
	if (r < 0)
		return sbx_fail(reterr, r, "deny setgroups");
	r = write_file_at(dirfd, "gid_map", map, 0);
	if (r < 0)
		return sbx_fail(reterr, r, "write gid map '0 %u %u'", (unsigned)host_base,
				UID_RANGE_SIZE);
	return 0;
}

int userns_setup_child(void)
{
	if (setresgid(0, 0, 0) < 0)
		return negative_errno();
	if (setresuid(0, 0, 0) < 0)
		return negative_errno();
	return 0;
}

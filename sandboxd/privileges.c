/* SPDX-License-Identifier: MIT */
/* What the daemon keeps of root's capabilities, each with the reason (STYLE.md section 7). A
 * capability in no row is gone for the daemon's whole life; what a sandbox's own first process
 * may do inside its new user namespace does not depend on this list (a new user namespace
 * starts with a full set of its own). Not needed, on purpose: CAP_KILL and CAP_SYS_PTRACE (the
 * daemon owns every sandbox's user namespace, which already allows signalling and inspecting
 * its processes). */
#include <errno.h>
#include <stdbool.h>
#include <sys/capability.h>
#include <sys/prctl.h>

#include "macro.h"
#include "privileges.h"

static const struct {
	cap_value_t cap;
	const char *why;
} kept[] = {
	{CAP_SYS_ADMIN, "capture host trees for binds (open_tree) and idmap them (mount_setattr)"},
	{CAP_SETUID, "write a sandbox's uid map for its range of host uids"},
	{CAP_SETGID, "write a sandbox's gid map for its range of host gids"},
	{CAP_NET_ADMIN, "size a session's control socket beyond net.core.wmem_max"},
	{CAP_CHOWN, "give the listening socket to group sandboxd"},
	{CAP_DAC_OVERRIDE, "create its cgroup parent in the hierarchy roots, which are mode 0555"},
};

int privileges_trim(struct sbx_error *reterr)
{
	cap_value_t list[ELEMENTSOF(kept)];
	cap_t caps;
	int r = 0;

	for (size_t i = 0; i < ELEMENTSOF(kept); i++)
		list[i] = kept[i].cap;

	/* Bounding set first: dropping from it needs CAP_SETPCAP, which goes with the rest. */
	for (cap_value_t c = 0; c <= CAP_LAST_CAP; c++) {
		bool keep = false;

		for (size_t i = 0; i < ELEMENTSOF(kept); i++)
			keep |= kept[i].cap == c;
		if (!keep && cap_drop_bound(c) < 0 && errno != EINVAL)
			return sbx_fail(reterr, negative_errno(),
					"drop capability %d from the bounding set", (int)c);
	}
	caps = cap_init(); /* all sets empty */
	if (!caps)
		return sbx_fail(reterr, -ENOMEM, "trim capabilities");
	if (cap_set_flag(caps, CAP_PERMITTED, ELEMENTSOF(list), list, CAP_SET) < 0 ||
	    cap_set_flag(caps, CAP_EFFECTIVE, ELEMENTSOF(list), list, CAP_SET) < 0 ||
	    cap_set_proc(caps) < 0)
		r = sbx_fail(reterr, negative_errno(), "trim capabilities");
	cap_free(caps);
	if (r < 0)
		return r;
	if (cap_reset_ambient() < 0)
		return sbx_fail(reterr, negative_errno(), "clear the ambient capabilities");
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
		return sbx_fail(reterr, negative_errno(), "set no_new_privs");
	return 0;
}

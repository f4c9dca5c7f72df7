/* SPDX-License-Identifier: MIT */
/* Child side, between clone and exec: empties every capability set with libcap, locks root's
 * exec-time privileges off with securebits, and sets no_new_privs. The seccomp filter that relies
 * on no_new_privs is syscall-filter.c; uid/gid maps are userns.c; the order is sandbox.c's. */
#include <errno.h>
#include <sys/capability.h>
#include <sys/prctl.h>
#include <linux/securebits.h>

#include "caps.h"
#include "macro.h"

DEFINE_CLEANUP(cap_t, cap_free)

/* Root inside the user namespace must not get capabilities back on exec: NOROOT stops the
 * full permitted/effective sets that execve() gives uid 0, NO_SETUID_FIXUP stops uid changes
 * from recomputing the sets, keep_caps stays off and ambient raising is refused. Every bit is
 * locked, so nothing the sandboxed program runs (it is still uid 0 inside) can switch them back. */
#define CAPS_SECUREBITS                                                                            \
	(SECBIT_NOROOT | SECBIT_NOROOT_LOCKED | SECBIT_NO_SETUID_FIXUP |                           \
	 SECBIT_NO_SETUID_FIXUP_LOCKED | SECBIT_KEEP_CAPS_LOCKED | SECBIT_NO_CAP_AMBIENT_RAISE |   \
	 SECBIT_NO_CAP_AMBIENT_RAISE_LOCKED)

int caps_drop_all(void)
{
	_cleanup_(cap_freep) cap_t empty = NULL;

	/* Securebits and the bounding set both need CAP_SETPCAP in the effective set, so they come
	 * before the sets are emptied. */
	if (cap_set_secbits(CAPS_SECUREBITS) < 0)
		return negative_errno();

	/* The bounding set caps what any later execve() (of a file with capabilities, say) can
	 * grant. Walk until the kernel says EINVAL so capabilities newer than this libcap's headers
	 * are dropped too; EINVAL before the kernel's own count is a real failure. */
	for (cap_value_t c = 0;; c++) {
		if (cap_drop_bound(c) >= 0)
			continue;
		if (errno == EINVAL && c >= cap_max_bits())
			break;
		return negative_errno();
	}

	/* One PR_CAP_AMBIENT_CLEAR_ALL; cap_reset_ambient() would first probe every capability
	 * with PR_CAP_AMBIENT_IS_SET (41 more syscalls). Allowed under NO_CAP_AMBIENT_RAISE, which
	 * only forbids raising. */
	if (cap_prctlw(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0, 0) < 0)
		return negative_errno();

	empty = cap_init();
	if (!empty)
		return -ENOMEM;
	if (cap_set_proc(empty) < 0)
		return negative_errno();

	/* Without it a setuid binary or file capabilities in the image would still raise privileges
	 * on exec; the seccomp filter also requires it when loaded without CAP_SYS_ADMIN. */
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
		return negative_errno();

	return 0;
}

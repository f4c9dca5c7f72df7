/* SPDX-License-Identifier: MIT */
/* The runtime's fallbacks for older kernels, exercised on this one: sbx-run runs under
 * tests/shim/no-syscall with the newer syscalls failing ENOSYS (clone3; the new mount API;
 * mount_setattr alone), and the confinement that matters still holds through the probe. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "macro.h"
#include "sbx-harness.h"

/* One kernel generation per row: the syscalls it lacks. */
static const char *const missing[] = {
	"clone3",				     /* before 5.3 */
	"mount_setattr",			     /* 5.2 to 5.11 */
	"open_tree,move_mount,mount_setattr,fsopen", /* before 5.2 */
};

static struct sbx_harness_result *result_new(void)
{
	struct sbx_harness_result *res = calloc(1, sizeof(*res));

	ck_assert_ptr_nonnull(res);
	return res;
}

static void use_shim(int row)
{
	sbx_harness_set_wrapper((const char *const[]){NO_SYSCALL_PATH, missing[row], "--", NULL});
}

/* The basics: a command runs, with no capability, alone in its pid and net namespaces. */
START_TEST(test_confined)
{
	_cleanup_free_ struct sbx_harness_result *res = result_new();

	use_shim(_i);
	ck_assert_msg(sbx_harness_probe(res, NULL, SBX_ARGS("caps")) == 0, "[%s] caps: %s%s",
		      missing[_i], res->out, res->err);
	ck_assert_msg(sbx_harness_probe(res, NULL, SBX_ARGS("pids")) == 0, "[%s] pids: %s%s",
		      missing[_i], res->out, res->err);
	ck_assert_msg(sbx_harness_probe(res, NULL, SBX_ARGS("net")) == 0, "[%s] net: %s%s",
		      missing[_i], res->out, res->err);
	ck_assert_msg(sbx_harness_probe(res, NULL, SBX_ARGS("syscall", "unshare")) == EPERM,
		      "[%s] unshare: %s%s", missing[_i], res->out, res->err);
}
END_TEST

/* The process is in its cgroup before it can fork: the pids limit bites. */
START_TEST(test_cgroup_joined)
{
	_cleanup_free_ struct sbx_harness_result *res = result_new();

	use_shim(_i);
	ck_assert_msg(sbx_harness_probe(res, SBX_ARGS("--pids", "16"), SBX_ARGS("fork-bomb")) == 0,
		      "[%s] fork-bomb: %s%s", missing[_i], res->out, res->err);
}
END_TEST

/* Read-only stays read-only whichever way the binds were made. */
START_TEST(test_readonly_binds)
{
	_cleanup_free_ struct sbx_harness_result *res = result_new();
	_cleanup_free_ char *dir = NULL, *opt = NULL;

	use_shim(_i);
	ck_assert_int_gt(asprintf(&dir, "%s/ro-%d", sbx_harness_tmpdir(), _i), 0);
	ck_assert_int_eq(mkdir(dir, 0777), 0);
	ck_assert_int_gt(asprintf(&opt, "%s:/data", dir), 0);
	ck_assert_msg(sbx_harness_probe(res, SBX_ARGS("--ro-bind", opt),
					SBX_ARGS("write", "/data/x")) == EROFS,
		      "[%s] write to a --ro-bind: %s%s", missing[_i], res->out, res->err);
	ck_assert_msg(sbx_harness_probe(res, NULL, SBX_ARGS("write", "/usr/x")) == EROFS,
		      "[%s] write to /usr: %s%s", missing[_i], res->out, res->err);
	ck_assert_msg(sbx_harness_probe(res, NULL, SBX_ARGS("selfexe-write")) != 0,
		      "[%s] /proc/1/exe was writable: %s", missing[_i], res->out);
}
END_TEST

/* Without the new mount API there are no idmapped mounts: a writable bind cannot be made safe,
 * and sbx-run says so instead of binding it unmapped. */
START_TEST(test_writable_bind_needs_idmap)
{
	_cleanup_free_ struct sbx_harness_result *res = result_new();
	_cleanup_free_ char *dir = NULL, *opt = NULL;

	sbx_harness_set_wrapper((const char *const[]){NO_SYSCALL_PATH, missing[2], "--", NULL});
	ck_assert_int_gt(asprintf(&dir, "%s/rw", sbx_harness_tmpdir()), 0);
	ck_assert_int_eq(mkdir(dir, 0777), 0);
	ck_assert_int_gt(asprintf(&opt, "%s:/out", dir), 0);
	ck_assert_int_eq(sbx_harness_run(res, SBX_ARGS("--bind", opt), SBX_ARGS("/bin/true")), 125);
	ck_assert_msg(strstr(res->err, "idmap bind source"), "stderr: %s", res->err);
}
END_TEST

static Suite *fallbacks_suite(void)
{
	Suite *s = suite_create("integration-fallbacks");
	TCase *tc = sbx_harness_tcase("fallbacks", SBX_HARNESS_TIMEOUT_DEFAULT);

	tcase_add_loop_test(tc, test_confined, 0, (int)ELEMENTSOF(missing));
	tcase_add_loop_test(tc, test_cgroup_joined, 0, (int)ELEMENTSOF(missing));
	tcase_add_loop_test(tc, test_readonly_binds, 0, (int)ELEMENTSOF(missing));
	tcase_add_test(tc, test_writable_bind_needs_idmap);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return sbx_harness_main(fallbacks_suite());
}

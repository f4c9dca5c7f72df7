/* SPDX-License-Identifier: MIT */
/* runtime/uid-range.c: the pool arithmetic as tables, and the slot locks against a real lock
 * directory under /tmp, including a holder in another process. The maps built from a range are
 * tested with userns.c. */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "macro.h"
#include "test-util.h"
#include "uid-range.h"

#define DIR_ANY "/run/sandboxd/uid-ranges"

START_TEST(test_validate)
{
	static const struct {
		const char *lock_dir;
		uint32_t base, count;
		int ret;
	} cases[] = {
		{DIR_ANY, UID_RANGE_BASE_DEFAULT, UID_RANGE_COUNT_DEFAULT, 0},
		{DIR_ANY, 65536, 1, 0},
		{DIR_ANY, 100000, 1, 0},
		{DIR_ANY, 65536, 65534, 0},		     /* last uid 0xFFFEFFFF */
		{DIR_ANY, 0xFFFFFFFFU - 65536, 1, 0},	     /* last uid 0xFFFFFFFE */
		{DIR_ANY, UID_RANGE_BASE_DEFAULT, 49151, 0}, /* last uid 0xFFFEFFFF */

		/* Below the host's system ids: root, daemons, nobody (65534), 65535. */
		{DIR_ANY, 0, 1, -ERANGE},
		{DIR_ANY, 1, 1, -ERANGE},
		{DIR_ANY, 1000, 1, -ERANGE},
		{DIR_ANY, 65534, 1, -ERANGE},
		{DIR_ANY, 65535, 1, -ERANGE},
		/* Reaching (uid_t)-1 or wrapping past it. */
		{DIR_ANY, 0xFFFF0000U, 1, -ERANGE}, /* last uid 0xFFFFFFFF */
		{DIR_ANY, 0xFFFFFFFFU, 1, -ERANGE},
		{DIR_ANY, 65536, 65535, -ERANGE}, /* last uid exactly 0xFFFFFFFF */
		{DIR_ANY, 65536, 65536, -ERANGE}, /* count * 65536 == 2^32 */
		{DIR_ANY, 65536, 0xFFFFFFFFU, -ERANGE},
		{DIR_ANY, UID_RANGE_BASE_DEFAULT, 49152, -ERANGE}, /* last uid 0xFFFFFFFF */
		{DIR_ANY, 0x80000000U, 0x8000, -ERANGE},	   /* base + span == 2^32 exactly */

		{DIR_ANY, UID_RANGE_BASE_DEFAULT, 0, -EINVAL},
		{NULL, UID_RANGE_BASE_DEFAULT, 1, -EINVAL},
		{"", UID_RANGE_BASE_DEFAULT, 1, -EINVAL},
		{"run/uid-ranges", UID_RANGE_BASE_DEFAULT, 1, -EINVAL},
	};

	ck_assert_errno(uid_range_pool_validate(NULL), EINVAL);
	for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
		struct uid_range_pool pool = {
			.lock_dir = cases[i].lock_dir,
			.base = cases[i].base,
			.count = cases[i].count,
		};
		int r = uid_range_pool_validate(&pool);

		ck_assert_msg(r == cases[i].ret,
			      "validate(base %" PRIu32 ", count %" PRIu32
			      ", dir %s) = %d, expected %d",
			      cases[i].base, cases[i].count,
			      cases[i].lock_dir ? cases[i].lock_dir : "(null)", r, cases[i].ret);
	}
}
END_TEST

START_TEST(test_slot_base)
{
	const struct uid_range_pool pool = {
		.lock_dir = DIR_ANY,
		.base = UID_RANGE_BASE_DEFAULT,
		.count = UID_RANGE_COUNT_DEFAULT,
	};
	const struct uid_range_pool edge = {.lock_dir = DIR_ANY, .base = 65536, .count = 65534};
	const struct uid_range_pool bad = {.lock_dir = DIR_ANY, .base = 0, .count = 4};
	uid_t u;

	ck_assert_ok(uid_range_slot_base(&pool, 0, &u));
	ck_assert_uint_eq(u, UID_RANGE_BASE_DEFAULT);
	ck_assert_ok(uid_range_slot_base(&pool, 1, &u));
	ck_assert_uint_eq(u, UID_RANGE_BASE_DEFAULT + UID_RANGE_SIZE);
	ck_assert_ok(uid_range_slot_base(&pool, UID_RANGE_COUNT_DEFAULT - 1, &u));
	ck_assert_uint_eq(u,
			  UID_RANGE_BASE_DEFAULT + (UID_RANGE_COUNT_DEFAULT - 1) * UID_RANGE_SIZE);

	ck_assert_ok(uid_range_slot_base(&edge, 65533, &u));
	ck_assert_uint_eq(u, 0xFFFF0000U - UID_RANGE_SIZE);

	/* Out of the pool: the output stays untouched. */
	u = 4242;
	ck_assert_errno(uid_range_slot_base(&pool, UID_RANGE_COUNT_DEFAULT, &u), ERANGE);
	ck_assert_errno(uid_range_slot_base(&pool, UINT32_MAX, &u), ERANGE);
	ck_assert_errno(uid_range_slot_base(&edge, 65534, &u), ERANGE);
	/* A pool that was never validated cannot hand out host uid 0. */
	ck_assert_errno(uid_range_slot_base(&bad, 0, &u), ERANGE);
	ck_assert_uint_eq(u, 4242);
}
END_TEST

/* A pool of count slots whose lock dir is three levels below a fresh temp dir, not yet created. */
static char *make_pool(struct uid_range_pool *pool, uint32_t count, char **ret_tmp)
{
	char *tmp = test_mkdtemp();
	char *dir;

	ck_assert_int_gt(asprintf(&dir, "%s/run/sandboxd/uid-ranges", tmp), 0);
	*pool = (struct uid_range_pool){
		.lock_dir = dir,
		.base = UID_RANGE_BASE_DEFAULT,
		.count = count,
	};
	*ret_tmp = tmp;
	return dir;
}

static void check_range(const struct uid_range_pool *pool, const struct uid_range *r)
{
	ck_assert_uint_lt(r->slot, pool->count);
	ck_assert_uint_eq(r->host_base, pool->base + r->slot * UID_RANGE_SIZE);
	ck_assert_uint_ge(r->host_base, 65536);
	ck_assert_int_ge(r->lock_fd, 0);
	ck_assert_int_ne(fcntl(r->lock_fd, F_GETFD), -1);
	ck_assert(fcntl(r->lock_fd, F_GETFD) & FD_CLOEXEC);
}

START_TEST(test_acquire_two)
{
	_cleanup_free_ char *tmp = NULL, *dir = NULL;
	struct uid_range_pool pool;
	struct uid_range a = {.lock_fd = -EBADF}, b = {.lock_fd = -EBADF};
	struct sbx_error err = {};
	char *slot_path;
	struct stat st;

	dir = make_pool(&pool, 7, &tmp);

	ck_assert_ok(uid_range_acquire(&pool, &a, &err));
	check_range(&pool, &a);
	/* The first probe is at the per-process offset. */
	ck_assert_uint_eq(a.slot, (uint32_t)getpid() % 7);

	/* Created on demand, parents included, private to the owner. */
	ck_assert_int_eq(stat(dir, &st), 0);
	ck_assert(S_ISDIR(st.st_mode));
	ck_assert_uint_eq(st.st_mode & 0077, 0);

	ck_assert_ok(uid_range_acquire(&pool, &b, &err));
	check_range(&pool, &b);
	ck_assert_uint_ne(a.slot, b.slot);
	ck_assert_uint_ne(a.host_base, b.host_base);

	/* Released, the slot is free again, and its lock file stays (never unlinked). */
	uid_range_release(&a);
	ck_assert_int_lt(a.lock_fd, 0);
	ck_assert_int_gt(asprintf(&slot_path, "%s/%" PRIu32, dir, a.slot), 0);
	ck_assert_int_eq(stat(slot_path, &st), 0);
	ck_assert(S_ISREG(st.st_mode));
	ck_assert_uint_eq(st.st_mode & 0077, 0);
	free(slot_path);

	ck_assert_ok(uid_range_acquire(&pool, &a, &err));
	ck_assert_uint_eq(a.slot, (uint32_t)getpid() % 7);

	uid_range_release(&a);
	uid_range_release(&b);
	test_rm_rf(tmp);
}
END_TEST

START_TEST(test_exhaustion)
{
	_cleanup_free_ char *tmp = NULL, *dir = NULL;
	struct uid_range_pool pool;
	struct uid_range r[3], extra = {.slot = 99, .host_base = 99, .lock_fd = -EBADF};
	struct sbx_error err = {};
	unsigned seen = 0;

	dir = make_pool(&pool, 3, &tmp);

	for (size_t i = 0; i < ELEMENTSOF(r); i++) {
		ck_assert_ok(uid_range_acquire(&pool, &r[i], &err));
		check_range(&pool, &r[i]);
		seen |= 1U << r[i].slot;
	}
	ck_assert_uint_eq(seen, 7);

	ck_assert_errno(uid_range_acquire(&pool, &extra, &err), EBUSY);
	ck_assert_int_eq(err.code, -EBUSY);
	ck_assert_msg(strstr(err.msg, "all 3 uid ranges are in use") == err.msg, "message: %s",
		      err.msg);
	/* Nothing written on failure. */
	ck_assert_uint_eq(extra.slot, 99);
	ck_assert_int_eq(extra.lock_fd, -EBADF);
	/* A NULL error object is allowed. */
	ck_assert_errno(uid_range_acquire(&pool, &extra, NULL), EBUSY);

	uid_range_release(&r[1]);
	ck_assert_ok(uid_range_acquire(&pool, &extra, &err));
	ck_assert_uint_eq(extra.slot, r[1].slot);

	uid_range_release(&extra);
	uid_range_release(&r[0]);
	uid_range_release(&r[2]);
	test_rm_rf(tmp);
}
END_TEST

START_TEST(test_child_holds)
{
	_cleanup_free_ char *tmp = NULL, *dir = NULL;
	struct uid_range_pool pool;
	struct uid_range mine = {.lock_fd = -EBADF}, again = {.lock_fd = -EBADF};
	struct sbx_error err = {};
	int up[2], down[2], status;
	uint32_t child_slot;
	pid_t pid;

	dir = make_pool(&pool, 2, &tmp);
	ck_assert_int_eq(pipe2(up, O_CLOEXEC), 0);
	ck_assert_int_eq(pipe2(down, O_CLOEXEC), 0);

	/* The child takes a slot of its own (nothing is inherited: the parent holds none yet) and
	 * keeps it until told to exit. */
	pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		struct uid_range r = {.lock_fd = -EBADF};
		char c;

		/* Its own copy of the write end would keep the read below from seeing EOF. */
		close(down[1]);
		if (uid_range_acquire(&pool, &r, NULL) < 0)
			_exit(2);
		if (write(up[1], &r.slot, sizeof(r.slot)) != sizeof(r.slot))
			_exit(3);
		(void)read(down[0], &c, 1);
		_exit(0);
	}
	close(up[1]);
	close(down[0]);
	ck_assert_int_eq(read(up[0], &child_slot, sizeof(child_slot)), sizeof(child_slot));

	ck_assert_ok(uid_range_acquire(&pool, &mine, &err));
	ck_assert_uint_ne(mine.slot, child_slot);
	ck_assert_errno(uid_range_acquire(&pool, &again, &err), EBUSY);
	ck_assert_msg(strstr(err.msg, "all 2 uid ranges are in use") != NULL, "message: %s",
		      err.msg);

	/* The child exits without releasing: the kernel drops its lock. */
	close(down[1]);
	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	ck_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0);

	ck_assert_ok(uid_range_acquire(&pool, &again, &err));
	ck_assert_uint_eq(again.slot, child_slot);

	uid_range_release(&again);
	uid_range_release(&mine);
	close(up[0]);
	test_rm_rf(tmp);
}
END_TEST

START_TEST(test_never_base_zero)
{
	struct uid_range_pool pool = {.lock_dir = "/nonexistent/uid-ranges", .base = 0, .count = 4};
	struct uid_range r = {.slot = 7, .host_base = 7, .lock_fd = -EBADF};
	struct sbx_error err = {};

	ck_assert_errno(uid_range_acquire(&pool, &r, &err), ERANGE);
	ck_assert_int_eq(err.code, -ERANGE);
	ck_assert_msg(strstr(err.msg, "uid range pool") != NULL, "message: %s", err.msg);
	ck_assert_uint_eq(r.host_base, 7);
	ck_assert_int_eq(r.lock_fd, -EBADF);
	/* Validation comes before any file system access. */
	ck_assert_int_ne(access("/nonexistent", F_OK), 0);

	ck_assert_errno(uid_range_acquire(NULL, &r, &err), EINVAL);
}
END_TEST

START_TEST(test_symlink_refused)
{
	_cleanup_free_ char *tmp = NULL, *dir = NULL, *target = NULL, *link = NULL;
	struct uid_range_pool pool;
	struct uid_range r = {.lock_fd = -EBADF};
	struct sbx_error err = {};

	dir = make_pool(&pool, 1, &tmp);
	ck_assert_int_gt(asprintf(&target, "%s/elsewhere", tmp), 0);
	ck_assert_int_gt(asprintf(&link, "%s/0", dir), 0);

	/* Create the dir through a first acquisition, then plant a symlink at slot 0. */
	ck_assert_ok(uid_range_acquire(&pool, &r, &err));
	uid_range_release(&r);
	ck_assert_int_eq(unlink(link), 0);
	ck_assert_int_eq(symlink(target, link), 0);

	ck_assert_errno(uid_range_acquire(&pool, &r, &err), ELOOP);
	ck_assert_msg(strstr(err.msg, "lock uid range file") != NULL, "message: %s", err.msg);
	/* Neither followed nor created. */
	ck_assert_int_ne(access(target, F_OK), 0);

	test_rm_rf(tmp);
}
END_TEST

START_TEST(test_release_unacquired)
{
	struct uid_range r = {.slot = 0, .host_base = 0, .lock_fd = -EBADF};
	int fd;

	uid_range_release(&r);
	uid_range_release(&r);
	uid_range_release(NULL);
	ck_assert_int_lt(r.lock_fd, 0);

	/* Released twice after a real acquisition: the second call must not close a reused fd. */
	fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
	ck_assert_int_ge(fd, 0);
	r.lock_fd = fd;
	uid_range_release(&r);
	fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
	ck_assert_int_ge(fd, 0);
	uid_range_release(&r);
	ck_assert_int_ne(fcntl(fd, F_GETFD), -1);
	close(fd);
}
END_TEST

static Suite *uid_range_suite(void)
{
	Suite *s = suite_create("uid-range");
	TCase *tc;

	tc = tcase_create("pool");
	tcase_set_timeout(tc, 10);
	tcase_add_test(tc, test_validate);
	tcase_add_test(tc, test_slot_base);
	suite_add_tcase(s, tc);

	tc = tcase_create("lock");
	tcase_set_timeout(tc, 20);
	tcase_add_test(tc, test_acquire_two);
	tcase_add_test(tc, test_exhaustion);
	tcase_add_test(tc, test_child_holds);
	tcase_add_test(tc, test_never_base_zero);
	tcase_add_test(tc, test_symlink_refused);
	tcase_add_test(tc, test_release_unacquired);
	suite_add_tcase(s, tc);

	return s;
}

int main(void)
{
	return test_run_suite(uid_range_suite());
}

/* SPDX-License-Identifier: MIT */
/* tools/files-watch.c: events for create, modify, delete and move in sandbox paths; recursive
 * watches that follow new and moved subdirectories; the watched directory going away; the
 * directory limit; names that are not UTF-8. Needs root (skips with 77). */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "files-tree.h"
#include "files.h"
#include "io-util.h"
#include "macro.h"
#include "test-util.h"

#define EVENTS_MAX 64
#define QUIET_MS   150 /* no event for this long: the burst is over */

struct events {
	struct files_event ev[EVENTS_MAX];
	size_t n;
	bool ended;
};

/* Reads events in small batches until none came for QUIET_MS. */
static void collect(struct files_watch *w, struct events *ret)
{
	struct pollfd p = {.fd = files_watch_fd(w), .events = POLLIN};

	ret->n = 0;
	ret->ended = false;
	for (;;) {
		size_t n = 0;
		int r;

		/* Batches of 3: decoding across calls (pending events, coalescing) is covered. */
		r = files_watch_read(w, ret->ev + ret->n, MIN(3, EVENTS_MAX - ret->n), &n);
		ck_assert_ok(r);
		ret->n += n;
		if (r == 1) {
			ret->ended = true;
			return;
		}
		ck_assert_uint_lt(ret->n, EVENTS_MAX);
		if (n > 0)
			continue;
		r = poll(&p, 1, QUIET_MS);
		ck_assert_int_ge(r, 0);
		if (r == 0)
			return;
	}
}

static char *describe(const struct events *e)
{
	char *s = NULL;
	size_t size = 0;
	FILE *f = open_memstream(&s, &size);

	ck_assert_ptr_nonnull(f);
	for (size_t i = 0; i < e->n; i++)
		fprintf(f, "%s%s %s%s", i ? ", " : "", files_event_type_to_string(e->ev[i].type),
			e->ev[i].path, e->ev[i].is_dir ? "/" : "");
	fclose(f);
	return s;
}

static void assert_events(const struct events *e, const char *want)
{
	_cleanup_free_ char *got = describe(e);

	ck_assert_str_eq(got, want);
}

static void host_write(const char *sandbox_path, const char *data, int flags)
{
	_cleanup_close_ int fd = open(tree_path(sandbox_path), O_WRONLY | O_CLOEXEC | flags, 0644);

	ck_assert_int_ge(fd, 0);
	ck_assert_ok(write_all(fd, data, strlen(data)));
}

START_TEST(test_watch_flat)
{
	_cleanup_(files_watch_freep) struct files_watch *w = NULL;
	struct events e;
	uint64_t size;

	ck_assert_ok(files_watch_new(&tree_root, "/workspace", false, 0, &w, NULL));
	ck_assert_int_ge(files_watch_fd(w), 0);
	collect(w, &e);
	ck_assert_uint_eq(e.n, 0);

	ck_assert_ok(files_write(&tree_root, "/workspace/new", FILES_WRITE_TRUNCATE, "1", 1, 0,
				 false, &size, NULL));
	ck_assert_ok(files_write(&tree_root, "/workspace/new", FILES_WRITE_APPEND, "2", 1, 0, false,
				 &size, NULL));
	ck_assert_ok(files_move(&tree_root, "/workspace/new", "/workspace/new2", false, NULL));
	ck_assert_ok(files_remove(&tree_root, "/workspace/new2", false, NULL));
	ck_assert_int_eq(files_mkdir(&tree_root, "/workspace/d", 0, false, NULL), 1);
	/* Below the watched directory: not seen without recursive. */
	host_write("/workspace/d/f", "x", O_CREAT);
	host_write("/workspace/sub/inner.txt", "x", O_TRUNC);
	collect(w, &e);
	assert_events(&e, "created /workspace/new, modified /workspace/new, "
			  "moved_from /workspace/new, moved_to /workspace/new2, "
			  "deleted /workspace/new2, created /workspace/d/");
	ck_assert(!e.ended);
}
END_TEST

START_TEST(test_watch_coalesce)
{
	_cleanup_(files_watch_freep) struct files_watch *w = NULL;
	_cleanup_close_ int fd = -EBADF;
	struct events e;

	ck_assert_ok(files_watch_new(&tree_root, "/workspace", true, 0, &w, NULL));
	fd = open(tree_path("/workspace/hello.txt"), O_WRONLY | O_APPEND | O_CLOEXEC);
	ck_assert_int_ge(fd, 0);
	for (int i = 0; i < 10; i++)
		ck_assert_int_eq(write(fd, "x", 1), 1);
	fd = safe_close(fd);
	host_write("/workspace/sub/inner.txt", "y", O_APPEND);
	host_write("/workspace/hello.txt", "z", O_APPEND);
	collect(w, &e);
	assert_events(&e, "modified /workspace/hello.txt, modified /workspace/sub/inner.txt, "
			  "modified /workspace/hello.txt");
}
END_TEST

START_TEST(test_watch_recursive)
{
	_cleanup_(files_watch_freep) struct files_watch *w = NULL;
	struct events e;
	uint64_t size;

	ck_assert_ok(files_watch_new(&tree_root, "/workspace", true, 0, &w, NULL));
	host_write("/workspace/sub/inner.txt", "x", O_TRUNC);
	collect(w, &e);
	assert_events(&e, "modified /workspace/sub/inner.txt");

	/* A new subdirectory is watched from its creation on. */
	ck_assert_int_eq(mkdir(tree_path("/workspace/n1"), 0755), 0);
	collect(w, &e);
	assert_events(&e, "created /workspace/n1/");
	ck_assert_ok(files_write(&tree_root, "/workspace/n1/f", FILES_WRITE_EXCLUSIVE, "f", 1, 0,
				 false, &size, NULL));
	collect(w, &e);
	assert_events(&e, "created /workspace/n1/f, modified /workspace/n1/f");

	/* make_parents: the whole new chain is watched. */
	ck_assert_ok(files_write(&tree_root, "/workspace/n2/a/b/f", FILES_WRITE_TRUNCATE, "f", 1, 0,
				 true, &size, NULL));
	collect(w, &e);
	ck_assert_uint_ge(e.n, 1);
	ck_assert_str_eq(e.ev[0].path, "/workspace/n2");
	host_write("/workspace/n2/a/b/f", "g", O_TRUNC);
	collect(w, &e);
	assert_events(&e, "modified /workspace/n2/a/b/f");

	/* A moved directory is known by its new name, and a directory moved out is forgotten. */
	ck_assert_ok(files_move(&tree_root, "/workspace/sub", "/workspace/sub2", false, NULL));
	collect(w, &e);
	assert_events(&e, "moved_from /workspace/sub/, moved_to /workspace/sub2/");
	host_write("/workspace/sub2/inner.txt", "x", O_TRUNC);
	collect(w, &e);
	assert_events(&e, "modified /workspace/sub2/inner.txt");
	ck_assert_ok(files_move(&tree_root, "/workspace/sub2", "/etc/sub2", false, NULL));
	host_write("/etc/sub2/inner.txt", "x", O_TRUNC);
	collect(w, &e);
	assert_events(&e, "moved_from /workspace/sub2/");

	/* A directory deleted below. */
	ck_assert_ok(files_remove(&tree_root, "/workspace/n1", true, NULL));
	collect(w, &e);
	assert_events(&e, "deleted /workspace/n1/f, deleted /workspace/n1/");
	ck_assert(!e.ended);
}
END_TEST

START_TEST(test_watch_top_gone)
{
	_cleanup_(files_watch_freep) struct files_watch *w = NULL;
	struct events e;
	size_t n = 1;

	ck_assert_ok(files_watch_new(&tree_root, "/workspace/sub", true, 0, &w, NULL));
	ck_assert_ok(files_remove(&tree_root, "/workspace/sub", true, NULL));
	collect(w, &e);
	assert_events(&e, "deleted /workspace/sub/inner.txt, deleted /workspace/sub/");
	ck_assert(e.ended);
	ck_assert_int_eq(files_watch_read(w, e.ev, EVENTS_MAX, &n), 1);
	ck_assert_uint_eq(n, 0);
	w = files_watch_free(w);

	ck_assert_int_eq(mkdir(tree_path("/workspace/m"), 0755), 0);
	ck_assert_ok(files_watch_new(&tree_root, "/workspace/m", false, 0, &w, NULL));
	ck_assert_ok(files_move(&tree_root, "/workspace/m", "/workspace/m2", false, NULL));
	collect(w, &e);
	assert_events(&e, "moved_from /workspace/m/");
	ck_assert(e.ended);
}
END_TEST

START_TEST(test_watch_limits)
{
	_cleanup_(files_watch_freep) struct files_watch *w = NULL;
	struct sbx_error e = {};
	struct events ev;

	ck_assert_int_eq(mkdir(tree_path("/workspace/x"), 0755), 0);
	ck_assert_errno(files_watch_new(&tree_root, "/workspace", true, 2, &w, &e), E2BIG);
	ck_assert_ptr_nonnull(strstr(e.msg, "more than 2 directories"));
	ck_assert_errno(
		files_watch_new(&tree_root, "/workspace", true, FILES_WATCH_DIRS_MAX + 1, &w, &e),
		EINVAL);
	ck_assert_errno(files_watch_new(&tree_root, "/workspace/hello.txt", false, 0, &w, &e),
			ENOTDIR);
	ck_assert_errno(files_watch_new(&tree_root, "/workspace/missing", false, 0, &w, &e),
			ENOENT);

	/* At the limit, a new directory is reported and then an overflow for it. */
	ck_assert_ok(files_watch_new(&tree_root, "/workspace", true, 3, &w, NULL));
	ck_assert_int_eq(mkdir(tree_path("/workspace/y"), 0755), 0);
	collect(w, &ev);
	assert_events(&ev, "created /workspace/y/, overflow /workspace/y/");
	host_write("/workspace/y/f", "x", O_CREAT);
	collect(w, &ev);
	ck_assert_uint_eq(ev.n, 0);
}
END_TEST

START_TEST(test_watch_names)
{
	_cleanup_(files_watch_freep) struct files_watch *w = NULL;
	struct events e;

	ck_assert_int_eq(mkdir(tree_path("/workspace/bad-\xff"), 0755), 0);
	ck_assert_ok(files_watch_new(&tree_root, "/", true, 0, &w, NULL));
	host_write("/workspace/bad-\xff/f", "x", O_CREAT);
	host_write("/workspace/\xc0\xaf", "x", O_CREAT);
	host_write("/etc/ok", "x", O_CREAT);
	collect(w, &e);
	assert_events(&e, "created /etc/ok, modified /etc/ok");
}
END_TEST

static Suite *files_watch_suite(void)
{
	Suite *s = suite_create("files-watch");
	TCase *tc = tcase_create("watch");

	tcase_set_timeout(tc, 30);
	tcase_add_unchecked_fixture(tc, tree_run_setup, tree_run_teardown);
	tcase_add_checked_fixture(tc, tree_setup, tree_teardown);
	tcase_add_test(tc, test_watch_flat);
	tcase_add_test(tc, test_watch_coalesce);
	tcase_add_test(tc, test_watch_recursive);
	tcase_add_test(tc, test_watch_top_gone);
	tcase_add_test(tc, test_watch_limits);
	tcase_add_test(tc, test_watch_names);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	if (geteuid() != 0) {
		fprintf(stderr, "skipped: the file tools tests need root (chown, mknod, mount)\n");
		return 77;
	}
	return test_run_suite(files_watch_suite());
}

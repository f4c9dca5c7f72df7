/* SPDX-License-Identifier: MIT */
/* tools/files-list.c: listings sorted per directory in pre-order, depth and limit, symlinks
 * listed and never entered, names that are not UTF-8 skipped and counted, and stat with lstat
 * semantics. Needs root (skips with 77). */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <unistd.h>

#include "files-tree.h"
#include "files.h"
#include "macro.h"
#include "test-util.h"

struct listing {
	struct files_info *entries;
	size_t n, skipped;
	bool truncated;
};

static void listing_done(struct listing *l)
{
	l->entries = files_info_free_array(l->entries, l->n);
}

static int list(const char *path, bool recursive, unsigned depth, size_t limit, struct listing *ret)
{
	*ret = (struct listing){};
	return files_list(&tree_root, path, recursive, depth, limit, &ret->entries, &ret->n,
			  &ret->truncated, &ret->skipped, NULL);
}

/* The listing's paths, joined by spaces. */
static char *paths_of(const struct listing *l)
{
	char *s = NULL;
	size_t size = 0;
	FILE *f = open_memstream(&s, &size);

	ck_assert_ptr_nonnull(f);
	for (size_t i = 0; i < l->n; i++)
		fprintf(f, "%s%s", i ? " " : "", l->entries[i].path);
	fclose(f);
	return s;
}

static void assert_paths(const struct listing *l, const char *want)
{
	_cleanup_free_ char *got = paths_of(l);

	ck_assert_str_eq(got, want);
}

/* /workspace: b/ (b/y, b/c/ (b/c/z)), hello.txt, sub/ (sub/inner.txt), a.txt, link -> sub */
static void make_tree(void)
{
	ck_assert_int_eq(mkdir(tree_path("/workspace/b"), 0750), 0);
	ck_assert_int_eq(mkdir(tree_path("/workspace/b/c"), 0755), 0);
	tree_put("/workspace/b/y", "yy", 0600);
	tree_put("/workspace/b/c/z", "zzz", 0644);
	tree_put("/workspace/a.txt", "a", 0644);
	ck_assert_int_eq(symlink("sub", tree_path("/workspace/link")), 0);
}

START_TEST(test_list_flat)
{
	struct listing l;

	make_tree();
	ck_assert_ok(list("/workspace", false, 0, 0, &l));
	assert_paths(&l, "/workspace/a.txt /workspace/b /workspace/hello.txt /workspace/link "
			 "/workspace/sub");
	ck_assert(!l.truncated);
	ck_assert_uint_eq(l.skipped, 0);
	ck_assert_str_eq(l.entries[0].name, "a.txt");
	ck_assert_int_eq(l.entries[0].type, FILES_REGULAR);
	ck_assert_uint_eq(l.entries[0].size, 1);
	ck_assert_uint_eq(l.entries[0].mode, 0644);
	ck_assert_ptr_null(l.entries[0].link_target);
	ck_assert_int_eq(l.entries[1].type, FILES_DIRECTORY);
	ck_assert_uint_eq(l.entries[1].mode, 0750);
	ck_assert_int_eq(l.entries[3].type, FILES_SYMLINK);
	ck_assert_str_eq(l.entries[3].link_target, "sub");
	ck_assert_str_eq(l.entries[3].name, "link");
	listing_done(&l);

	ck_assert_ok(list("/", false, 0, 0, &l));
	assert_paths(&l, "/etc /workspace");
	ck_assert_str_eq(l.entries[0].name, "etc");
	listing_done(&l);

	/* An empty directory. */
	ck_assert_int_eq(mkdir(tree_path("/workspace/empty"), 0755), 0);
	ck_assert_ok(list("/workspace/empty", true, 0, 0, &l));
	ck_assert_uint_eq(l.n, 0);
	ck_assert(!l.truncated);
	listing_done(&l);
}
END_TEST

START_TEST(test_list_recursive)
{
	struct listing l;

	make_tree();
	/* Pre-order, sorted per directory; the symlink is listed, not entered. */
	ck_assert_ok(list("/workspace", true, 0, 0, &l));
	assert_paths(&l, "/workspace/a.txt /workspace/b /workspace/b/c /workspace/b/c/z "
			 "/workspace/b/y /workspace/hello.txt /workspace/link /workspace/sub "
			 "/workspace/sub/inner.txt");
	ck_assert(!l.truncated);
	listing_done(&l);

	ck_assert_ok(list("/workspace", true, 2, 0, &l));
	assert_paths(&l, "/workspace/a.txt /workspace/b /workspace/b/c /workspace/b/y "
			 "/workspace/hello.txt /workspace/link /workspace/sub "
			 "/workspace/sub/inner.txt");
	listing_done(&l);

	ck_assert_ok(list("/workspace", true, 1, 0, &l));
	ck_assert_uint_eq(l.n, 5);
	listing_done(&l);

	ck_assert_ok(list("/", true, 0, 0, &l));
	ck_assert_str_eq(l.entries[0].path, "/etc");
	ck_assert_str_eq(l.entries[1].path, "/etc/passwd");
	ck_assert_uint_eq(l.n, 12);
	listing_done(&l);
}
END_TEST

START_TEST(test_list_limit)
{
	struct listing l;
	struct sbx_error e = {};

	make_tree();
	ck_assert_ok(list("/workspace", true, 0, 4, &l));
	assert_paths(&l, "/workspace/a.txt /workspace/b /workspace/b/c /workspace/b/c/z");
	ck_assert(l.truncated);
	listing_done(&l);

	ck_assert_ok(list("/workspace", false, 0, 2, &l));
	assert_paths(&l, "/workspace/a.txt /workspace/b");
	ck_assert(l.truncated);
	listing_done(&l);

	/* Exactly the number of entries: not truncated. */
	ck_assert_ok(list("/workspace", false, 0, 5, &l));
	ck_assert(!l.truncated);
	listing_done(&l);
	/* The limit reached on a directory entry whose contents are then left out. */
	ck_assert_ok(list("/workspace/b", true, 0, 1, &l));
	assert_paths(&l, "/workspace/b/c");
	ck_assert(l.truncated);
	listing_done(&l);

	ck_assert_errno(files_list(&tree_root, "/workspace", true, FILES_DEPTH_MAX + 1, 0,
				   &l.entries, &l.n, &l.truncated, &l.skipped, &e),
			EINVAL);
	ck_assert_errno(files_list(&tree_root, "/workspace", true, 0, FILES_LIST_LIMIT_MAX + 1,
				   &l.entries, &l.n, &l.truncated, &l.skipped, &e),
			EINVAL);
}
END_TEST

/* A directory with many more entries than the limit: the smallest names, in order. */
START_TEST(test_list_big_directory)
{
	_cleanup_close_ int fd = -EBADF;
	struct listing l;

	ck_assert_int_eq(mkdir(tree_path("/workspace/many"), 0755), 0);
	fd = open(tree_path("/workspace/many"), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	ck_assert_int_ge(fd, 0);
	for (int i = 2999; i >= 0; i--) {
		char name[16];

		snprintf(name, sizeof(name), "f%04d", i);
		close(openat(fd, name, O_CREAT | O_WRONLY | O_CLOEXEC, 0644));
	}
	ck_assert_ok(list("/workspace/many", false, 0, 100, &l));
	ck_assert_uint_eq(l.n, 100);
	ck_assert(l.truncated);
	for (size_t i = 0; i < l.n; i++) {
		char want[64];

		snprintf(want, sizeof(want), "/workspace/many/f%04zu", i);
		ck_assert_str_eq(l.entries[i].path, want);
	}
	listing_done(&l);
	ck_assert_ok(list("/workspace/many", false, 0, 0, &l));
	ck_assert_uint_eq(l.n, 3000);
	ck_assert(!l.truncated);
	listing_done(&l);
}
END_TEST

/* Paths near FILES_PATH_MAX, thousands of them: the byte budget cuts the listing short. */
START_TEST(test_list_byte_budget)
{
	_cleanup_close_ int fd = open(tree_path("/workspace"), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	char long_name[FILES_NAME_MAX + 1];
	size_t files = FILES_LIST_BYTES_MAX / 3800 + 500;
	struct listing l;

	ck_assert_int_ge(fd, 0);
	memset(long_name, 'd', FILES_NAME_MAX);
	long_name[FILES_NAME_MAX] = '\0';
	for (int i = 0; i < 14; i++) {
		int next;

		ck_assert_int_eq(mkdirat(fd, long_name, 0755), 0);
		next = openat(fd, long_name, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		ck_assert_int_ge(next, 0);
		close(fd);
		fd = next;
	}
	for (size_t i = 0; i < files; i++) {
		char name[FILES_NAME_MAX + 1];

		snprintf(name, sizeof(name), "%06zu%.200s", i, long_name);
		close(openat(fd, name, O_CREAT | O_WRONLY | O_CLOEXEC, 0644));
	}
	ck_assert_ok(list("/workspace", true, FILES_DEPTH_MAX, FILES_LIST_LIMIT_MAX, &l));
	ck_assert(l.truncated);
	ck_assert_uint_lt(l.n, files);
	ck_assert_uint_gt(l.n, files - 1500);
	ck_assert_uint_gt(strlen(l.entries[l.n - 1].path), 3800);
	listing_done(&l);
}
END_TEST

START_TEST(test_list_skips)
{
	struct listing l;

	tree_put("/workspace/bad-\xff", "x", 0644);
	ck_assert_int_eq(mkdir(tree_path("/workspace/dir-\xc0\xaf"), 0755), 0);
	tree_put("/workspace/dir-\xc0\xaf/hidden", "x", 0644);
	tree_put("/workspace/caf\xc3\xa9", "x", 0644);
	ck_assert_int_eq(symlink("\xff\xfe", tree_path("/workspace/badlink")), 0);
	ck_assert_int_eq(mkfifo(tree_path("/workspace/fifo"), 0600), 0);

	ck_assert_ok(list("/workspace", true, 0, 0, &l));
	assert_paths(&l, "/workspace/badlink /workspace/caf\xc3\xa9 /workspace/fifo "
			 "/workspace/hello.txt /workspace/sub /workspace/sub/inner.txt");
	ck_assert_uint_eq(l.skipped, 2);
	ck_assert_int_eq(l.entries[0].type, FILES_SYMLINK);
	ck_assert_ptr_null(l.entries[0].link_target);
	ck_assert_int_eq(l.entries[2].type, FILES_OTHER);
	ck_assert_uint_eq(l.entries[2].mode, 0600);
	listing_done(&l);
}
END_TEST

START_TEST(test_list_errors)
{
	struct listing l;
	struct sbx_error e = {};

	ck_assert_errno(files_list(&tree_root, "/workspace/missing", false, 0, 0, &l.entries, &l.n,
				   &l.truncated, &l.skipped, &e),
			ENOENT);
	ck_assert_int_eq(mkfifo(tree_path("/workspace/fifo"), 0600), 0);
	ck_assert_errno(files_list(&tree_root, "/workspace/fifo", false, 0, 0, &l.entries, &l.n,
				   &l.truncated, &l.skipped, &e),
			ENOTDIR);
	ck_assert_ptr_nonnull(strstr(e.msg, "it is a FIFO, not a directory"));
}
END_TEST

START_TEST(test_stat)
{
	struct timeval times[2] = {{.tv_sec = 1700000000, .tv_usec = 123456},
				   {.tv_sec = 1700000000, .tv_usec = 123456}};
	struct files_info info;
	struct sbx_error e = {};

	ck_assert_int_eq(utimes(tree_path("/workspace/hello.txt"), times), 0);
	ck_assert_int_eq(chmod(tree_path("/workspace/hello.txt"), 01640), 0);
	ck_assert_ok(files_stat(&tree_root, "/workspace/hello.txt", &info, NULL));
	ck_assert_str_eq(info.path, "/workspace/hello.txt");
	ck_assert_str_eq(info.name, "hello.txt");
	ck_assert_int_eq(info.type, FILES_REGULAR);
	ck_assert_uint_eq(info.size, 6);
	ck_assert_uint_eq(info.mode, 01640);
	ck_assert_uint_eq(info.mtime_ms, 1700000000123ULL);
	files_info_done(&info);
	ck_assert_ptr_null(info.path);

	ck_assert_ok(files_stat(&tree_root, "/", &info, NULL));
	ck_assert_str_eq(info.path, "/");
	ck_assert_str_eq(info.name, "/");
	ck_assert_int_eq(info.type, FILES_DIRECTORY);
	files_info_done(&info);

	ck_assert_int_eq(symlink("../etc/passwd", tree_path("/workspace/pw")), 0);
	ck_assert_ok(files_stat(&tree_root, "/workspace/pw", &info, NULL));
	ck_assert_int_eq(info.type, FILES_SYMLINK);
	ck_assert_str_eq(info.link_target, "../etc/passwd");
	ck_assert_uint_eq(info.size, strlen("../etc/passwd"));
	files_info_done(&info);

	ck_assert_errno(files_stat(&tree_root, "/workspace/missing", &info, &e), ENOENT);
	ck_assert_str_eq(e.msg, "stat '/workspace/missing': No such file or directory");
	ck_assert_str_eq(files_type_to_string(FILES_SYMLINK), "symlink");
	ck_assert_ptr_null(files_type_to_string(_FILES_TYPE_MAX));
}
END_TEST

static Suite *files_list_suite(void)
{
	Suite *s = suite_create("files-list");
	TCase *tc = tcase_create("list");

	tcase_set_timeout(tc, 30);
	tcase_add_unchecked_fixture(tc, tree_run_setup, tree_run_teardown);
	tcase_add_checked_fixture(tc, tree_setup, tree_teardown);
	tcase_add_test(tc, test_list_flat);
	tcase_add_test(tc, test_list_recursive);
	tcase_add_test(tc, test_list_limit);
	tcase_add_test(tc, test_list_big_directory);
	tcase_add_test(tc, test_list_byte_budget);
	tcase_add_test(tc, test_list_skips);
	tcase_add_test(tc, test_list_errors);
	tcase_add_test(tc, test_stat);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	if (geteuid() != 0) {
		fprintf(stderr, "skipped: the file tools tests need root (chown, mknod, mount)\n");
		return 77;
	}
	return test_run_suite(files_list_suite());
}

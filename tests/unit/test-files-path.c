/* SPDX-License-Identifier: MIT */
/* tools/files-path.c: hostile paths against a fake session root with files outside it. The
 * path checks as a table; "..", absolute paths, symlinks to /etc/passwd and "../../..", loops
 * and symlinks on the way for every call; and a directory swapped for a symlink to the outside
 * while reads, stats, listings and writes run. Needs root (skips with 77). */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "files-path.h"
#include "files-tree.h"
#include "macro.h"
#include "test-util.h"

struct check_case {
	const char *path;
	size_t len; /* 0: strlen */
	int ret;
	const char *msg; /* in the sentence */
};

static const struct check_case check_cases[] = {
	{"/", 0, 0, NULL},
	{"/workspace", 0, 0, NULL},
	{"/workspace/a/b.txt", 0, 0, NULL},
	{"/a/.b/..c/...", 0, 0, NULL},
	{"", 0, -EINVAL, "the path is empty"},
	{"workspace/a", 0, -EINVAL, "not absolute"},
	{"./a", 0, -EINVAL, "not absolute"},
	{"/a//b", 0, -EINVAL, "normal form"},
	{"/a/", 0, -EINVAL, "normal form"},
	{"//", 0, -EINVAL, "normal form"},
	{"/a/./b", 0, -EINVAL, "normal form"},
	{"/.", 0, -EINVAL, "normal form"},
	{"/..", 0, -EINVAL, "normal form"},
	{"/workspace/../etc/passwd", 0, -EINVAL, "normal form"},
	{"/../../../../etc/passwd", 0, -EINVAL, "normal form"},
	{"/workspace/..", 0, -EINVAL, "normal form"},
	{"/a\0/../../etc", 16, -EINVAL, "NUL byte"},
	{"/workspace\0", 11, -EINVAL, "NUL byte"},
};

START_TEST(test_check_table)
{
	for (size_t i = 0; i < ELEMENTSOF(check_cases); i++) {
		const struct check_case *c = &check_cases[i];
		struct sbx_error e = {};
		size_t len = c->len ? c->len : strlen(c->path);
		int r = files_path_check("read", c->path, len, &e);

		ck_assert_msg(r == c->ret, "'%s': %d, expected %d", c->path, r, c->ret);
		if (c->msg) {
			ck_assert_int_eq(e.code, r);
			ck_assert_msg(strstr(e.msg, c->msg) && strncmp(e.msg, "read", 4) == 0,
				      "'%s': sentence '%s'", c->path, e.msg);
		}
	}
	ck_assert_errno(files_path_check("read", NULL, 0, NULL), EINVAL);
}
END_TEST

START_TEST(test_check_lengths)
{
	_cleanup_free_ char *p = malloc(FILES_PATH_MAX + 1);
	struct sbx_error e = {};

	ck_assert_ptr_nonnull(p);
	/* 4095 bytes (and the NUL) fit, in components of 255 bytes. */
	for (size_t i = 0; i < FILES_PATH_MAX; i++)
		p[i] = i % 256 == 0 ? '/' : 'a';
	p[FILES_PATH_MAX - 1] = '\0';
	ck_assert_ok(files_path_check("read", p, FILES_PATH_MAX - 1, NULL));
	p[FILES_PATH_MAX - 1] = 'a';
	p[FILES_PATH_MAX] = '\0';
	ck_assert_errno(files_path_check("read", p, FILES_PATH_MAX, &e), ENAMETOOLONG);
	ck_assert_ptr_nonnull(strstr(e.msg, "4096 bytes long"));

	/* A component of 256 bytes. */
	memset(p, 'a', 300);
	p[0] = '/';
	p[257] = '\0';
	ck_assert_errno(files_path_check("read", p, 257, &e), ENAMETOOLONG);
	ck_assert_ptr_nonnull(strstr(e.msg, "longer than 255"));
	p[256] = '\0';
	ck_assert_ok(files_path_check("read", p, 256, NULL));
}
END_TEST

/* Every call refuses a bad path before it touches anything. */
START_TEST(test_calls_refuse_bad_paths)
{
	static const char *const bad[] = {
		"", "workspace/hello.txt", "/workspace/../../secret", "/../secret", "/workspace/",
	};
	_cleanup_free_ char *huge = malloc(3 * PATH_MAX);
	char buf[64];
	size_t n;
	uint64_t size;
	bool truncated;
	size_t skipped;
	struct files_info *entries = NULL;
	struct files_info info;
	struct files_upload *u = NULL;
	struct files_watch *w = NULL;

	ck_assert_ptr_nonnull(huge);
	memset(huge, 'a', 3 * PATH_MAX - 1);
	huge[0] = '/';
	huge[3 * PATH_MAX - 1] = '\0';
	for (size_t i = 0; i <= ELEMENTSOF(bad); i++) {
		const char *p = i < ELEMENTSOF(bad) ? bad[i] : huge;
		int want = i < ELEMENTSOF(bad) ? -EINVAL : -ENAMETOOLONG;

		ck_assert_int_eq(files_read(&tree_root, p, 0, buf, sizeof(buf), &n, &size, NULL),
				 want);
		ck_assert_int_eq(files_write(&tree_root, p, FILES_WRITE_TRUNCATE, "x", 1, 0, true,
					     &size, NULL),
				 want);
		ck_assert_int_eq(files_upload_begin(&tree_root, p, 0, true, &u, NULL), want);
		ck_assert_int_eq(files_list(&tree_root, p, true, 0, 0, &entries, &n, &truncated,
					    &skipped, NULL),
				 want);
		ck_assert_int_eq(files_stat(&tree_root, p, &info, NULL), want);
		ck_assert_int_eq(files_remove(&tree_root, p, true, NULL), want);
		ck_assert_int_eq(files_mkdir(&tree_root, p, 0, true, NULL), want);
		ck_assert_int_eq(files_move(&tree_root, p, "/workspace/x", true, NULL), want);
		ck_assert_int_eq(files_move(&tree_root, "/workspace/hello.txt", p, true, NULL),
				 want);
		ck_assert_int_eq(files_watch_new(&tree_root, p, true, 0, &w, NULL), want);
	}
	ck_assert_ptr_null(u);
	ck_assert_ptr_null(w);
	ck_assert_ptr_null(entries);
	ck_assert_int_eq(access(tree_path("/workspace/hello.txt"), F_OK), 0);
	tree_assert_outside_intact();
}
END_TEST

/* Even below the path checks, the kernel keeps ".." and absolute paths inside the root. */
START_TEST(test_resolution_stays_in_root)
{
	static const char *const escapes[] = {
		"/../../../secret",
		"../secret",
		"/workspace/../../secret",
		"/../outdir/secret",
	};
	_cleanup_close_ int fd = -EBADF;
	_cleanup_free_ char *etc = NULL;
	char buf[256];
	size_t n;
	uint64_t size;

	for (size_t i = 0; i < ELEMENTSOF(escapes); i++)
		ck_assert_errno(files_path_open(tree_root.fd, escapes[i], O_RDONLY), ENOENT);
	fd = files_path_open(tree_root.fd, "/../../../etc/passwd", O_RDONLY);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(read(fd, buf, sizeof(buf)), strlen(TREE_PASSWD));

	/* An absolute path is the sandbox's: its /etc/passwd, never the host's. */
	ck_assert_ok(files_read(&tree_root, "/etc/passwd", 0, buf, sizeof(buf), &n, &size, NULL));
	ck_assert_uint_eq(n, strlen(TREE_PASSWD));
	ck_assert(memcmp(buf, TREE_PASSWD, n) == 0);
	ck_assert_errno(files_read(&tree_root, "/secret", 0, buf, sizeof(buf), &n, &size, NULL),
			ENOENT);
	etc = tree_slurp("/etc/passwd");
	ck_assert_ptr_nonnull(etc);
	ck_assert_str_ne(etc, TREE_PASSWD);
}
END_TEST

static void assert_passwd_intact(void)
{
	_cleanup_free_ char *p = tree_slurp(tree_path("/etc/passwd"));

	ck_assert_ptr_nonnull(p);
	ck_assert_str_eq(p, TREE_PASSWD);
}

static void make_links(void)
{
	ck_assert_int_eq(symlink("/etc/passwd", tree_path("/workspace/pw")), 0);
	ck_assert_int_eq(symlink("../../..", tree_path("/workspace/up")), 0);
	ck_assert_int_eq(symlink("loop2", tree_path("/workspace/loop1")), 0);
	ck_assert_int_eq(symlink("loop1", tree_path("/workspace/loop2")), 0);
	ck_assert_int_eq(symlink("self", tree_path("/workspace/self")), 0);
	ck_assert_int_eq(symlink(tree_outside("secret"), tree_path("/workspace/host")), 0);
	ck_assert_int_eq(symlink(tree_outside("outdir"), tree_path("/workspace/hostdir")), 0);
	ck_assert_int_eq(symlink("sub", tree_path("/workspace/sublink")), 0);
	ck_assert_int_eq(symlink("/proc/self/root", tree_path("/workspace/magic")), 0);
}

/* Paths that are, or go through, a symlink: every call answers -ELOOP with the sentence, and
 * nothing inside or outside the root changes. */
START_TEST(test_symlinks_never_followed)
{
	static const char *const paths[] = {
		"/workspace/pw",
		"/workspace/up",
		"/workspace/up/secret",
		"/workspace/up/outdir/secret",
		"/workspace/loop1",
		"/workspace/self",
		"/workspace/self/x",
		"/workspace/host",
		"/workspace/hostdir/secret",
		"/workspace/sublink/inner.txt",
		"/workspace/magic/etc/passwd",
	};
	char buf[256];
	size_t n, skipped;
	uint64_t size;
	bool truncated;
	struct files_info *entries = NULL;
	struct files_upload *u = NULL;
	struct files_watch *w = NULL;

	make_links();
	for (size_t i = 0; i < ELEMENTSOF(paths); i++) {
		const char *p = paths[i];
		bool through = strchr(p + strlen("/workspace/"), '/') != NULL;
		struct sbx_error e = {};
		int r;

		r = files_read(&tree_root, p, 0, buf, sizeof(buf), &n, &size, &e);
		ck_assert_msg(r == -ELOOP, "read '%s': %d", p, r);
		ck_assert_msg(strstr(e.msg, "a symlink is on the path") ||
				      strstr(e.msg, "it is a symlink"),
			      "read '%s': '%s'", p, e.msg);
		for (enum files_write_mode m = 0; m < _FILES_WRITE_MODE_MAX; m++) {
			r = files_write(&tree_root, p, m, "pwned\n", 6, 0, true, &size, &e);
			ck_assert_msg(r == -ELOOP || (m == FILES_WRITE_EXCLUSIVE && r == -EEXIST),
				      "write '%s' (%s): %d %s", p, files_write_mode_to_string(m), r,
				      e.msg);
		}
		ck_assert_errno(files_list(&tree_root, p, true, 0, 0, &entries, &n, &truncated,
					   &skipped, NULL),
				ELOOP);
		ck_assert_errno(files_watch_new(&tree_root, p, true, 0, &w, NULL), ELOOP);
		ck_assert_errno(files_upload_begin(&tree_root, p, 0, false, &u, NULL), ELOOP);
		if (through) {
			struct files_info info;

			ck_assert_errno(files_stat(&tree_root, p, &info, NULL), ELOOP);
			ck_assert_errno(files_remove(&tree_root, p, true, NULL), ELOOP);
			ck_assert_errno(files_mkdir(&tree_root, p, 0, true, NULL), ELOOP);
			ck_assert_errno(
				files_move(&tree_root, "/workspace/hello.txt", p, true, NULL),
				ELOOP);
			ck_assert_errno(files_move(&tree_root, p, "/workspace/x", true, NULL),
					ELOOP);
		} else
			ck_assert_errno(files_mkdir(&tree_root, p, 0, false, NULL), ELOOP);
	}
	/* mkdir -p through a symlink refuses as well. */
	ck_assert_errno(files_mkdir(&tree_root, "/workspace/hostdir/new/deeper", 0, true, NULL),
			ELOOP);
	ck_assert_errno(files_write(&tree_root, "/workspace/up/newdir/f", FILES_WRITE_REPLACE, "x",
				    1, 0, true, &size, NULL),
			ELOOP);
	ck_assert_int_eq(access(tree_path("/workspace/x"), F_OK), -1);
	ck_assert_int_eq(access(tree_outside("outdir/new"), F_OK), -1);
	ck_assert_int_eq(access(tree_outside("newdir"), F_OK), -1);
	tree_assert_outside_intact();
	assert_passwd_intact();
}
END_TEST

/* The final symlink itself: stat shows it, remove and move take the link, not the target. */
START_TEST(test_symlink_entries)
{
	struct files_info info;

	make_links();
	ck_assert_ok(files_stat(&tree_root, "/workspace/pw", &info, NULL));
	ck_assert_int_eq(info.type, FILES_SYMLINK);
	ck_assert_str_eq(info.link_target, "/etc/passwd");
	ck_assert_str_eq(info.name, "pw");
	files_info_done(&info);

	ck_assert_ok(files_move(&tree_root, "/workspace/host", "/workspace/host2", false, NULL));
	ck_assert_ok(files_remove(&tree_root, "/workspace/host2", false, NULL));
	ck_assert_ok(files_remove(&tree_root, "/workspace/hostdir", true, NULL));
	ck_assert_ok(files_remove(&tree_root, "/workspace/up", true, NULL));
	ck_assert_ok(files_remove(&tree_root, "/workspace/pw", false, NULL));
	tree_assert_outside_intact();
	assert_passwd_intact();
	ck_assert_int_eq(access(tree_path("/workspace"), F_OK), 0);
}
END_TEST

/* A directory where a file is expected, and the other way round. */
START_TEST(test_wrong_types)
{
	struct sbx_error e = {};
	char buf[16];
	size_t n;
	uint64_t size;
	bool truncated;
	struct files_info *entries = NULL;

	ck_assert_errno(
		files_read(&tree_root, "/workspace/sub", 0, buf, sizeof(buf), &n, &size, &e),
		EISDIR);
	ck_assert_ptr_nonnull(strstr(e.msg, "it is a directory"));
	ck_assert_errno(files_read(&tree_root, "/workspace/hello.txt/x", 0, buf, sizeof(buf), &n,
				   &size, &e),
			ENOTDIR);
	ck_assert_errno(files_list(&tree_root, "/workspace/hello.txt", false, 0, 0, &entries, &n,
				   &truncated, &n, &e),
			ENOTDIR);
	ck_assert_ptr_nonnull(strstr(e.msg, "a regular file, not a directory"));
	ck_assert_errno(files_read(&tree_root, "/", 0, buf, sizeof(buf), &n, &size, NULL), EISDIR);
}
END_TEST

#define SWAP_SECONDS 2

struct swapper {
	atomic_bool stop;
	atomic_ulong swaps;
};

/* Exchanges /workspace/d (a directory inside) with a symlink to the outside, over and over. */
static void *swap_loop(void *arg)
{
	struct swapper *s = arg;
	_cleanup_free_ char *d = strdup(tree_path("/workspace/d"));
	_cleanup_free_ char *l = strdup(tree_path("/workspace/l"));

	while (!atomic_load(&s->stop)) {
		if (renameat2(AT_FDCWD, d, AT_FDCWD, l, RENAME_EXCHANGE) == 0)
			atomic_fetch_add(&s->swaps, 1);
	}
	return NULL;
}

START_TEST(test_symlink_swap_race)
{
	struct swapper s = {};
	pthread_t t;
	struct timespec start, now;
	unsigned long reads_ok = 0, refused = 0, rounds = 0;

	ck_assert_int_eq(mkdir(tree_path("/workspace/d"), 0755), 0);
	tree_put("/workspace/d/secret", "inside\n", 0644);
	/* Relative and absolute escapes: either is outside when followed from the host. */
	ck_assert_int_eq(symlink(_i % 2 ? "../../outdir" : tree_outside("outdir"),
				 tree_path("/workspace/l")),
			 0);
	ck_assert_int_eq(pthread_create(&t, NULL, swap_loop, &s), 0);

	clock_gettime(CLOCK_MONOTONIC, &start);
	do {
		char buf[128] = {};
		size_t n, skipped;
		uint64_t size;
		bool truncated;
		struct files_info *entries = NULL, info;
		int r;

		r = files_read(&tree_root, "/workspace/d/secret", 0, buf, sizeof(buf) - 1, &n,
			       &size, NULL);
		if (r == 0) {
			ck_assert_str_eq(buf, "inside\n");
			reads_ok++;
		} else {
			ck_assert_msg(r == -ELOOP || r == -ENOENT, "read: %d", r);
			refused++;
		}
		r = files_stat(&tree_root, "/workspace/d/secret", &info, NULL);
		if (r == 0) {
			ck_assert_uint_eq(info.size, strlen("inside\n"));
			files_info_done(&info);
		}
		r = files_list(&tree_root, "/workspace/d", false, 0, 0, &entries, &n, &truncated,
			       &skipped, NULL);
		/* The outside directory holds a "secret" too, of another size. */
		for (size_t i = 0; r == 0 && i < n; i++) {
			ck_assert_msg(strcmp(entries[i].name, "secret") != 0 ||
					      entries[i].size == strlen("inside\n"),
				      "listed the outside");
			ck_assert(strncmp(entries[i].path, "/workspace/d/", 13) == 0);
		}
		if (r == 0)
			files_info_free_array(entries, n);
		(void)files_write(&tree_root, "/workspace/d/new", FILES_WRITE_TRUNCATE, "x", 1, 0,
				  false, &size, NULL);
		(void)files_write(&tree_root, "/workspace/d/secret", FILES_WRITE_REPLACE,
				  "inside\n", 7, 0, false, &size, NULL);
		(void)files_mkdir(&tree_root, "/workspace/d/dir", 0, false, NULL);
		(void)files_remove(&tree_root, "/workspace/d/dir", false, NULL);
		rounds++;
		clock_gettime(CLOCK_MONOTONIC, &now);
	} while (now.tv_sec - start.tv_sec < SWAP_SECONDS);

	atomic_store(&s.stop, true);
	ck_assert_int_eq(pthread_join(t, NULL), 0);
	ck_assert_uint_gt(atomic_load(&s.swaps), 100);
	ck_assert_uint_gt(reads_ok, 0);
	ck_assert_uint_gt(refused, 0);
	tree_assert_outside_intact();
	(void)rounds;
}
END_TEST

START_TEST(test_non_utf8_names)
{
	static const char name[] = "/workspace/bad-\xff\xfe.txt";
	char buf[16];
	size_t n;
	uint64_t size;
	struct files_info info;

	/* The engine takes any bytes; only the wire needs UTF-8 (listings skip such names). */
	ck_assert(!files_name_is_utf8(name, strlen(name)));
	ck_assert(files_name_is_utf8("/workspace/caf\xc3\xa9", 16));
	ck_assert_ok(files_write(&tree_root, name, FILES_WRITE_EXCLUSIVE, "x", 1, 0, false, &size,
				 NULL));
	ck_assert_ok(files_read(&tree_root, name, 0, buf, sizeof(buf), &n, &size, NULL));
	ck_assert_uint_eq(n, 1);
	ck_assert_ok(files_stat(&tree_root, name, &info, NULL));
	files_info_done(&info);
	ck_assert_ok(files_remove(&tree_root, name, false, NULL));
	ck_assert_str_eq(files_path_printable("\xff"), "<a name that is not UTF-8>");
}
END_TEST

static Suite *files_path_suite(void)
{
	Suite *s = suite_create("files-path");
	TCase *tc = tcase_create("checks");

	tcase_add_test(tc, test_check_table);
	tcase_add_test(tc, test_check_lengths);
	suite_add_tcase(s, tc);

	tc = tcase_create("hostile");
	tcase_set_timeout(tc, 30);
	tcase_add_unchecked_fixture(tc, tree_run_setup, tree_run_teardown);
	tcase_add_checked_fixture(tc, tree_setup, tree_teardown);
	tcase_add_test(tc, test_calls_refuse_bad_paths);
	tcase_add_test(tc, test_resolution_stays_in_root);
	tcase_add_test(tc, test_symlinks_never_followed);
	tcase_add_test(tc, test_symlink_entries);
	tcase_add_test(tc, test_wrong_types);
	tcase_add_loop_test(tc, test_symlink_swap_race, 0, 2);
	tcase_add_test(tc, test_non_utf8_names);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	if (geteuid() != 0) {
		fprintf(stderr, "skipped: the file tools tests need root (chown, mknod, mount)\n");
		return 77;
	}
	return test_run_suite(files_path_suite());
}

/* SPDX-License-Identifier: MIT */
/* tools/files.c against a fake session root: reads with offsets, the four write modes with
 * their owners and modes, FIFOs, sockets and devices refused without blocking, writes over a
 * small tmpfs quota that keep the old contents, remove (recursive, mount points, depth), mkdir
 * and move. Hostile paths and symlinks are test-files-path.c. Needs root (skips with 77). */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/fsuid.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/un.h>
#include <unistd.h>

#include "files-tree.h"
#include "files.h"
#include "macro.h"
#include "test-util.h"

#define KI 1024

static void assert_owner_mode(const char *sandbox_path, uid_t uid, gid_t gid, mode_t mode)
{
	struct stat st;

	ck_assert_int_eq(lstat(tree_path(sandbox_path), &st), 0);
	ck_assert_msg(st.st_uid == uid && st.st_gid == gid, "%s owned by %u:%u, expected %u:%u",
		      sandbox_path, st.st_uid, st.st_gid, uid, gid);
	ck_assert_msg((st.st_mode & 07777) == mode, "%s has mode %o, expected %o", sandbox_path,
		      st.st_mode & 07777, mode);
}

static void assert_contents(const char *sandbox_path, const char *want)
{
	_cleanup_free_ char *got = tree_slurp(tree_path(sandbox_path));

	ck_assert_msg(got, "%s is missing", sandbox_path);
	ck_assert_str_eq(got, want);
}

/* No .sbx-upload-* or anything else beyond the names given, in the host dir of a sandbox
 * path. */
static size_t count_entries(const char *sandbox_dir)
{
	_cleanup_closedir_ DIR *d = opendir(tree_path(sandbox_dir));
	struct dirent *de;
	size_t n = 0;

	ck_assert_ptr_nonnull(d);
	while ((de = readdir(d)))
		if (strcmp(de->d_name, ".") != 0 && strcmp(de->d_name, "..") != 0)
			n++;
	return n;
}

START_TEST(test_read)
{
	char buf[64];
	size_t n = 99;
	uint64_t size = 99;
	struct sbx_error e = {};

	ck_assert_ok(files_read(&tree_root, "/workspace/hello.txt", 0, buf, sizeof(buf), &n, &size,
				NULL));
	ck_assert_uint_eq(n, 6);
	ck_assert_uint_eq(size, 6);
	ck_assert(memcmp(buf, "hello\n", 6) == 0);
	ck_assert_ok(files_read(&tree_root, "/workspace/hello.txt", 2, buf, 2, &n, &size, NULL));
	ck_assert_uint_eq(n, 2);
	ck_assert(memcmp(buf, "ll", 2) == 0);
	ck_assert_ok(files_read(&tree_root, "/workspace/hello.txt", 6, buf, sizeof(buf), &n, &size,
				NULL));
	ck_assert_uint_eq(n, 0);
	ck_assert_ok(files_read(&tree_root, "/workspace/hello.txt", 1000, buf, sizeof(buf), &n,
				&size, NULL));
	ck_assert_uint_eq(n, 0);
	ck_assert_uint_eq(size, 6);
	ck_assert_ok(files_read(&tree_root, "/workspace/hello.txt", 0, NULL, 0, &n, &size, NULL));
	ck_assert_uint_eq(n, 0);
	ck_assert_errno(files_read(&tree_root, "/workspace/hello.txt", UINT64_MAX, buf, sizeof(buf),
				   &n, &size, NULL),
			EINVAL);
	ck_assert_errno(
		files_read(&tree_root, "/workspace/missing", 0, buf, sizeof(buf), &n, &size, &e),
		ENOENT);
	ck_assert_str_eq(e.msg, "read '/workspace/missing': No such file or directory");
}
END_TEST

/* A FIFO planted by code in the sandbox, a socket and a device: refused for reading and every
 * write mode, at once (a FIFO opened for reading would block until a writer came). */
START_TEST(test_special_files_refused)
{
	static const char *const paths[] = {"/workspace/fifo", "/workspace/sock",
					    "/workspace/null"};
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	_cleanup_close_ int sock = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	struct files_upload *u = NULL;
	char buf[16];
	size_t n;
	uint64_t size;

	ck_assert_int_eq(mkfifo(tree_path("/workspace/fifo"), 0666), 0);
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", tree_path("/workspace/sock"));
	ck_assert_int_eq(bind(sock, (struct sockaddr *)&sa, sizeof(sa)), 0);
	ck_assert_int_eq(mknod(tree_path("/workspace/null"), S_IFCHR | 0666, makedev(1, 3)), 0);

	alarm(10); /* a blocked open fails the test instead of hanging it */
	for (size_t i = 0; i < ELEMENTSOF(paths); i++) {
		struct sbx_error e = {};

		ck_assert_errno(
			files_read(&tree_root, paths[i], 0, buf, sizeof(buf), &n, &size, &e),
			EINVAL);
		ck_assert_msg(strstr(e.msg, "only regular files are read"), "%s", e.msg);
		for (enum files_write_mode m = 0; m < _FILES_WRITE_MODE_MAX; m++) {
			int r = files_write(&tree_root, paths[i], m, "x", 1, 0, false, &size, &e);

			ck_assert_msg(r == (m == FILES_WRITE_EXCLUSIVE ? -EEXIST : -EINVAL),
				      "write %s (%s): %d", paths[i], files_write_mode_to_string(m),
				      r);
		}
		ck_assert_errno(files_upload_begin(&tree_root, paths[i], 0, false, &u, NULL),
				EINVAL);
	}
	alarm(0);
	ck_assert_uint_eq(count_entries("/workspace"), 5);
}
END_TEST

START_TEST(test_write_modes)
{
	uint64_t size;
	struct sbx_error e = {};

	/* TRUNCATE on an existing file: contents replaced, owner and mode kept. */
	ck_assert_int_eq(chown(tree_path("/workspace/hello.txt"), 1234, 1235), 0);
	ck_assert_int_eq(chmod(tree_path("/workspace/hello.txt"), 0600), 0);
	ck_assert_ok(files_write(&tree_root, "/workspace/hello.txt", FILES_WRITE_TRUNCATE, "bye\n",
				 4, 0755, false, &size, NULL));
	ck_assert_uint_eq(size, 4);
	assert_contents("/workspace/hello.txt", "bye\n");
	assert_owner_mode("/workspace/hello.txt", 1234, 1235, 0600);
	ck_assert_ok(files_write(&tree_root, "/workspace/hello.txt", FILES_WRITE_TRUNCATE,
				 "longer than before\n", 19, 0, false, &size, NULL));
	assert_contents("/workspace/hello.txt", "longer than before\n");

	/* APPEND */
	ck_assert_ok(files_write(&tree_root, "/workspace/hello.txt", FILES_WRITE_APPEND, "more\n",
				 5, 0, false, &size, NULL));
	ck_assert_uint_eq(size, 24);
	assert_contents("/workspace/hello.txt", "longer than before\nmore\n");
	assert_owner_mode("/workspace/hello.txt", 1234, 1235, 0600);

	/* New files: the session's owner, the mode asked for (umask aside), no setuid/setgid. */
	umask(0077);
	ck_assert_ok(files_write(&tree_root, "/workspace/new-append", FILES_WRITE_APPEND, "a", 1, 0,
				 false, &size, NULL));
	assert_owner_mode("/workspace/new-append", TREE_UID, TREE_GID, 0644);
	ck_assert_ok(files_write(&tree_root, "/workspace/new-trunc", FILES_WRITE_TRUNCATE, "t", 1,
				 06755, false, &size, NULL));
	assert_owner_mode("/workspace/new-trunc", TREE_UID, TREE_GID, 0755);
	ck_assert_ok(files_write(&tree_root, "/workspace/new-excl", FILES_WRITE_EXCLUSIVE, "e", 1,
				 01640, false, &size, NULL));
	assert_owner_mode("/workspace/new-excl", TREE_UID, TREE_GID, 01640);
	ck_assert_ok(files_write(&tree_root, "/workspace/new-repl", FILES_WRITE_REPLACE, "r", 1,
				 0600, false, &size, NULL));
	assert_owner_mode("/workspace/new-repl", TREE_UID, TREE_GID, 0600);
	assert_contents("/workspace/new-repl", "r");

	/* EXCLUSIVE on anything existing. */
	ck_assert_errno(files_write(&tree_root, "/workspace/new-excl", FILES_WRITE_EXCLUSIVE, "x",
				    1, 0, false, &size, &e),
			EEXIST);
	ck_assert_ptr_nonnull(strstr(e.msg, "exclusively"));
	assert_contents("/workspace/new-excl", "e");
	ck_assert_errno(files_write(&tree_root, "/workspace/sub", FILES_WRITE_EXCLUSIVE, "x", 1, 0,
				    false, &size, NULL),
			EEXIST);

	/* REPLACE over an existing file keeps owner and (with mode 0) mode. */
	ck_assert_ok(files_write(&tree_root, "/workspace/hello.txt", FILES_WRITE_REPLACE, "new\n",
				 4, 0, false, &size, NULL));
	assert_contents("/workspace/hello.txt", "new\n");
	assert_owner_mode("/workspace/hello.txt", 1234, 1235, 0600);
	ck_assert_ok(files_write(&tree_root, "/workspace/hello.txt", FILES_WRITE_REPLACE, "x", 1,
				 04711, false, &size, NULL));
	assert_owner_mode("/workspace/hello.txt", 1234, 1235, 0711);

	/* Directories where a file is expected; a missing parent without make_parents. */
	for (enum files_write_mode m = 0; m < _FILES_WRITE_MODE_MAX; m++) {
		int want = m == FILES_WRITE_EXCLUSIVE ? -EEXIST : -EISDIR;

		ck_assert_int_eq(
			files_write(&tree_root, "/workspace/sub", m, "x", 1, 0, false, &size, NULL),
			want);
		ck_assert_int_eq(files_write(&tree_root, "/", m, "x", 1, 0, false, &size, NULL),
				 -EISDIR);
		ck_assert_errno(files_write(&tree_root, "/workspace/no/such/file", m, "x", 1, 0,
					    false, &size, NULL),
				ENOENT);
	}
	ck_assert_errno(files_write(&tree_root, "/workspace/x", _FILES_WRITE_MODE_MAX, "x", 1, 0,
				    false, &size, NULL),
			EINVAL);
	ck_assert_uint_eq(count_entries("/workspace"), 6);
}
END_TEST

START_TEST(test_write_zero_bytes)
{
	uint64_t size = 99;

	for (enum files_write_mode m = 0; m < _FILES_WRITE_MODE_MAX; m++) {
		char path[64];

		snprintf(path, sizeof(path), "/workspace/empty-%s", files_write_mode_to_string(m));
		ck_assert_ok(files_write(&tree_root, path, m, NULL, 0, 0, false, &size, NULL));
		ck_assert_uint_eq(size, 0);
		assert_contents(path, "");
		assert_owner_mode(path, TREE_UID, TREE_GID, 0644);
	}
	ck_assert_ok(files_write(&tree_root, "/workspace/hello.txt", FILES_WRITE_APPEND, "", 0, 0,
				 false, &size, NULL));
	ck_assert_uint_eq(size, 6);
	ck_assert_ok(files_write(&tree_root, "/workspace/hello.txt", FILES_WRITE_TRUNCATE, "", 0, 0,
				 false, &size, NULL));
	ck_assert_uint_eq(size, 0);
	tree_put("/workspace/hello.txt", "hello\n", 0644);
	ck_assert_ok(files_write(&tree_root, "/workspace/hello.txt", FILES_WRITE_REPLACE, "", 0, 0,
				 false, &size, NULL));
	assert_contents("/workspace/hello.txt", "");
}
END_TEST

START_TEST(test_write_make_parents)
{
	uint64_t size;

	umask(0077);
	ck_assert_ok(files_write(&tree_root, "/workspace/a/b/c/f.txt", FILES_WRITE_TRUNCATE, "f", 1,
				 0, true, &size, NULL));
	assert_contents("/workspace/a/b/c/f.txt", "f");
	assert_owner_mode("/workspace/a", TREE_UID, TREE_GID, 0755);
	assert_owner_mode("/workspace/a/b", TREE_UID, TREE_GID, 0755);
	assert_owner_mode("/workspace/a/b/c", TREE_UID, TREE_GID, 0755);
	ck_assert_ok(files_write(&tree_root, "/workspace/a/x/g.txt", FILES_WRITE_REPLACE, "g", 1, 0,
				 true, &size, NULL));
	assert_contents("/workspace/a/x/g.txt", "g");
	/* A file in the way of a parent. */
	ck_assert_errno(files_write(&tree_root, "/workspace/hello.txt/f", FILES_WRITE_TRUNCATE, "f",
				    1, 0, true, &size, NULL),
			ENOTDIR);
	ck_assert_errno(files_write(&tree_root, "/workspace/a/b/c/f.txt/g/h", FILES_WRITE_REPLACE,
				    "f", 1, 0, true, &size, NULL),
			ENOTDIR);
}
END_TEST

static char *filled(size_t len, char c)
{
	char *p = malloc(len + 1);

	ck_assert_ptr_nonnull(p);
	memset(p, c, len);
	p[len] = '\0';
	return p;
}

/* A write over the quota of a 1 MiB tmpfs: -ENOSPC, old contents intact, nothing left over. */
START_TEST(test_quota)
{
	_cleanup_free_ char *old = filled(600 * KI, 'A');
	_cleanup_free_ char *big = filled(2048 * KI, 'B');
	_cleanup_free_ char *fits = filled(700 * KI, 'C');
	struct sbx_error e = {};
	uint64_t size;

	tree_mount_tmpfs("/workspace/q", "1M");
	ck_assert_ok(files_write(&tree_root, "/workspace/q/f", FILES_WRITE_REPLACE, old,
				 strlen(old), 0, false, &size, NULL));
	ck_assert_uint_eq(size, 600 * KI);

	/* REPLACE needs room for both until the rename. */
	ck_assert_errno(files_write(&tree_root, "/workspace/q/f", FILES_WRITE_REPLACE, old,
				    strlen(old), 0, false, &size, &e),
			ENOSPC);
	ck_assert_msg(strstr(e.msg, "previous contents are kept"), "%s", e.msg);
	assert_contents("/workspace/q/f", old);
	ck_assert_uint_eq(count_entries("/workspace/q"), 1);

	/* TRUNCATE: refused before a byte changes. */
	ck_assert_errno(files_write(&tree_root, "/workspace/q/f", FILES_WRITE_TRUNCATE, big,
				    strlen(big), 0, false, &size, NULL),
			ENOSPC);
	assert_contents("/workspace/q/f", old);
	/* 700 KiB fit once the old 600 KiB are counted as reusable. */
	ck_assert_ok(files_write(&tree_root, "/workspace/q/f", FILES_WRITE_TRUNCATE, fits,
				 strlen(fits), 0, false, &size, NULL));
	assert_contents("/workspace/q/f", fits);
	ck_assert_ok(files_write(&tree_root, "/workspace/q/f", FILES_WRITE_TRUNCATE, old,
				 strlen(old), 0, false, &size, NULL));
	assert_contents("/workspace/q/f", old);

	/* APPEND: reserved first, so nothing lands. */
	ck_assert_errno(files_write(&tree_root, "/workspace/q/f", FILES_WRITE_APPEND, old,
				    strlen(old), 0, false, &size, NULL),
			ENOSPC);
	assert_contents("/workspace/q/f", old);

	/* New files that do not fit are not left behind. */
	for (enum files_write_mode m = 0; m < _FILES_WRITE_MODE_MAX; m++) {
		ck_assert_errno(files_write(&tree_root, "/workspace/q/g", m, big, strlen(big), 0,
					    false, &size, NULL),
				ENOSPC);
		ck_assert_uint_eq(count_entries("/workspace/q"), 1);
	}
	assert_contents("/workspace/q/f", old);
}
END_TEST

START_TEST(test_remove)
{
	struct sbx_error e = {};

	ck_assert_ok(files_remove(&tree_root, "/workspace/hello.txt", false, NULL));
	ck_assert_int_eq(access(tree_path("/workspace/hello.txt"), F_OK), -1);
	ck_assert_errno(files_remove(&tree_root, "/workspace/hello.txt", false, NULL), ENOENT);

	ck_assert_errno(files_remove(&tree_root, "/workspace/sub", false, &e), ENOTEMPTY);
	ck_assert_ptr_nonnull(strstr(e.msg, "remove it recursively"));
	ck_assert_int_eq(access(tree_path("/workspace/sub/inner.txt"), F_OK), 0);

	/* A tree with symlinks to the outside, a FIFO and nested directories. */
	ck_assert_int_eq(mkdir(tree_path("/workspace/sub/d1"), 0755), 0);
	ck_assert_int_eq(mkdir(tree_path("/workspace/sub/d1/d2"), 0700), 0);
	tree_put("/workspace/sub/d1/d2/f", "f", 0000);
	ck_assert_int_eq(mkfifo(tree_path("/workspace/sub/d1/fifo"), 0600), 0);
	ck_assert_int_eq(symlink(tree_outside("outdir"), tree_path("/workspace/sub/d1/out")), 0);
	ck_assert_int_eq(symlink("../../..", tree_path("/workspace/sub/d1/d2/up")), 0);
	ck_assert_ok(files_remove(&tree_root, "/workspace/sub", true, NULL));
	ck_assert_int_eq(access(tree_path("/workspace/sub"), F_OK), -1);
	tree_assert_outside_intact();
	ck_assert_int_eq(access(tree_path("/etc/passwd"), F_OK), 0);

	/* An empty directory without recursive; a file with recursive. */
	ck_assert_int_eq(mkdir(tree_path("/workspace/empty"), 0755), 0);
	ck_assert_ok(files_remove(&tree_root, "/workspace/empty", false, NULL));
	tree_put("/workspace/f", "f", 0644);
	ck_assert_ok(files_remove(&tree_root, "/workspace/f", true, NULL));

	ck_assert_errno(files_remove(&tree_root, "/", true, &e), EBUSY);
	ck_assert_int_eq(access(tree_path("/workspace"), F_OK), 0);
}
END_TEST

START_TEST(test_remove_bounds)
{
	_cleanup_close_ int fd = open(tree_path("/workspace"), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	struct sbx_error e = {};

	/* More levels than a removal walks: refused, the top stays. */
	ck_assert_int_ge(fd, 0);
	for (int i = 0; i <= FILES_DEPTH_MAX + 2; i++) {
		int next;

		ck_assert_int_eq(mkdirat(fd, "deep", 0755), 0);
		next = openat(fd, "deep", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		ck_assert_int_ge(next, 0);
		close(fd);
		fd = next;
	}
	ck_assert_errno(files_remove(&tree_root, "/workspace/deep", true, &e), E2BIG);
	ck_assert_ptr_nonnull(strstr(e.msg, "more than 64 directory levels"));
	ck_assert_int_eq(access(tree_path("/workspace/deep"), F_OK), 0);

	/* A mount point below: not crossed, not removed. */
	tree_mount_tmpfs("/workspace/sub/mnt", "64k");
	tree_put("/workspace/sub/mnt/keep", "keep", 0644);
	ck_assert_errno(files_remove(&tree_root, "/workspace/sub", true, &e), EBUSY);
	ck_assert_ptr_nonnull(strstr(e.msg, "mount point"));
	assert_contents("/workspace/sub/mnt/keep", "keep");
	ck_assert_errno(files_remove(&tree_root, "/workspace/sub/mnt", true, &e), EBUSY);
	assert_contents("/workspace/sub/mnt/keep", "keep");
}
END_TEST

START_TEST(test_mkdir)
{
	struct sbx_error e = {};

	umask(0077);
	ck_assert_int_eq(files_mkdir(&tree_root, "/workspace/d", 0, false, NULL), 1);
	assert_owner_mode("/workspace/d", TREE_UID, TREE_GID, 0755);
	ck_assert_int_eq(files_mkdir(&tree_root, "/workspace/t", 01777, false, NULL), 1);
	assert_owner_mode("/workspace/t", TREE_UID, TREE_GID, 01777);
	ck_assert_int_eq(files_mkdir(&tree_root, "/workspace/s", 02750, false, NULL), 1);
	assert_owner_mode("/workspace/s", TREE_UID, TREE_GID, 0750);

	ck_assert_errno(files_mkdir(&tree_root, "/workspace/d", 0, false, &e), EEXIST);
	ck_assert_int_eq(files_mkdir(&tree_root, "/workspace/d", 0, true, NULL), 0);
	ck_assert_errno(files_mkdir(&tree_root, "/workspace/hello.txt", 0, true, &e), EEXIST);
	ck_assert_ptr_nonnull(strstr(e.msg, "other than a directory"));
	ck_assert_errno(files_mkdir(&tree_root, "/workspace/x/y", 0, false, NULL), ENOENT);

	ck_assert_int_eq(files_mkdir(&tree_root, "/workspace/x/y/z", 0700, true, NULL), 1);
	assert_owner_mode("/workspace/x", TREE_UID, TREE_GID, 0755);
	assert_owner_mode("/workspace/x/y", TREE_UID, TREE_GID, 0755);
	assert_owner_mode("/workspace/x/y/z", TREE_UID, TREE_GID, 0700);
	ck_assert_int_eq(files_mkdir(&tree_root, "/", 0, true, NULL), 0);
	ck_assert_errno(files_mkdir(&tree_root, "/", 0, false, NULL), EEXIST);
	ck_assert_errno(files_mkdir(&tree_root, "/workspace/hello.txt/x", 0, true, NULL), ENOTDIR);
}
END_TEST

START_TEST(test_move)
{
	struct sbx_error e = {};

	ck_assert_ok(files_move(&tree_root, "/workspace/hello.txt", "/workspace/sub/moved", false,
				NULL));
	assert_contents("/workspace/sub/moved", "hello\n");
	ck_assert_int_eq(access(tree_path("/workspace/hello.txt"), F_OK), -1);

	/* No overwrite: both stay. */
	ck_assert_errno(files_move(&tree_root, "/workspace/sub/moved", "/workspace/sub/inner.txt",
				   false, &e),
			EEXIST);
	ck_assert_ptr_nonnull(strstr(e.msg, "no overwrite"));
	assert_contents("/workspace/sub/moved", "hello\n");
	assert_contents("/workspace/sub/inner.txt", "inner\n");
	ck_assert_ok(files_move(&tree_root, "/workspace/sub/moved", "/workspace/sub/inner.txt",
				true, NULL));
	assert_contents("/workspace/sub/inner.txt", "hello\n");
	ck_assert_uint_eq(count_entries("/workspace/sub"), 1);

	/* Directories: not below themselves, not over a non-empty one, over an empty one. */
	ck_assert_errno(files_move(&tree_root, "/workspace/sub", "/workspace/sub/in", false, &e),
			EINVAL);
	ck_assert_ptr_nonnull(strstr(e.msg, "below itself"));
	ck_assert_int_eq(mkdir(tree_path("/workspace/other"), 0755), 0);
	tree_put("/workspace/other/x", "x", 0644);
	ck_assert_errno(files_move(&tree_root, "/workspace/sub", "/workspace/other", true, NULL),
			ENOTEMPTY);
	ck_assert_ok(files_remove(&tree_root, "/workspace/other/x", false, NULL));
	ck_assert_ok(files_move(&tree_root, "/workspace/sub", "/workspace/other", true, NULL));
	assert_contents("/workspace/other/inner.txt", "hello\n");

	ck_assert_errno(files_move(&tree_root, "/workspace/missing", "/workspace/x", false, NULL),
			ENOENT);
	ck_assert_errno(files_move(&tree_root, "/workspace/other", "/workspace/no/x", false, NULL),
			ENOENT);
	ck_assert_errno(files_move(&tree_root, "/", "/workspace/x", false, NULL), EBUSY);
	ck_assert_errno(files_move(&tree_root, "/workspace", "/", true, NULL), EBUSY);

	/* Across a mount. */
	tree_mount_tmpfs("/workspace/m", "64k");
	ck_assert_errno(
		files_move(&tree_root, "/workspace/other/inner.txt", "/workspace/m/x", false, &e),
		EXDEV);
	ck_assert_ptr_nonnull(strstr(e.msg, "different mounts"));
}
END_TEST

/* The daemon may run file calls with the session's fsuid/fsgid (no CAP_CHOWN or DAC override
 * in effect): reopening through /proc/self/fd still works, a replaced file the session may not
 * chown becomes the session's, and the host's permission checks apply as the session. */
START_TEST(test_session_fsuid)
{
	uint64_t size;
	char buf[16];
	size_t n;

	ck_assert_int_eq(chown(tree_path("/workspace"), TREE_UID, TREE_GID), 0);
	tree_put("/workspace/private", "p", 0600);
	(void)setfsgid(TREE_GID);
	(void)setfsuid(TREE_UID);
	ck_assert_int_eq(setfsuid((uid_t)-1), TREE_UID);

	ck_assert_ok(files_read(&tree_root, "/workspace/hello.txt", 0, buf, sizeof(buf), &n, &size,
				NULL));
	ck_assert_errno(
		files_read(&tree_root, "/workspace/private", 0, buf, sizeof(buf), &n, &size, NULL),
		EACCES);
	ck_assert_errno(files_write(&tree_root, "/workspace/hello.txt", FILES_WRITE_TRUNCATE, "x",
				    1, 0, false, &size, NULL),
			EACCES);
	ck_assert_ok(files_write(&tree_root, "/workspace/hello.txt", FILES_WRITE_REPLACE, "new\n",
				 4, 0, false, &size, NULL));
	ck_assert_ok(files_write(&tree_root, "/workspace/d/e/f", FILES_WRITE_TRUNCATE, "f", 1, 0640,
				 true, &size, NULL));
	ck_assert_int_eq(files_mkdir(&tree_root, "/workspace/m", 0700, false, NULL), 1);
	ck_assert_errno(files_write(&tree_root, "/etc/new", FILES_WRITE_REPLACE, "x", 1, 0, false,
				    &size, NULL),
			EACCES);

	(void)setfsuid(0);
	(void)setfsgid(0);
	assert_contents("/workspace/hello.txt", "new\n");
	assert_owner_mode("/workspace/hello.txt", TREE_UID, TREE_GID, 0644);
	assert_owner_mode("/workspace/d", TREE_UID, TREE_GID, 0755);
	assert_owner_mode("/workspace/d/e/f", TREE_UID, TREE_GID, 0640);
	assert_owner_mode("/workspace/m", TREE_UID, TREE_GID, 0700);
	ck_assert_int_eq(access(tree_path("/etc/new"), F_OK), -1);
}
END_TEST

static Suite *files_suite(void)
{
	Suite *s = suite_create("files");
	TCase *tc = tcase_create("files");

	tcase_set_timeout(tc, 30);
	tcase_add_unchecked_fixture(tc, tree_run_setup, tree_run_teardown);
	tcase_add_checked_fixture(tc, tree_setup, tree_teardown);
	tcase_add_test(tc, test_read);
	tcase_add_test(tc, test_special_files_refused);
	tcase_add_test(tc, test_write_modes);
	tcase_add_test(tc, test_write_zero_bytes);
	tcase_add_test(tc, test_write_make_parents);
	tcase_add_test(tc, test_quota);
	tcase_add_test(tc, test_remove);
	tcase_add_test(tc, test_remove_bounds);
	tcase_add_test(tc, test_mkdir);
	tcase_add_test(tc, test_move);
	tcase_add_test(tc, test_session_fsuid);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	if (geteuid() != 0) {
		fprintf(stderr, "skipped: the file tools tests need root (chown, mknod, mount)\n");
		return 77;
	}
	return test_run_suite(files_suite());
}

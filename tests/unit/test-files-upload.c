/* SPDX-License-Identifier: MIT */
/* tools/files-upload.c: chunked atomic replace, abort, the temporary's owner and name, quota
 * failures in the middle of an upload, a directory appearing before the commit, and concurrent
 * writers (with a reader that must only ever see one writer's whole contents). Needs root
 * (skips with 77). */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "files-tree.h"
#include "files.h"
#include "macro.h"
#include "test-util.h"

#define KI 1024

/* The one temporary in a sandbox dir, or NULL. */
static char *find_temporary(const char *sandbox_dir)
{
	_cleanup_closedir_ DIR *d = opendir(tree_path(sandbox_dir));
	struct dirent *de;
	char *found = NULL;

	ck_assert_ptr_nonnull(d);
	while ((de = readdir(d)))
		if (strncmp(de->d_name, ".sbx-upload-", 12) == 0) {
			ck_assert_ptr_null(found);
			found = strdup(de->d_name);
		}
	return found;
}

START_TEST(test_chunks)
{
	_cleanup_(files_upload_abortp) struct files_upload *u = NULL;
	_cleanup_free_ char *tmp = NULL, *got = NULL;
	char tmp_path[128];
	struct stat st;
	struct sbx_error e = {};

	ck_assert_ok(files_upload_begin(&tree_root, "/workspace/hello.txt", 0640, false, &u, NULL));
	tmp = find_temporary("/workspace");
	ck_assert_ptr_nonnull(tmp);
	ck_assert_uint_eq(strlen(tmp), strlen(".sbx-upload-XXXXXX"));
	snprintf(tmp_path, sizeof(tmp_path), "/workspace/%s", tmp);
	/* The temporary already has the replaced file's owner (root here) and the mode asked. */
	ck_assert_int_eq(stat(tree_path(tmp_path), &st), 0);
	ck_assert_uint_eq(st.st_uid, 0);
	ck_assert_uint_eq(st.st_gid, 0);
	ck_assert_uint_eq(st.st_mode & 07777, 0640);

	ck_assert_ok(files_upload_write(u, "one ", 4, NULL));
	ck_assert_ok(files_upload_write(u, NULL, 0, NULL));
	ck_assert_ok(files_upload_write(u, "two\n", 4, NULL));
	ck_assert_uint_eq(files_upload_size(u), 8);
	/* Readers see the old file until the commit. */
	got = tree_slurp(tree_path("/workspace/hello.txt"));
	ck_assert_str_eq(got, "hello\n");
	free(got);

	ck_assert_ok(files_upload_commit(u, NULL));
	got = tree_slurp(tree_path("/workspace/hello.txt"));
	ck_assert_str_eq(got, "one two\n");
	ck_assert_ptr_null(find_temporary("/workspace"));
	/* The file kept its owner (root here); mode as asked. */
	ck_assert_int_eq(stat(tree_path("/workspace/hello.txt"), &st), 0);
	ck_assert_uint_eq(st.st_uid, 0);
	ck_assert_uint_eq(st.st_mode & 07777, 0640);

	ck_assert_errno(files_upload_write(u, "x", 1, &e), ESTALE);
	ck_assert_errno(files_upload_commit(u, NULL), ESTALE);
	ck_assert_uint_eq(files_upload_size(u), 8);
}
END_TEST

START_TEST(test_abort)
{
	struct files_upload *u = NULL;
	_cleanup_free_ char *got = NULL;

	ck_assert_ok(files_upload_begin(&tree_root, "/workspace/new", 0, false, &u, NULL));
	ck_assert_ok(files_upload_write(u, "partial", 7, NULL));
	{
		_cleanup_free_ char *tmp = find_temporary("/workspace");
		char p[128];
		struct stat st;

		/* A new file's temporary belongs to the session from the start. */
		snprintf(p, sizeof(p), "/workspace/%s", tmp);
		ck_assert_int_eq(stat(tree_path(p), &st), 0);
		ck_assert_uint_eq(st.st_uid, TREE_UID);
		ck_assert_uint_eq(st.st_gid, TREE_GID);
		ck_assert_uint_eq(st.st_mode & 07777, 0644);
	}
	ck_assert_ptr_null(files_upload_abort(u));
	ck_assert_ptr_null(find_temporary("/workspace"));
	ck_assert_int_eq(access(tree_path("/workspace/new"), F_OK), -1);
	ck_assert_ptr_null(files_upload_abort(NULL));

	/* Aborting never unlinks what a sandbox process put in the temporary's place. */
	ck_assert_ok(files_upload_begin(&tree_root, "/workspace/hello.txt", 0, false, &u, NULL));
	{
		_cleanup_free_ char *tmp = find_temporary("/workspace");
		char from[128], to[128];

		snprintf(from, sizeof(from), "/workspace/%s", tmp);
		snprintf(to, sizeof(to), "%s", tree_path(from));
		ck_assert_int_eq(rename(to, tree_path("/workspace/stolen")), 0);
		tree_put(from, "planted", 0644);
		ck_assert_errno(files_upload_commit(u, NULL), ESTALE);
		files_upload_abort(u);
		got = tree_slurp(tree_path(from));
		ck_assert_str_eq(got, "planted");
	}
	free(got);
	got = tree_slurp(tree_path("/workspace/hello.txt"));
	ck_assert_str_eq(got, "hello\n");
}
END_TEST

START_TEST(test_target_changes)
{
	_cleanup_(files_upload_abortp) struct files_upload *u = NULL;
	struct sbx_error e = {};

	/* A directory appears at the path before the commit. */
	ck_assert_ok(files_upload_begin(&tree_root, "/workspace/t", 0, false, &u, NULL));
	ck_assert_ok(files_upload_write(u, "x", 1, NULL));
	ck_assert_int_eq(mkdir(tree_path("/workspace/t"), 0755), 0);
	ck_assert_errno(files_upload_commit(u, &e), EISDIR);
	ck_assert_ptr_nonnull(strstr(e.msg, "it is a directory"));
	u = files_upload_abort(u);
	ck_assert_ptr_null(find_temporary("/workspace"));

	/* A symlink appears there: refused rather than replaced. */
	ck_assert_ok(files_upload_begin(&tree_root, "/workspace/s", 0, false, &u, NULL));
	ck_assert_int_eq(symlink(tree_outside("secret"), tree_path("/workspace/s")), 0);
	ck_assert_errno(files_upload_commit(u, NULL), ELOOP);
	u = files_upload_abort(u);
	tree_assert_outside_intact();

	/* The directory disappears (the fd keeps it: the rename still lands in it). */
	ck_assert_int_eq(mkdir(tree_path("/workspace/gone"), 0755), 0);
	ck_assert_ok(files_upload_begin(&tree_root, "/workspace/gone/f", 0, false, &u, NULL));
	ck_assert_int_eq(rename(tree_path("/workspace/gone"), tree_path("/workspace/moved")), 0);
	ck_assert_ok(files_upload_commit(u, NULL));
	ck_assert_int_eq(access(tree_path("/workspace/moved/f"), F_OK), 0);
}
END_TEST

/* An upload running into the quota in its third chunk: -ENOSPC, the chunk does not land, the
 * old file stays. */
START_TEST(test_quota_mid_upload)
{
	_cleanup_(files_upload_abortp) struct files_upload *u = NULL;
	_cleanup_free_ char *chunk = malloc(256 * KI);
	_cleanup_free_ char *got = NULL;
	struct stat st;
	char tmp_path[128];
	_cleanup_free_ char *tmp = NULL;
	uint64_t size;

	ck_assert_ptr_nonnull(chunk);
	memset(chunk, 'z', 256 * KI);
	tree_mount_tmpfs("/workspace/q", "1M");
	ck_assert_ok(files_write(&tree_root, "/workspace/q/f", FILES_WRITE_TRUNCATE, "old\n", 4, 0,
				 false, &size, NULL));
	ck_assert_ok(files_upload_begin(&tree_root, "/workspace/q/f", 0, false, &u, NULL));
	ck_assert_ok(files_upload_write(u, chunk, 256 * KI, NULL));
	ck_assert_ok(files_upload_write(u, chunk, 256 * KI, NULL));
	ck_assert_ok(files_upload_write(u, chunk, 256 * KI, NULL));
	ck_assert_errno(files_upload_write(u, chunk, 256 * KI, NULL), ENOSPC);
	ck_assert_uint_eq(files_upload_size(u), 768 * KI);
	tmp = find_temporary("/workspace/q");
	snprintf(tmp_path, sizeof(tmp_path), "/workspace/q/%s", tmp);
	ck_assert_int_eq(stat(tree_path(tmp_path), &st), 0);
	ck_assert_int_eq(st.st_size, 768 * KI);
	u = files_upload_abort(u);
	got = tree_slurp(tree_path("/workspace/q/f"));
	ck_assert_str_eq(got, "old\n");
	ck_assert_ptr_null(find_temporary("/workspace/q"));
}
END_TEST

#define WRITERS	    8
#define ROUNDS	    25
#define WRITE_BYTES (64 * KI)

struct writer {
	char fill;
	int failures;
};

static void *writer_loop(void *arg)
{
	struct writer *w = arg;
	_cleanup_free_ char *data = malloc(WRITE_BYTES);

	if (!data)
		return NULL;
	memset(data, w->fill, WRITE_BYTES);
	for (int i = 0; i < ROUNDS; i++) {
		uint64_t size;

		/* Half in one call, half in chunks. */
		if (i % 2 == 0) {
			if (files_write(&tree_root, "/workspace/shared", FILES_WRITE_REPLACE, data,
					WRITE_BYTES, 0, false, &size, NULL) < 0)
				w->failures++;
		} else {
			struct files_upload *u = NULL;

			if (files_upload_begin(&tree_root, "/workspace/shared", 0, false, &u,
					       NULL) < 0 ||
			    files_upload_write(u, data, WRITE_BYTES / 2, NULL) < 0 ||
			    files_upload_write(u, data + WRITE_BYTES / 2, WRITE_BYTES / 2, NULL) <
				    0 ||
			    files_upload_commit(u, NULL) < 0)
				w->failures++;
			files_upload_abort(u);
		}
	}
	return NULL;
}

/* Every read sees one writer's whole contents: a single fill byte over exactly WRITE_BYTES. */
static void assert_whole(const char *buf, size_t n)
{
	size_t i = 1;

	ck_assert_uint_eq(n, WRITE_BYTES);
	/* One assertion per read, not per byte: Check records every passing one. */
	while (i < n && buf[i] == buf[0])
		i++;
	ck_assert_msg(i == n, "mixed contents at byte %zu", i);
	ck_assert(buf[0] >= 'a' && buf[0] < 'a' + WRITERS);
}

START_TEST(test_concurrent_writers)
{
	struct writer writers[WRITERS] = {};
	pthread_t threads[WRITERS];
	_cleanup_free_ char *buf = malloc(2 * WRITE_BYTES);
	unsigned reads = 0;
	uint64_t size;
	size_t n;

	ck_assert_ptr_nonnull(buf);
	memset(buf, 'a', WRITE_BYTES);
	ck_assert_ok(files_write(&tree_root, "/workspace/shared", FILES_WRITE_REPLACE, buf,
				 WRITE_BYTES, 0, false, &size, NULL));
	for (int i = 0; i < WRITERS; i++) {
		writers[i].fill = (char)('a' + i);
		ck_assert_int_eq(pthread_create(&threads[i], NULL, writer_loop, &writers[i]), 0);
	}
	/* Read while they write: never a mix, never a short file. */
	for (unsigned i = 0; i < 200; i++) {
		ck_assert_ok(files_read(&tree_root, "/workspace/shared", 0, buf, 2 * WRITE_BYTES,
					&n, &size, NULL));
		assert_whole(buf, n);
		reads++;
	}
	for (int i = 0; i < WRITERS; i++) {
		ck_assert_int_eq(pthread_join(threads[i], NULL), 0);
		ck_assert_int_eq(writers[i].failures, 0);
	}
	ck_assert_ok(files_read(&tree_root, "/workspace/shared", 0, buf, 2 * WRITE_BYTES, &n, &size,
				NULL));
	assert_whole(buf, n);
	ck_assert_ptr_null(find_temporary("/workspace"));
	ck_assert_uint_eq(reads, 200);
}
END_TEST

static Suite *files_upload_suite(void)
{
	Suite *s = suite_create("files-upload");
	TCase *tc = tcase_create("upload");

	tcase_set_timeout(tc, 60);
	tcase_add_unchecked_fixture(tc, tree_run_setup, tree_run_teardown);
	tcase_add_checked_fixture(tc, tree_setup, tree_teardown);
	tcase_add_test(tc, test_chunks);
	tcase_add_test(tc, test_abort);
	tcase_add_test(tc, test_target_changes);
	tcase_add_test(tc, test_quota_mid_upload);
	tcase_add_test(tc, test_concurrent_writers);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	if (geteuid() != 0) {
		fprintf(stderr, "skipped: the file tools tests need root (chown, mknod, mount)\n");
		return 77;
	}
	return test_run_suite(files_upload_suite());
}

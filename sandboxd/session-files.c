/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/fsuid.h>
#include <sys/prctl.h>
#include <unistd.h>

#include "ids.h"
#include "macro.h"
#include "session-files.h"
#include "session.h"

void session_files_enter(const struct files_root *root)
{
	(void)setfsgid(root->gid);
	(void)setfsuid(root->uid);
}

void session_files_leave(void)
{
	/* Back to root: the capabilities of the file system set return with fsuid 0. */
	(void)setfsuid(geteuid());
	(void)setfsgid(getegid());
	/* Changing fs ids made us non-dumpable, which every sandbox cloned from us would
	 * inherit: then not even we could open its namespaces (ptrace access checks). */
	(void)prctl(PR_SET_DUMPABLE, 1, 0, 0, 0);
}

int session_files_root(struct session *s, struct files_root *ret, struct sbx_error *reterr)
{
	if (s->root_fd < 0) {
		char path[64];

		/* PID 1's root is the sandbox's root, in its own mount namespace. */
		snprintf(path, sizeof(path), "/proc/%d/root", (int)sandbox_pid(s->sandbox));
		s->root_fd = open(path, O_PATH | O_DIRECTORY | O_CLOEXEC);
		if (s->root_fd < 0)
			return sbx_fail(reterr, negative_errno(), "open the root of session %s",
					s->id);
	}
	*ret = (struct files_root){
		.fd = s->root_fd,
		.uid = sandbox_host_uid(s->sandbox),
		.gid = (gid_t)sandbox_host_uid(s->sandbox),
	};
	return 0;
}

static void upload_free(struct session_upload *up)
{
	struct session *s = up->session;
	struct files_root root;

	for (struct session_upload **pp = &s->uploads; *pp; pp = &(*pp)->next)
		if (*pp == up) {
			*pp = up->next;
			s->n_uploads--;
			break;
		}
	sd_event_source_disable_unref(up->idle);
	if (up->upload && session_files_root(s, &root, NULL) >= 0) {
		session_files_enter(&root);
		files_upload_abort(up->upload);
		session_files_leave();
	} else
		files_upload_abort(up->upload);
	free(up->path);
	free(up);
}

static int on_idle(sd_event_source *src, uint64_t usec, void *userdata)
{
	(void)src;
	(void)usec;
	upload_free(userdata);
	return 0;
}

static void touch(struct session_upload *up)
{
	(void)sd_event_source_set_time_relative(up->idle, SESSION_UPLOAD_IDLE_MS * 1000ULL);
	(void)sd_event_source_set_enabled(up->idle, SD_EVENT_ONESHOT);
}

int session_upload_start(struct session *s, uid_t owner, const char *path, uint32_t mode,
			 bool make_parents, struct session_upload **ret, struct sbx_error *reterr)
{
	struct session_upload *up;
	struct files_root root;
	int r;

	if (s->n_uploads >= SESSION_UPLOADS_MAX)
		return sbx_fail(reterr, -EUSERS, "start an upload in session %s: %d are under way",
				s->id, SESSION_UPLOADS_MAX);
	r = session_files_root(s, &root, reterr);
	if (r < 0)
		return r;
	up = calloc(1, sizeof(*up));
	if (!up)
		return sbx_fail(reterr, -ENOMEM, "start an upload");
	up->session = s;
	up->owner = owner;
	up->next = s->uploads;
	s->uploads = up;
	s->n_uploads++;
	up->path = strdup(path);
	if (!up->path || id_new('u', up->id) < 0) {
		upload_free(up);
		return sbx_fail(reterr, -ENOMEM, "start an upload");
	}
	session_files_enter(&root);
	r = files_upload_begin(&root, path, mode, make_parents, &up->upload, reterr);
	session_files_leave();
	if (r >= 0)
		r = sd_event_add_time_relative(s->daemon->event, &up->idle, CLOCK_MONOTONIC,
					       SESSION_UPLOAD_IDLE_MS * 1000ULL, 1000000, on_idle,
					       up);
	if (r < 0) {
		upload_free(up);
		return reterr && reterr->code ? reterr->code
					      : sbx_fail(reterr, r, "start an upload");
	}
	*ret = up;
	return 0;
}

struct session_upload *session_upload_find(struct session *s, uid_t owner, const char *id)
{
	for (struct session_upload *up = s->uploads; up; up = up->next)
		if (strcmp(up->id, id) == 0 && (owner == 0 || owner == up->owner)) {
			touch(up);
			return up;
		}
	return NULL;
}

int session_upload_end(struct session_upload *up, bool commit, struct sbx_error *reterr)
{
	struct files_root root;
	int r = 0;

	if (commit) {
		r = session_files_root(up->session, &root, reterr);
		if (r >= 0) {
			session_files_enter(&root);
			r = files_upload_commit(up->upload, reterr);
			session_files_leave();
		}
	}
	upload_free(up);
	return r;
}

void session_files_done(struct session *s)
{
	while (s->uploads)
		upload_free(s->uploads);
	s->root_fd = safe_close(s->root_fd);
}

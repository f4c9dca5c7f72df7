/* SPDX-License-Identifier: MIT */
/* Session lifecycle. The sandbox comes from runtime/sandbox.h in session mode; its control
 * channel is watched on the event loop; a channel that closes means the sandbox died, and the
 * session goes with it. Expiry is one timer at the earlier of the two deadlines.
 *
 * Sessions outlive the daemon: sandbox-init keeps running when the channel closes, until the
 * session's absolute TTL (INIT_MSG_DEADLINE), and accepts the next daemon on the session's
 * init socket (init-link.c). That daemon finds the session's record (session-record.c),
 * adopts the sandbox, and reads sandbox-init's snapshot: commands of jobs go on (job.c), every
 * other command of the old daemon is killed. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <time.h>
#include <unistd.h>

#include "time-util.h"
#include "exec.h"
#include "history.h"
#include "ids.h"
#include "session-files.h"
#include "rpc-watch.h"
#include "session-egress.h"
#include "init-control.h"
#include "job.h"
#include "log.h"
#include "macro.h"
#include "pool.h"
#include "session-record.h"
#include "session.h"
#include "state.h"

const char *const session_default_env[] = {
	"PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
	"HOME=/workspace",
	"LANG=C.UTF-8",
	NULL,
};

static int arm_expiry(struct session *s);

static int on_expire(sd_event_source *src, uint64_t usec, void *userdata)
{
	struct session *s = userdata;

	(void)src;
	(void)usec;
	/* Calls push the idle expiry back without moving the timer (session_touch()): a timer
	 * that fires early is set again for the deadline now in force. */
	if (time_realtime_ms() < MIN(s->expires_ms, s->idle_expires_ms)) {
		if (arm_expiry(s) >= 0 &&
		    sd_event_source_set_enabled(s->expire_source, SD_EVENT_ONESHOT) >= 0)
			return 0;
	}
	session_destroy(s, time_realtime_ms() >= s->expires_ms ? "its TTL expired"
							       : "it was idle for its idle TTL");
	return 0;
}

static int arm_expiry(struct session *s)
{
	uint64_t when_ms = MIN(s->expires_ms, s->idle_expires_ms);

	if (!s->expire_source)
		return sd_event_add_time(s->daemon->event, &s->expire_source, CLOCK_REALTIME,
					 when_ms * 1000ULL, 100000ULL, on_expire, s);
	return sd_event_source_set_time(s->expire_source, when_ms * 1000ULL);
}

/* Records read per wakeup: PID 1 speaks for code we do not trust, so it never gets to keep the
 * daemon's single thread from its other clients (epoll calls again while more are queued). */
#define SESSION_CTL_BATCH 64

/* A record of an adopted session's snapshot: what the earlier daemon left running. */
static void handle_snapshot(struct session *s, const struct init_msg *m, int fds[2])
{
	if (m->type == INIT_MSG_ADOPTED) {
		sandbox_adopt_lock(s->sandbox, TAKE_FD(fds[0]));
		s->adopting = false;
		job_adopt_end(s->daemon, s->id);
		log_info("session %s taken over", s->id);
		return;
	}
	if (job_adopt_exec(s->daemon, s, m, fds))
		return;
	/* A command of the earlier daemon that no job waits for (a synchronous exec, whose
	 * caller is gone): it ends here. */
	if (m->type == INIT_MSG_RUNNING)
		(void)init_control_send_signal(s->ctl, m->id, SIGKILL);
}

static int on_ctl(sd_event_source *src, int fd, uint32_t revents, void *userdata)
{
	struct session *s = userdata;

	(void)src;
	(void)revents;
	for (int i = 0; i < SESSION_CTL_BATCH; i++) {
		int fds[2] = {-EBADF, -EBADF};
		struct init_msg m;
		int r = init_control_recv(fd, &m, fds);

		if (r == -EAGAIN)
			return 0;
		if (r < 0) {
			/* PID 1 is gone (or spoke nonsense, which only a compromised PID 1 does).
			 */
			session_destroy(s, r == -ECONNRESET
						   ? "its sandbox exited"
						   : "its sandbox sent a malformed record");
			return 0;
		}
		if (m.type == INIT_MSG_PROXY_CONN)
			session_egress_connection(s, m.id, TAKE_FD(fds[0]));
		else if (s->adopting)
			handle_snapshot(s, &m, fds);
		else
			exec_handle_init_msg(s, m.id, m.type, m.value, m.cpu_usec, m.maxrss_kib);
		safe_close(fds[0]);
		safe_close(fds[1]);
	}
	return 0;
}

static struct session *session_free(struct session *s)
{
	if (!s)
		return NULL;
	sd_event_source_disable_unref(s->ctl_source);
	sd_event_source_disable_unref(s->expire_source);
	safe_close(s->ctl);
	safe_close(s->history_fd);
	rpc_watch_end_all(s);
	session_egress_done(s);
	session_files_done(s);
	session_policy_done(&s->policy);
	sandbox_free(s->sandbox);
	for (size_t i = 0; i < s->n_labels; i++) {
		free(s->labels[i].key);
		free(s->labels[i].value);
	}
	free(s->labels);
	free(s->image);
	free(s);
	return NULL;
}

static int copy_labels(struct session *s, const struct session_label *l, size_t n)
{
	s->labels = calloc(n ? n : 1, sizeof(*s->labels));
	if (!s->labels)
		return -ENOMEM;
	for (size_t i = 0; i < n; i++) {
		s->labels[i].key = strdup(l[i].key);
		s->labels[i].value = strdup(l[i].value);
		s->n_labels++;
		if (!s->labels[i].key || !s->labels[i].value)
			return -ENOMEM;
	}
	return 0;
}

void session_sandbox_spec(struct daemon *d, const struct session_params *p,
			  struct sandbox_spec *ret, struct sandbox_bind *binds)
{
	size_t n = 0;

	for (size_t i = 0; i < p->n_binds; i++)
		binds[n++] = p->binds[i];
	if (d->browse_dir[0])
		binds[n++] =
			(struct sandbox_bind){.source = d->browse_dir, .target = SESSION_TOOLS_DIR};
	*ret = (struct sandbox_spec){
		.image = p->image && *p->image ? p->image : SANDBOX_IMAGE_HOST,
		.env = session_default_env,
		.workspace_size = p->disk_bytes,
		.tmp_size = SANDBOX_TMP_SIZE_DEFAULT,
		.limits = {.memory_max = p->memory_bytes,
			   .pids_max = p->pids,
			   .cpu_millis = p->cpu_millis,
			   .nofile = SANDBOX_NOFILE_DEFAULT},
		.binds = binds,
		.n_binds = n,
		.stdio = {-1, -1, -1},
		.session = true,
		.control_fd = -1,
		.listen_fd = -1,
	};
}

int session_sandbox_start(struct daemon *d, const struct session_params *p, struct sandbox **ret_sb,
			  int *ret_ctl, char init_socket[static INIT_LINK_NAME_LEN + 1],
			  struct sbx_error *reterr)
{
	_cleanup_close_ int ctl = -EBADF, listen_fd = -EBADF;
	struct sandbox_bind binds[SESSION_BINDS_MAX + 1];
	struct sandbox_spec spec;
	int fds[2], r;

	session_sandbox_spec(d, p, &spec, binds);
	r = init_link_listen(d, init_socket, &listen_fd);
	if (r < 0)
		return sbx_fail(reterr, r, "create a session's init socket");
	r = init_control_pair(fds);
	if (r < 0) {
		init_link_remove(d, init_socket);
		return sbx_fail(reterr, r, "create a session's control channel");
	}
	ctl = fds[0];
	spec.control_fd = fds[1];
	spec.listen_fd = listen_fd;
	r = fcntl(ctl, F_SETFL, O_NONBLOCK) < 0
		    ? sbx_fail(reterr, negative_errno(), "create a session's control channel")
		    : sandbox_create(d->runtime, &spec, ret_sb, reterr);
	safe_close(fds[1]);
	if (r < 0) {
		init_link_remove(d, init_socket);
		return r;
	}
	*ret_ctl = TAKE_FD(ctl);
	return 0;
}

/* A sandbox for the session: a warm one with the session's limits set, or a new one. */
static int session_sandbox(struct session *s, const struct session_params *p,
			   struct sbx_error *reterr)
{
	if (pool_take(s->daemon->pool, p, &s->sandbox, &s->ctl, s->init_socket) >= 0) {
		s->warm = true;
		return sandbox_set_limits(s->sandbox,
					  &(struct sandbox_limits){.memory_max = p->memory_bytes,
								   .pids_max = p->pids,
								   .cpu_millis = p->cpu_millis},
					  reterr);
	}
	return session_sandbox_start(s->daemon, p, &s->sandbox, &s->ctl, s->init_socket, reterr);
}

int session_create(struct daemon *d, uid_t owner, const struct session_params *p,
		   struct session_policy *sp, struct session **ret, struct sbx_error *reterr)
{
	struct session *s;
	int r;

	if (d->n_sessions >= d->cfg.sessions_max) {
		session_policy_done(sp);
		return sbx_fail(reterr, -EUSERS, "create a session: %u sessions exist, the maximum",
				d->n_sessions);
	}
	s = calloc(1, sizeof(*s));
	if (!s) {
		session_policy_done(sp);
		return sbx_fail(reterr, -ENOMEM, "create a session");
	}
	s->policy = *sp;
	*sp = (struct session_policy){};
	s->daemon = d;
	s->ctl = s->history_fd = s->root_fd = -EBADF;
	s->owner = owner;
	s->memory_bytes = p->memory_bytes;
	s->pids = p->pids;
	s->cpu_millis = p->cpu_millis;
	s->disk_bytes = p->disk_bytes;
	s->image = strdup(p->image && *p->image ? p->image : SANDBOX_IMAGE_HOST);
	s->next_exec_id = 1;
	r = s->image ? copy_labels(s, p->labels, p->n_labels) : -ENOMEM;
	if (r >= 0)
		r = id_new('s', s->id);
	if (r < 0) {
		session_free(s);
		return sbx_fail(reterr, r, "create a session");
	}

	r = session_sandbox(s, p, reterr);
	if (r < 0) {
		session_free(s);
		return r;
	}

	s->created_ms = time_realtime_ms();
	s->expires_ms = s->created_ms + p->ttl_ms;
	s->idle_ttl_ms = p->idle_ttl_ms;
	s->idle_expires_ms = s->created_ms + p->idle_ttl_ms;
	r = sd_event_add_io(d->event, &s->ctl_source, s->ctl, EPOLLIN, on_ctl, s);
	if (r >= 0)
		r = arm_expiry(s);
	/* From here on the session may outlive us: until its TTL, with a record to find it by. */
	if (r >= 0 && !d->cfg.sessions_end_with_daemon)
		r = init_control_send_deadline(s->ctl, s->expires_ms);
	if (r >= 0)
		r = session_record_save(s);
	if (r >= 0)
		session_egress_listen(s);
	if (r < 0) {
		(void)sandbox_kill(s->sandbox);
		init_link_remove(d, s->init_socket);
		session_record_remove(d, s->id);
		session_free(s);
		return sbx_fail(reterr, r, "watch the new session");
	}
	s->next = d->sessions;
	d->sessions = s;
	d->n_sessions++;
	log_info("session %s created for uid %u (image %s%s)", s->id, (unsigned)owner, s->image,
		 s->warm ? ", from the warm pool" : "");
	*ret = s;
	return 0;
}

struct session *session_find(struct daemon *d, const char *id, uid_t uid)
{
	for (struct session *s = d->sessions; s; s = s->next)
		if (strcmp(s->id, id) == 0)
			return uid == 0 || uid == s->owner ? s : NULL;
	return NULL;
}

void session_touch(struct session *s)
{
	/* Later only: the timer, when it fires, finds the new deadline (on_expire()); a call
	 * costs no timer update. */
	s->idle_expires_ms = time_realtime_ms() + s->idle_ttl_ms;
}

int session_extend(struct session *s, uint64_t ms, struct sbx_error *reterr)
{
	uint64_t limit = s->created_ms + SESSION_TTL_MAX_MS, want;

	if (__builtin_add_overflow(s->expires_ms, ms, &want) || want > limit)
		return sbx_fail(reterr, -ERANGE,
				"extend session %s: its TTL may end at most %llu h after creation",
				s->id, (unsigned long long)(SESSION_TTL_MAX_MS / 3600000));
	s->expires_ms = want;
	if (!s->daemon->cfg.sessions_end_with_daemon)
		(void)init_control_send_deadline(s->ctl, s->expires_ms);
	if (session_record_save(s) < 0)
		log_warn("session %s: could not record its new TTL", s->id);
	return arm_expiry(s);
}

int session_pause(struct session *s, bool paused, struct sbx_error *reterr)
{
	int r;

	if (s->paused == paused)
		return 0;
	r = sandbox_freeze(s->sandbox, paused);
	if (r < 0)
		return sbx_fail(reterr, r, "%s session %s", paused ? "pause" : "resume", s->id);
	s->paused = paused;
	/* Idle time does not run while paused; the absolute TTL does. */
	if (paused)
		s->idle_expires_ms = s->expires_ms;
	else
		s->idle_expires_ms = time_realtime_ms() + s->idle_ttl_ms;
	if (session_record_save(s) < 0)
		log_warn("session %s: could not record its state", s->id);
	return arm_expiry(s);
}

bool session_has_labels(const struct session *s, const struct session_label *filter, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		bool found = false;

		for (size_t j = 0; j < s->n_labels && !found; j++)
			found = strcmp(s->labels[j].key, filter[i].key) == 0 &&
				strcmp(s->labels[j].value, filter[i].value) == 0;
		if (!found)
			return false;
	}
	return true;
}

static void unlink_session(struct session *s)
{
	for (struct session **pp = &s->daemon->sessions; *pp; pp = &(*pp)->next)
		if (*pp == s) {
			*pp = s->next;
			s->daemon->n_sessions--;
			break;
		}
}

void session_destroy(struct session *s, const char *why)
{
	unlink_session(s);
	log_info("session %s destroyed: %s", s->id, why);
	exec_cancel_all(s);
	if (s->adopting)
		job_adopt_end(s->daemon, s->id);
	if (s->sandbox)
		(void)sandbox_kill(s->sandbox);
	init_link_remove(s->daemon, s->init_socket);
	session_record_remove(s->daemon, s->id);
	history_remove(s->daemon, s->id);
	session_free(s);
}

void session_release_all(struct daemon *d)
{
	if (d->cfg.sessions_end_with_daemon) {
		while (d->sessions)
			session_destroy(d->sessions, "the daemon is stopping");
		return;
	}
	while (d->sessions) {
		struct session *s = d->sessions;

		unlink_session(s);
		exec_release_all(s);
		/* Closing the channel is what tells sandbox-init to wait for the next daemon. */
		s->sandbox = sandbox_release(s->sandbox);
		session_free(s);
	}
}

/* Takes over one session from its record; returns it, or NULL when it is gone. */
static struct session *adopt_one(struct daemon *d, const char *name)
{
	struct sandbox_ident ident;
	struct sbx_error e = {};
	struct session *s;
	int r;

	s = calloc(1, sizeof(*s));
	if (!s)
		return NULL;
	s->daemon = d;
	s->ctl = s->history_fd = s->root_fd = -EBADF;
	r = session_record_load(d, name, s, &ident);
	if (r < 0) {
		log_warn("session record '%s' unreadable (%s); removed", name, strerror(-r));
		(void)unlinkat(d->sessions_dirfd, name, 0);
		return session_free(s);
	}
	r = sandbox_adopt(d->runtime, &ident, &s->sandbox, &e);
	if (r >= 0) {
		r = init_link_connect(d, s->init_socket, &s->ctl);
		if (r < 0)
			sbx_fail(&e, r, "reach the sandbox-init of session %s", s->id);
	}
	if (r >= 0)
		r = sd_event_add_io(d->event, &s->ctl_source, s->ctl, EPOLLIN, on_ctl, s);
	if (r < 0) {
		log_info("session %s ended while no daemon ran: %s", s->id,
			 e.msg[0] ? e.msg : strerror(-r));
		job_adopt_end(d, s->id);
		if (s->sandbox)
			(void)sandbox_kill(s->sandbox);
		init_link_remove(d, s->init_socket);
		session_record_remove(d, s->id);
		history_remove(d, s->id);
		return session_free(s);
	}
	/* Ids above every one the earlier daemon can have used. */
	s->next_exec_id = time_realtime_ms() * 1000ULL;
	s->adopting = true;
	s->idle_expires_ms = s->paused ? s->expires_ms : time_realtime_ms() + s->idle_ttl_ms;
	s->next = d->sessions;
	d->sessions = s;
	d->n_sessions++;
	return s;
}

void session_adopt_all(struct daemon *d)
{
	_cleanup_closedir_ DIR *dir = NULL;
	struct dirent *de;

	if (d->sessions_dirfd < 0)
		return;
	dir = state_opendir(d->sessions_dirfd);
	if (!dir) {
		log_error("read the session records: %m");
		return;
	}
	while ((de = readdir(dir))) {
		struct session *s;

		if (strncmp(de->d_name, "s-", 2) != 0)
			continue;
		s = adopt_one(d, de->d_name);
		/* One that expired meanwhile goes now; the timer does it from the loop. */
		if (s && arm_expiry(s) < 0)
			session_destroy(s, "its expiry could not be watched");
	}
}

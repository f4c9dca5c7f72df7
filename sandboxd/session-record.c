/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ids.h"
#include "log.h"
#include "macro.h"
#include "session-record.h"
#include "state.h"
#include "state.pb-c.h"

int session_record_setup(struct daemon *d, struct sbx_error *reterr)
{
	return state_open_subdir(d->cfg.state_dir, "sessions", &d->sessions_dirfd, reterr);
}

static void file_name(const char *id, char buf[static SESSION_ID_LEN + 4])
{
	snprintf(buf, SESSION_ID_LEN + 4, "%s.pb", id);
}

int session_record_save(const struct session *s)
{
	Sandboxd__V1__Session__LabelsEntry entries[SESSION_LABELS_MAX], *labels[SESSION_LABELS_MAX];
	Sandboxd__State__V1__SessionRecord rec = SANDBOXD__STATE__V1__SESSION_RECORD__INIT;
	Sandboxd__V1__Session w = SANDBOXD__V1__SESSION__INIT;
	Sandboxd__V1__Limits l = SANDBOXD__V1__LIMITS__INIT;
	const char *skills[SESSION_SKILLS_MAX];
	struct sandbox_ident ident;
	_cleanup_free_ uint8_t *buf = NULL;
	char name[SESSION_ID_LEN + 4];
	size_t len;
	int r;

	if (s->daemon->sessions_dirfd < 0)
		return 0;
	r = sandbox_ident(s->sandbox, &ident);
	if (r < 0)
		return r;
	w.id = (char *)s->id;
	w.state = s->paused ? SANDBOXD__V1__SESSION_STATE__SESSION_PAUSED
			    : SANDBOXD__V1__SESSION_STATE__SESSION_RUNNING;
	w.image = s->image;
	l.memory_bytes = s->memory_bytes;
	l.pids = s->pids;
	l.cpu_millis = (uint32_t)s->cpu_millis;
	l.disk_bytes = s->disk_bytes;
	w.limits = &l;
	for (size_t i = 0; i < s->n_labels && i < SESSION_LABELS_MAX; i++) {
		sandboxd__v1__session__labels_entry__init(&entries[i]);
		entries[i].key = s->labels[i].key;
		entries[i].value = s->labels[i].value;
		labels[i] = &entries[i];
	}
	w.labels = labels;
	w.n_labels = MIN(s->n_labels, (size_t)SESSION_LABELS_MAX);
	w.created_unix_ms = s->created_ms;
	w.expires_unix_ms = s->expires_ms;
	w.policy_name = s->policy.name ? s->policy.name : (char *)"";
	w.n_skills = session_policy_skill_names(&s->policy, skills, SESSION_SKILLS_MAX);
	w.skills = (char **)skills;
	rec.policy_text = s->policy.text ? s->policy.text : (char *)"";
	rec.session = &w;
	rec.owner_uid = (uint32_t)s->owner;
	rec.idle_ttl_ms = s->idle_ttl_ms;
	rec.uid_slot = ident.slot;
	rec.init_pid = (int32_t)ident.pid;
	rec.init_start_ticks = ident.start_ticks;
	rec.init_socket = (char *)s->init_socket;
	rec.warm = s->warm;
	rec.history_dropped = s->history_dropped;
	len = sandboxd__state__v1__session_record__get_packed_size(&rec);
	buf = malloc(len ? len : 1);
	if (!buf)
		return -ENOMEM;
	sandboxd__state__v1__session_record__pack(&rec, buf);
	file_name(s->id, name);
	return state_replace(s->daemon->sessions_dirfd, name, buf, len);
}

static int copy_record(const Sandboxd__State__V1__SessionRecord *rec, struct session *s,
		       struct sandbox_ident *ret_ident)
{
	const Sandboxd__V1__Session *w = rec->session;

	if (!w || !id_is_valid('s', w->id) || !w->limits || !w->image || !rec->init_socket ||
	    strlen(rec->init_socket) != INIT_LINK_NAME_LEN || rec->init_pid <= 1 ||
	    w->n_labels > SESSION_LABELS_MAX)
		return -EBADMSG;
	memcpy(s->id, w->id, SESSION_ID_LEN + 1);
	memcpy(s->init_socket, rec->init_socket, INIT_LINK_NAME_LEN + 1);
	s->owner = rec->owner_uid;
	s->image = strdup(w->image);
	s->memory_bytes = w->limits->memory_bytes;
	s->pids = w->limits->pids;
	s->cpu_millis = w->limits->cpu_millis;
	s->disk_bytes = w->limits->disk_bytes;
	s->created_ms = w->created_unix_ms;
	s->expires_ms = w->expires_unix_ms;
	s->idle_ttl_ms = rec->idle_ttl_ms;
	s->paused = w->state == SANDBOXD__V1__SESSION_STATE__SESSION_PAUSED;
	s->warm = rec->warm;
	s->history_dropped = rec->history_dropped;
	s->labels = calloc(w->n_labels + 1, sizeof(*s->labels));
	if (!s->image || !s->labels)
		return -ENOMEM;
	for (size_t i = 0; i < w->n_labels; i++) {
		if (!w->labels[i]->key || !w->labels[i]->value)
			return -EBADMSG;
		s->labels[i].key = strdup(w->labels[i]->key);
		s->labels[i].value = strdup(w->labels[i]->value);
		s->n_labels++;
		if (!s->labels[i].key || !s->labels[i].value)
			return -ENOMEM;
	}
	*ret_ident = (struct sandbox_ident){
		.slot = rec->uid_slot,
		.pid = rec->init_pid,
		.start_ticks = rec->init_start_ticks,
	};
	return 0;
}

/* The session's policy as it was created with; one that no longer resolves (a named policy
 * removed or changed since) leaves the session without one: every call is then denied. */
static void resolve_policy(struct daemon *d, const Sandboxd__State__V1__SessionRecord *rec,
			   struct session *s)
{
	const Sandboxd__V1__Session *w = rec->session;
	struct sbx_error e = {};

	if (session_policy_resolve(d, w->policy_name, rec->policy_text, w->skills, w->n_skills,
				   true, &s->policy, &e) >= 0)
		return;
	log_warn("session %s: its policy no longer resolves, so every call is denied: %s", s->id,
		 e.msg);
	s->policy.name = strdup(w->policy_name && *w->policy_name ? w->policy_name : "inline");
}

int session_record_load(struct daemon *d, const char *name, struct session *s,
			struct sandbox_ident *ret_ident)
{
	Sandboxd__State__V1__SessionRecord *rec;
	_cleanup_free_ void *buf = NULL;
	char expect[SESSION_ID_LEN + 4];
	size_t len;
	int r;

	r = state_read(d->sessions_dirfd, name, SESSION_RECORD_MAX, &buf, &len);
	if (r < 0)
		return r;
	rec = sandboxd__state__v1__session_record__unpack(NULL, len, buf);
	if (!rec)
		return -EBADMSG;
	r = copy_record(rec, s, ret_ident);
	if (r >= 0) {
		file_name(s->id, expect);
		if (strcmp(expect, name) != 0)
			r = -EBADMSG; /* a record under another session's name */
	}
	if (r >= 0)
		resolve_policy(d, rec, s);
	sandboxd__state__v1__session_record__free_unpacked(rec, NULL);
	return r;
}

void session_record_remove(struct daemon *d, const char *id)
{
	char name[SESSION_ID_LEN + 4];

	if (d->sessions_dirfd < 0 || !id_is_valid('s', id))
		return;
	file_name(id, name);
	(void)unlinkat(d->sessions_dirfd, name, 0);
}

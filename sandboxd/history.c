/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

#include "time-util.h"
#include "history.h"
#include "log.h"
#include "macro.h"
#include "session-record.h"
#include "session.h"
#include "state.h"

#define HISTORY_STRING_MAX 1024 /* bytes kept of each string of an entry */

static void file_name(const char *id, char buf[static SESSION_ID_LEN + 9])
{
	snprintf(buf, SESSION_ID_LEN + 9, "%s.history", id);
}

/* The entries of a history file: offsets of each packed entry (after its length prefix). A
 * damaged tail ends the list; what came before it stays readable. */
struct parsed {
	uint8_t *buf;
	size_t len;
	size_t *off, *size;
	size_t n;
};

static void parsed_done(struct parsed *p)
{
	free(p->buf);
	free(p->off);
	free(p->size);
}

static int parse_file(struct session *s, struct parsed *ret)
{
	char name[SESSION_ID_LEN + 9];
	struct parsed p = {};
	size_t cap = 0;
	void *buf;
	int r;

	file_name(s->id, name);
	r = state_read(s->daemon->sessions_dirfd, name, 2 * (size_t)HISTORY_FILE_MAX, &buf, &p.len);
	if (r == -ENOENT) {
		*ret = p;
		return 0;
	}
	if (r < 0)
		return r;
	p.buf = buf;
	for (size_t at = 0; at + 4 <= p.len;) {
		size_t n = (size_t)p.buf[at] << 24 | (size_t)p.buf[at + 1] << 16 |
			   (size_t)p.buf[at + 2] << 8 | p.buf[at + 3];

		if (n == 0 || n > HISTORY_ENTRY_MAX || n > p.len - at - 4)
			break;
		if (p.n == cap) {
			size_t *o, *z;

			cap = cap ? 2 * cap : 64;
			o = realloc(p.off, cap * sizeof(*o));
			if (o)
				p.off = o;
			z = realloc(p.size, cap * sizeof(*z));
			if (z)
				p.size = z;
			if (!o || !z) {
				parsed_done(&p);
				return -ENOMEM;
			}
		}
		p.off[p.n] = at + 4;
		p.size[p.n++] = n;
		at += 4 + n;
	}
	*ret = p;
	return 0;
}

/* Keeps the newer half of a full file (rewritten atomically); what went is counted. */
static void compact(struct session *s)
{
	_cleanup_free_ uint8_t *out = NULL;
	char name[SESSION_ID_LEN + 9];
	struct parsed p;
	size_t keep_from, len = 0;

	if (parse_file(s, &p) < 0)
		return;
	keep_from = p.n / 2;
	out = malloc(p.len ? p.len : 1);
	if (out) {
		for (size_t i = keep_from; i < p.n; i++) {
			memcpy(out + len, p.buf + p.off[i] - 4, p.size[i] + 4);
			len += p.size[i] + 4;
		}
		file_name(s->id, name);
		if (state_replace(s->daemon->sessions_dirfd, name, out, len) >= 0) {
			s->history_dropped += keep_from;
			s->history_size = len;
			s->history_fd = safe_close(s->history_fd);
			(void)session_record_save(s);
		}
	}
	parsed_done(&p);
}

/* A copy of at most HISTORY_STRING_MAX bytes, cut before a UTF-8 continuation byte so the
 * wire's string stays valid. */
static char *cut(const char *str)
{
	size_t n = strnlen(str ? str : "", HISTORY_STRING_MAX + 1);

	if (n > HISTORY_STRING_MAX) {
		n = HISTORY_STRING_MAX;
		while (n > 0 && ((unsigned char)str[n] & 0xc0) == 0x80)
			n--;
	}
	return strndup(str ? str : "", n);
}

void history_append(struct session *s, const struct history_call *c)
{
	Sandboxd__V1__HistoryEntry e = SANDBOXD__V1__HISTORY_ENTRY__INIT;
	_cleanup_free_ char *tool = cut(c->tool), *skill = cut(c->skill), *target = cut(c->target),
			    *rule = cut(c->rule), *reason = cut(c->reason);
	uint8_t buf[4 + HISTORY_ENTRY_MAX];
	char name[SESSION_ID_LEN + 9];
	size_t n;

	if (!c->allowed)
		log_info("session %s: %s denied under skill '%s' (%s): %s", s->id,
			 c->tool ? c->tool : "?", c->skill ? c->skill : "", c->rule ? c->rule : "",
			 c->reason ? c->reason : "");
	if (s->daemon->sessions_dirfd < 0 || !tool || !skill || !target || !rule || !reason)
		return;
	e.unix_ms = time_realtime_ms();
	e.tool = tool;
	e.skill = skill;
	e.target = target;
	e.allowed = c->allowed;
	e.rule = rule;
	e.reason = reason;
	n = sandboxd__v1__history_entry__get_packed_size(&e);
	if (n == 0 || n > HISTORY_ENTRY_MAX)
		return;
	if (s->history_size + 4 + n > HISTORY_FILE_MAX)
		compact(s);
	if (s->history_fd < 0) {
		struct stat st;

		file_name(s->id, name);
		s->history_fd =
			openat(s->daemon->sessions_dirfd, name,
			       O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
		if (s->history_fd < 0)
			return;
		s->history_size = fstat(s->history_fd, &st) >= 0 ? (size_t)st.st_size : 0;
	}
	buf[0] = (uint8_t)(n >> 24);
	buf[1] = (uint8_t)(n >> 16);
	buf[2] = (uint8_t)(n >> 8);
	buf[3] = (uint8_t)n;
	sandboxd__v1__history_entry__pack(&e, buf + 4);
	/* One write: a reader never sees half an entry followed by the next. */
	if (write(s->history_fd, buf, 4 + n) == (ssize_t)(4 + n))
		s->history_size += 4 + n;
}

void history_free(Sandboxd__V1__History *h)
{
	if (!h)
		return;
	for (size_t i = 0; i < h->n_entries; i++)
		sandboxd__v1__history_entry__free_unpacked(h->entries[i], NULL);
	free(h->entries);
	free(h);
}

int history_read(struct session *s, uint32_t limit, Sandboxd__V1__History **ret)
{
	Sandboxd__V1__History *h;
	struct parsed p;
	size_t first;
	int r;

	r = parse_file(s, &p);
	if (r < 0)
		return r;
	h = calloc(1, sizeof(*h));
	if (!h) {
		parsed_done(&p);
		return -ENOMEM;
	}
	sandboxd__v1__history__init(h);
	first = limit > 0 && p.n > limit ? p.n - limit : 0;
	h->dropped = s->history_dropped;
	h->entries = calloc(p.n - first + 1, sizeof(*h->entries));
	if (!h->entries)
		r = -ENOMEM;
	for (size_t i = first; r >= 0 && i < p.n; i++) {
		Sandboxd__V1__HistoryEntry *e =
			sandboxd__v1__history_entry__unpack(NULL, p.size[i], p.buf + p.off[i]);

		if (e)
			h->entries[h->n_entries++] = e;
	}
	parsed_done(&p);
	if (r < 0) {
		history_free(h);
		return r;
	}
	*ret = h;
	return 0;
}

void history_remove(struct daemon *d, const char *session_id)
{
	char name[SESSION_ID_LEN + 9];

	if (d->sessions_dirfd < 0)
		return;
	file_name(session_id, name);
	(void)unlinkat(d->sessions_dirfd, name, 0);
}

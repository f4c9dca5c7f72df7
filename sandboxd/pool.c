/* SPDX-License-Identifier: MIT */
/* Prepared sandboxes wait here with no limits: nothing runs in them but an idle sandbox-init,
 * and a taker sets the session's limits before any command can start. Each sandbox is handed
 * out once, to one session; it is never reused. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>

#include "init-control.h"
#include "log.h"
#include "macro.h"
#include "pool.h"
#include "session.h"

struct pool_entry {
	struct pool_entry *next;
	struct sandbox *sb;
	int ctl;
	char init_socket[INIT_LINK_NAME_LEN + 1];
};

struct pool {
	struct daemon *daemon;
	unsigned size, n;
	uint64_t workspace_size;
	struct pool_entry *entries;
	sd_event_source *refill;
	unsigned failures; /* in a row: stop trying after a few, until the next take */
};

#define POOL_FAILURES_MAX 3

static int prepare_one(struct pool *p)
{
	struct session_params params = {.disk_bytes = p->workspace_size};
	struct pool_entry *e;
	struct sbx_error err = {};
	int r;

	e = calloc(1, sizeof(*e));
	if (!e)
		return -ENOMEM;
	r = session_sandbox_start(p->daemon, &params, &e->sb, &e->ctl, e->init_socket, &err);
	if (r < 0) {
		log_warn("warm pool: %s", err.msg[0] ? err.msg : "could not prepare a sandbox");
		free(e);
		return r;
	}
	e->next = p->entries;
	p->entries = e;
	p->n++;
	return 0;
}

static int on_refill(sd_event_source *s, void *userdata)
{
	struct pool *p = userdata;

	if (p->n < p->size && p->failures < POOL_FAILURES_MAX) {
		if (prepare_one(p) < 0)
			p->failures++;
		else
			p->failures = 0;
	}
	/* One sandbox per turn of the loop, so requests are never kept waiting behind a refill. */
	if (p->n < p->size && p->failures < POOL_FAILURES_MAX)
		return sd_event_source_set_enabled(s, SD_EVENT_ONESHOT);
	return 0;
}

int pool_new(struct daemon *d, unsigned size, struct pool **ret)
{
	struct pool *p = calloc(1, sizeof(*p));
	int r;

	if (!p)
		return -ENOMEM;
	p->daemon = d;
	p->size = MIN(size, (unsigned)POOL_SIZE_MAX);
	p->workspace_size = d->cfg.session_defaults.disk_bytes;
	r = sd_event_add_defer(d->event, &p->refill, on_refill, p);
	if (r >= 0)
		r = sd_event_source_set_priority(p->refill, SD_EVENT_PRIORITY_IDLE);
	if (r >= 0)
		r = sd_event_source_set_enabled(p->refill,
						p->size ? SD_EVENT_ONESHOT : SD_EVENT_OFF);
	if (r < 0) {
		pool_free(p);
		return r;
	}
	*ret = p;
	return 0;
}

struct pool *pool_free(struct pool *p)
{
	if (!p)
		return NULL;
	sd_event_source_disable_unref(p->refill);
	while (p->entries) {
		struct pool_entry *e = p->entries;

		p->entries = e->next;
		safe_close(e->ctl);
		(void)sandbox_kill(e->sb);
		sandbox_free(e->sb);
		init_link_remove(p->daemon, e->init_socket);
		free(e);
	}
	free(p);
	return NULL;
}

int pool_take(struct pool *p, const struct session_params *params, struct sandbox **ret_sb,
	      int *ret_ctl, char init_socket[static INIT_LINK_NAME_LEN + 1])
{
	struct pool_entry *e;

	if (!p || !p->entries || params->image || params->n_binds > 0 ||
	    params->disk_bytes != p->workspace_size)
		return -ENOENT;
	e = p->entries;
	p->entries = e->next;
	p->n--;
	*ret_sb = e->sb;
	*ret_ctl = e->ctl;
	memcpy(init_socket, e->init_socket, INIT_LINK_NAME_LEN + 1);
	free(e);
	p->failures = 0;
	(void)sd_event_source_set_enabled(p->refill, SD_EVENT_ONESHOT);
	return 0;
}

unsigned pool_ready(const struct pool *p)
{
	return p ? p->n : 0;
}

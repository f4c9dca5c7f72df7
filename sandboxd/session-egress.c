/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <stdbool.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <unistd.h>

#include "egress-policy.h"
#include "egress-proxy.h"
#include "history.h"
#include "init-control.h"
#include "log.h"
#include "macro.h"
#include "session-egress.h"
#include "session.h"

struct session_egress {
	struct session_egress *next;
	struct session *session;
	size_t skill;
	struct egress_policy policy; /* what the proxy's decisions are bound to */
	struct egress_proxy *proxy;
	sd_event_source *io, *timer;
};

static bool skill_has_network(const struct session *s, size_t skill)
{
	const struct policy *p = s->policy.policy;

	return p && skill < p->n_skills && skill < INIT_CONTROL_PROXIES_MAX &&
	       policy_skill_set_contains(&s->policy.skills, skill) &&
	       (p->skills[skill].tools & (1U << POLICY_TOOL_NETWORK | 1U << POLICY_TOOL_BROWSE));
}

uint16_t session_egress_port(const struct session *s, int skill)
{
	return skill >= 0 && skill_has_network(s, (size_t)skill)
		       ? (uint16_t)(SESSION_EGRESS_PORT_BASE + skill)
		       : 0;
}

void session_egress_listen(struct session *s)
{
	for (size_t i = 0; s->policy.policy && i < s->policy.policy->n_skills; i++)
		if (skill_has_network(s, i))
			(void)init_control_send_proxy_listen(s->ctl, i,
							     session_egress_port(s, (int)i));
}

static void on_record(void *userdata, const struct egress_proxy_record *r)
{
	struct session_egress *eg = userdata;
	char target[512];

	snprintf(target, sizeof(target), "%s %s:%u%s%s (%" PRIu64 " bytes up, %" PRIu64 " down)",
		 r->method[0] ? r->method : "?", r->host[0] ? r->host : "?", (unsigned)r->port,
		 r->address[0] ? " via " : "", r->address, r->bytes_up, r->bytes_down);
	history_append(eg->session,
		       &(struct history_call){
			       .tool = "network",
			       .skill = eg->session->policy.policy->skills[eg->skill].name,
			       .target = target,
			       .allowed = r->allowed,
			       .rule = r->rule,
			       .reason = r->reason,
		       });
}

static int rearm(struct session_egress *eg)
{
	uint64_t when = egress_proxy_get_deadline(eg->proxy);

	if (when == UINT64_MAX)
		return sd_event_source_set_enabled(eg->timer, SD_EVENT_OFF);
	(void)sd_event_source_set_time(eg->timer, when);
	return sd_event_source_set_enabled(eg->timer, SD_EVENT_ONESHOT);
}

static void run(struct session_egress *eg)
{
	if (egress_proxy_process(eg->proxy) < 0)
		log_warn("session %s: egress proxy: %m", eg->session->id);
	(void)rearm(eg);
}

static int on_io(sd_event_source *src, int fd, uint32_t revents, void *userdata)
{
	(void)src;
	(void)fd;
	(void)revents;
	run(userdata);
	return 0;
}

static int on_time(sd_event_source *src, uint64_t usec, void *userdata)
{
	(void)src;
	(void)usec;
	run(userdata);
	return 0;
}

static void egress_free(struct session_egress *eg)
{
	sd_event_source_disable_unref(eg->io);
	sd_event_source_disable_unref(eg->timer);
	egress_proxy_free(eg->proxy);
	free(eg);
}

static struct session_egress *egress_get(struct session *s, size_t skill)
{
	struct egress_proxy_config cfg = {};
	struct session_egress *eg;
	struct sbx_error e = {};
	int r;

	for (eg = s->egress; eg; eg = eg->next)
		if (eg->skill == skill)
			return eg;
	eg = calloc(1, sizeof(*eg));
	if (!eg)
		return NULL;
	eg->session = s;
	eg->skill = skill;
	eg->policy = (struct egress_policy){
		.policy = s->policy.policy,
		.granted = &s->policy.skills,
		/* A browse-only skill's proxy is decided as browse, by the same allowlist. */
		.tool = s->policy.policy->skills[skill].tools & (1U << POLICY_TOOL_NETWORK)
				? POLICY_TOOL_NETWORK
				: POLICY_TOOL_BROWSE,
		.skill = s->policy.policy->skills[skill].name,
	};
	egress_policy_bind(&eg->policy, &cfg.policy);
	cfg.record = on_record;
	cfg.record_userdata = eg;
	r = egress_proxy_new(&cfg, &eg->proxy, &e);
	if (r >= 0)
		r = sd_event_add_io(s->daemon->event, &eg->io, egress_proxy_get_fd(eg->proxy),
				    EPOLLIN, on_io, eg);
	if (r >= 0)
		r = sd_event_add_time(s->daemon->event, &eg->timer, CLOCK_MONOTONIC, 0, 1000,
				      on_time, eg);
	if (r >= 0)
		r = sd_event_source_set_enabled(eg->timer, SD_EVENT_OFF);
	if (r < 0) {
		log_error("session %s: start an egress proxy: %s", s->id,
			  e.msg[0] ? e.msg : strerror(-r));
		egress_free(eg);
		return NULL;
	}
	eg->next = s->egress;
	s->egress = eg;
	return eg;
}

void session_egress_connection(struct session *s, uint64_t id, int fd)
{
	struct session_egress *eg;

	/* Only skills of this session that have the network get a proxy. */
	if (id >= INIT_CONTROL_PROXIES_MAX || !skill_has_network(s, (size_t)id) ||
	    !(eg = egress_get(s, (size_t)id))) {
		safe_close(fd);
		return;
	}
	if (egress_proxy_add(eg->proxy, fd) < 0)
		log_warn("session %s: egress proxy refused a connection", s->id);
	run(eg);
}

/* A command of a network skill finds its proxy the way programs look for one; the variables
 * replace any of the same name the request set. */
int session_egress_env(char ***envp, uint16_t port)
{
	static const char *const names[] = {"HTTP_PROXY",  "HTTPS_PROXY", "ALL_PROXY", "http_proxy",
					    "https_proxy", "all_proxy",	  "NO_PROXY",  "no_proxy"};
	size_t n = 0, k = 0;
	char **env;

	while ((*envp)[n])
		n++;
	env = calloc(n + ELEMENTSOF(names) + 1, sizeof(*env));
	if (!env)
		return -ENOMEM;
	for (size_t i = 0; i < n; i++) {
		bool replaced = false;

		for (size_t j = 0; j < ELEMENTSOF(names) && !replaced; j++)
			replaced = strncmp((*envp)[i], names[j], strlen(names[j])) == 0 &&
				   (*envp)[i][strlen(names[j])] == '=';
		if (replaced)
			free((*envp)[i]);
		else
			env[k++] = (*envp)[i];
	}
	for (size_t j = 0; j < ELEMENTSOF(names); j++) {
		int r = j < 6 ? asprintf(&env[k], "%s=http://127.0.0.1:%u", names[j],
					 (unsigned)port)
			      : asprintf(&env[k], "%s=localhost,127.0.0.1,::1", names[j]);

		if (r < 0) {
			env[k] = NULL;
			free((*envp));
			(*envp) = env;
			return -ENOMEM;
		}
		k++;
	}
	free((*envp));
	(*envp) = env;
	return 0;
}

void session_egress_done(struct session *s)
{
	while (s->egress) {
		struct session_egress *eg = s->egress;

		s->egress = eg->next;
		egress_free(eg);
	}
}

/* SPDX-License-Identifier: MIT */
/* Health and Version answers. Their messages live in static storage: the answer is packed
 * before the handler's caller returns, and the daemon is single-threaded. */
#include <string.h>
#include <sys/utsname.h>
#include <time.h>

#include "time-util.h"
#include "rpc-info.h"

#define SANDBOXD_PROTOCOL "sandboxd.v1"

int rpc_health(struct rpc_call *call, Sandboxd__V1__Response *resp, struct sbx_error *e)
{
	static Sandboxd__V1__HealthResponse h;

	(void)e;
	sandboxd__v1__health_response__init(&h);
	h.serving = true;
	h.sessions = call->daemon->n_sessions;
	h.uptime_ms = (time_monotonic_usec() - call->daemon->start_usec) / 1000;
	resp->body_case = SANDBOXD__V1__RESPONSE__BODY_HEALTH;
	resp->health = &h;
	return 0;
}

int rpc_version(struct rpc_call *call, Sandboxd__V1__Response *resp, struct sbx_error *e)
{
	static Sandboxd__V1__VersionResponse v;
	static char *features[12];
	static struct utsname u;
	size_t n = 0;

	(void)e;
	features[n++] = (char *)"frames";
	features[n++] = (char *)"peer-credentials";
	features[n++] = (char *)"sessions-survive-restart";
	features[n++] = (char *)"policy";
	if (call->daemon->cfg.inline_policies)
		features[n++] = (char *)"inline-policy";
	if (call->daemon->landlock_abi > 0)
		features[n++] = (char *)"landlock";
	features[n++] = (char *)"files";
	features[n++] = (char *)"egress-proxy";
	if (call->daemon->browse_dir[0])
		features[n++] = (char *)"browse";
	sandboxd__v1__version_response__init(&v);
	(void)uname(&u);
	v.version = (char *)SANDBOXD_VERSION;
	v.protocol = (char *)SANDBOXD_PROTOCOL;
	v.features = features;
	v.n_features = n;
	v.kernel = u.release;
	v.cgroup_layout = (char *)"";
	resp->body_case = SANDBOXD__V1__RESPONSE__BODY_VERSION;
	resp->version = &v;
	return 0;
}

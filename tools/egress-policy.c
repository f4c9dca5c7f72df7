/* SPDX-License-Identifier: MIT */
/* Binds the egress proxy to policy/decide.h. A connection's two questions are asked separately,
 * so the address question decides the host again (pure and cheap) to learn which skill allowed
 * it: an address passes only under the allowlist that let its name through. */
#include <stdio.h>
#include <string.h>

#include "egress-policy.h"

static bool decide_host_for(const struct egress_policy *p, const char *host,
			    struct policy_decision *d)
{
	struct policy_call call = {.tool = p->tool, .skill = p->skill, .host = host};

	return policy_decide(p->policy, p->granted, &call, d);
}

static void copy_out(const struct policy_decision *d, char *rule, size_t rule_len, char *reason,
		     size_t reason_len)
{
	(void)snprintf(rule, rule_len, "%s", d->rule);
	(void)snprintf(reason, reason_len, "%s", d->reason);
}

static bool decide_host(void *userdata, const char *host, uint16_t port, char *rule,
			size_t rule_len, char *reason, size_t reason_len)
{
	struct policy_decision d;
	bool allow;

	(void)port; /* the policy has no port rules: any port of an allowed host */
	allow = decide_host_for(userdata, host, &d);
	copy_out(&d, rule, rule_len, reason, reason_len);
	return allow;
}

static bool decide_address(void *userdata, const char *host, const struct sockaddr *sa,
			   socklen_t sa_len, char *rule, size_t rule_len, char *reason,
			   size_t reason_len)
{
	const struct egress_policy *p = userdata;
	struct policy_decision d;
	bool allow = false;

	if (decide_host_for(p, host, &d) && d.skill >= 0)
		allow = policy_decide_address(p->policy, (size_t)d.skill, sa, sa_len, &d);
	copy_out(&d, rule, rule_len, reason, reason_len);
	return allow;
}

void egress_policy_bind(const struct egress_policy *p, struct egress_proxy_policy *ret)
{
	*ret = (struct egress_proxy_policy){
		.decide_host = decide_host,
		.decide_address = decide_address,
		.userdata = (void *)p,
	};
}

/* SPDX-License-Identifier: MIT */
/* The egress proxy's two policy questions answered by policy/decide.h for one session: the host
 * by policy_decide() (tool network or browse), each address by policy_decide_address() under
 * the skill that allowed the host. The engine itself is egress-proxy.h. */
#pragma once

#include "decide.h"
#include "egress-proxy.h"

/* What a session's proxy decides by. Every pointer must outlive the engine it is bound to. */
struct egress_policy {
	const struct policy *policy;
	const struct policy_skill_set *granted;
	enum policy_tool tool; /* POLICY_TOOL_NETWORK (code in the session) or _BROWSE */
	const char *skill;     /* NULL: the session's only granted skill */
};

/* Fills *ret with callbacks that decide through p; p is their userdata. */
void egress_policy_bind(const struct egress_policy *p, struct egress_proxy_policy *ret);

/* SPDX-License-Identifier: MIT */
/* Fuzz target for the policy loader (policy/policy-load.c and, through it, policy-yaml.c,
 * path-glob.c and hostmatch.c): any bytes, parsed; a policy that loads is then decided on with
 * calls made from its own globs and hosts, and freed. */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "decide.h"
#include "policy-load.h"
#include "policy-scope.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void exercise(const struct policy *p)
{
	struct sockaddr_in in = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(0x0a000001)};
	struct policy_skill_set all;
	struct policy_decision d;
	struct policy_scope_paths lp;
	struct policy_limits want = {.memory_bytes = 1 << 20}, got;

	policy_skill_set_all(p, &all);
	(void)policy_scope_data_sources(p, &all);
	(void)policy_scope_limits(p, &want, &got, NULL);
	for (size_t i = 0; i < p->n_skills; i++) {
		const struct policy_skill *s = &p->skills[i];
		struct policy_call call = {.skill = s->name};

		policy_scope_landlock(p, i, &lp);
		for (int t = 0; t < _POLICY_TOOL_MAX; t++) {
			call.tool = (enum policy_tool)t;
			call.path = s->n_read ? s->read[0].glob.text : "/workspace/x";
			call.language = t == POLICY_TOOL_EXEC ? "python" : NULL;
			call.host = s->n_allow ? s->allow[0].name : "example.com";
			(void)policy_decide(p, &all, &call, &d);
		}
		call.tool = POLICY_TOOL_EXEC;
		call.language = NULL;
		call.argv0 = s->n_commands ? s->commands[0].glob.text : "/bin/sh";
		(void)policy_decide(p, &all, &call, &d);
		(void)policy_decide_address(p, i, (struct sockaddr *)&in, sizeof(in), &d);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct policy *p = NULL;
	struct sbx_error e = {};

	if (policy_load_text((const char *)data, size, "fuzz", &p, &e) == 0) {
		exercise(p);
		policy_free(p);
	}
	return 0;
}

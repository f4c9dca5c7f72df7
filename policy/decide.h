/* SPDX-License-Identifier: MIT */
/* The one decision every tool call goes through: (policy, granted skills, call) -> allow or
 * deny, the rule that decided and one sentence why. Pure: no allocation, no I/O, no globals;
 * a denial is a result, not an error. Rule names are documented in docs/policy.md:
 *
 *   session.skills                          the skill is not granted (or none/several named)
 *   call.<argument>                         the call itself is malformed (path, host, exec)
 *   default-deny                            nothing else applies (unknown tool)
 *   <policy>/skills.<skill>.tools           the skill does not grant the tool (or grants it
 *                                           with no further scope: exec without commands)
 *   <policy>/skills.<skill>.files.read[i]   allowed by glob i; without [i]: no glob matched
 *   <policy>/skills.<skill>.files.write[i]
 *   <policy>/data_sources.<name>.read_only  a write under a read-only data source
 *   <policy>/skills.<skill>.exec.languages
 *   <policy>/skills.<skill>.exec.commands[i]
 *   <policy>/skills.<skill>.exec.timeout    also .exec.max_output, .browse.max_bytes,
 *                                           .browse.timeout: a request above the cap
 *   <policy>/skills.<skill>.network.allow[i]       also .network.allow_cidrs[i]
 *   <policy>/skills.<skill>.network.address        a resolved address that is not public
 */
#pragma once

#include <stdbool.h>
#include <stdint.h>
#include <sys/socket.h>

#include "hostmatch.h"
#include "policy.h"
#include "sandbox-path.h"

#define POLICY_RULE_MAX	  256
#define POLICY_REASON_MAX 384

/* One tool call, decoded. Which arguments a tool reads:
 *   file.read, file.list, file.write, file.delete: path; file.read and file.write also
 *     max_bytes (a read's length, a write's or upload's size; 0: any)
 *   exec: language ("python", ...) or argv0, exactly one; timeout_usec, max_bytes (output)
 *   browse: host; timeout_usec, max_bytes (page)
 *   network: host
 * A move is two calls: file.delete on the source and file.write on the destination. */
struct policy_call {
	enum policy_tool tool;
	const char *skill; /* NULL: the session's only granted skill */
	const char *path;  /* relative paths are relative to /workspace */
	size_t path_len;   /* bytes of path; 0: strlen(path). A NUL inside is denied. */
	const char *language;
	const char *argv0;
	const char *host; /* a name or an IP literal ("[::1]" accepted); any case, trailing dot */
	uint64_t timeout_usec; /* requested; 0: the skill's */
	uint64_t max_bytes;    /* requested output or page cap; 0: the skill's */
};

struct policy_decision {
	bool allow;
	int skill; /* index of the skill the call acted under, -1 when none was found */
	char rule[POLICY_RULE_MAX];
	char reason[POLICY_REASON_MAX];
	/* Allowed calls only: */
	char path[SANDBOX_PATH_MAX]; /* file tools: the normalised path the tool must act on */
	struct hostmatch_host host;  /* browse, network: the normalised host */
	uint64_t timeout_usec;	     /* exec, browse: effective cap; 0 = the daemon's default */
	uint64_t max_bytes; /* exec output, browse page, file read/write: effective cap; 0 = default
			     */
};

/* Decides one call against the skills granted to a session. Returns ret->allow. */
bool policy_decide(const struct policy *p, const struct policy_skill_set *granted,
		   const struct policy_call *call, struct policy_decision *ret);

/* Decides whether the egress proxy may connect to a resolved address for a host that skill
 * number skill was allowed to reach (ret of policy_decide() for that host). Public addresses
 * pass; loopback, private, link-local, metadata, multicast, reserved and unspecified ones only
 * when an allow_cidrs range covers them or network.allow names the exact IP. Returns
 * ret->allow. */
bool policy_decide_address(const struct policy *p, size_t skill, const struct sockaddr *sa,
			   socklen_t len, struct policy_decision *ret);

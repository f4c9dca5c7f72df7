/* SPDX-License-Identifier: MIT */
/* policy_decide(): skill, then tool, then the tool's scope. Each step either denies with its
 * own rule or hands on; the first rule that decides is the one reported. Strings from the call
 * are normalised before matching (sandbox-path.c, hostmatch.c) and shown sanitised. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "decide.h"
#include "units.h"
#include "utf8.h"

#define SHOW_MAX 160 /* bytes of a path, host or name shown in a reason */

_printf_(2, 3) static void set_rule(struct policy_decision *d, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(d->rule, sizeof(d->rule), fmt, ap);
	va_end(ap);
}

_printf_(2, 3) static void set_reason(struct policy_decision *d, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(d->reason, sizeof(d->reason), fmt, ap);
	va_end(ap);
}

/* A caller's string as it may appear in a reason (which goes to history and onto the wire as a
 * protobuf string): control bytes and bytes that are not part of valid UTF-8 become '?', and a
 * long string is cut at a character boundary. */
static const char *show(const char *s, size_t len, char buf[static SHOW_MAX + 4])
{
	size_t i = 0, o = 0;

	while (i < len && s[i] && o < SHOW_MAX) {
		unsigned char c = (unsigned char)s[i];
		size_t n = c < 0x80 ? 1 : c >= 0xf0 ? 4 : c >= 0xe0 ? 3 : 2;

		if (c < 0x20 || c == 0x7f ||
		    (n > 1 && (i + n > len || o + n > SHOW_MAX || !utf8_is_valid(s + i, n)))) {
			if (n > 1 && o + n > SHOW_MAX && i + n <= len && utf8_is_valid(s + i, n))
				break; /* a valid character that does not fit: cut before it */
			buf[o++] = '?';
			i++;
			continue;
		}
		memcpy(buf + o, s + i, n);
		o += n;
		i += n;
	}
	if (i < len && s[i]) {
		memcpy(buf + o, "...", 3);
		o += 3;
	}
	buf[o] = '\0';
	return buf;
}

static bool deny_skill(const struct policy *p, const struct policy_skill_set *granted,
		       const struct policy_call *call, struct policy_decision *d)
{
	char b[SHOW_MAX + 4];
	size_t n = 0;

	set_rule(d, "session.skills");
	if (call->skill) {
		show(call->skill, strlen(call->skill), b);
		if (policy_skill_index(p, call->skill) >= 0)
			set_reason(d, "skill '%s' is not granted to this session", b);
		else
			set_reason(d, "policy '%s' has no skill '%s'", p->name, b);
		return false;
	}
	for (size_t i = 0; i < p->n_skills; i++)
		n += policy_skill_set_contains(granted, i);
	if (n == 0)
		set_reason(d, "the session holds no skills");
	else
		set_reason(d, "the session holds %zu skills and the call names none of them", n);
	return false;
}

/* Finds the skill the call acts under among the granted ones; -1 when there is none. */
static int find_skill(const struct policy *p, const struct policy_skill_set *granted,
		      const char *name)
{
	int found = -1;

	for (size_t i = 0; i < p->n_skills; i++) {
		if (!policy_skill_set_contains(granted, i))
			continue;
		if (name) {
			if (strcmp(p->skills[i].name, name) == 0)
				return (int)i;
		} else if (found >= 0)
			return -1; /* several: the call must say which */
		else
			found = (int)i;
	}
	return found;
}

static bool decide_file(const struct policy *p, const struct policy_skill *s,
			const struct policy_call *call, bool write, struct policy_decision *d)
{
	const struct policy_glob *globs = write ? s->write : s->read;
	size_t n = write ? s->n_write : s->n_read;
	const char *list = write ? "files.write" : "files.read";
	char b[SHOW_MAX + 4], g[SHOW_MAX + 4];
	size_t len;
	int r;

	if (!call->path) {
		set_rule(d, "call.path");
		set_reason(d, "%s needs a path", policy_tool_to_string(call->tool));
		return false;
	}
	len = call->path_len ? call->path_len : strnlen(call->path, SANDBOX_PATH_MAX);
	r = sandbox_path_normalize(call->path, len, d->path);
	if (r < 0) {
		set_rule(d, "call.path");
		if (r == -ENAMETOOLONG)
			set_reason(d, "the path is longer than %d bytes", SANDBOX_PATH_MAX - 1);
		else
			set_reason(d, "the path is empty or contains a NUL byte");
		return false;
	}
	show(d->path, (size_t)r, b);

	if (write)
		for (size_t i = 0; i < p->n_data_sources; i++) {
			const struct policy_data_source *ds = &p->data_sources[i];

			/* A broader write glob never overrides a read-only source: the bind
			 * mount is read-only too, so say so here rather than fail in the tool. */
			if (ds->read_only &&
			    sandbox_path_is_under(d->path, (size_t)r, ds->mount, ds->mount_len)) {
				set_rule(d, "%s/data_sources.%s.read_only", p->name, ds->name);
				set_reason(d, "'%s' is in read-only data source '%s'", b, ds->name);
				return false;
			}
		}

	for (size_t i = 0; i < n; i++)
		if (path_glob_match(&globs[i].glob, d->path, (size_t)r)) {
			set_rule(d, "%s/skills.%s.%s[%zu]", p->name, s->name, list, i);
			set_reason(d, "'%s' matches %s glob '%s'", b, list,
				   show(globs[i].glob.text, strlen(globs[i].glob.text), g));
			d->allow = true;
			return true;
		}
	set_rule(d, "%s/skills.%s.%s", p->name, s->name, list);
	set_reason(d, "'%s' matches none of the %s globs of skill '%s'", b, list, s->name);
	return false;
}

/* Narrows a requested cap by the skill's; false (and a denial) when the request is above. */
static bool narrow(const struct policy *p, const struct policy_skill *s, const char *key,
		   bool duration, uint64_t want, uint64_t cap, uint64_t *ret,
		   struct policy_decision *d)
{
	char a[UNITS_TEXT_MAX], b[UNITS_TEXT_MAX];

	if (cap != 0 && want > cap) {
		set_rule(d, "%s/skills.%s.%s", p->name, s->name, key);
		set_reason(d, "requested %s %s is above the skill's %s", key,
			   duration ? units_format_duration(want, a) : units_format_size(want, a),
			   duration ? units_format_duration(cap, b) : units_format_size(cap, b));
		d->timeout_usec = d->max_bytes = 0;
		return false;
	}
	*ret = want != 0 ? want : cap;
	return true;
}

static bool decide_exec(const struct policy *p, const struct policy_skill *s,
			const struct policy_call *call, struct policy_decision *d)
{
	char b[SHOW_MAX + 4], g[SHOW_MAX + 4];
	long matched = -1; /* commands[i] that allowed argv0 */
	int lang = -1;

	if (!call->language == !call->argv0) {
		set_rule(d, "call.exec");
		set_reason(d, "an exec call names either a language or an argv[0]");
		return false;
	}
	if (call->language) {
		show(call->language, strlen(call->language), b);
		lang = policy_language_from_string(call->language);
		if (lang < 0) {
			set_rule(d, "call.language");
			set_reason(d, "unknown language '%s'", b);
			return false;
		}
		if (!(s->languages & (UINT32_C(1) << lang))) {
			set_rule(d, "%s/skills.%s.exec.languages", p->name, s->name);
			set_reason(d, "skill '%s' does not allow language '%s'", s->name, b);
			return false;
		}
	} else if (s->has_commands) {
		show(call->argv0, strnlen(call->argv0, SANDBOX_PATH_MAX), b);
		/* Matching a path in normal form only: "/usr/bin/../../tmp/x" must not match a
		 * command glob under /usr/bin by accident of lexical clean-up. */
		if (!sandbox_path_is_normalized(call->argv0)) {
			set_rule(d, "%s/skills.%s.exec.commands", p->name, s->name);
			set_reason(d,
				   "argv[0] '%s' is not an absolute path in normal form, and skill "
				   "'%s' lists commands",
				   b, s->name);
			return false;
		}
		for (size_t i = 0; i < s->n_commands && matched < 0; i++)
			if (path_glob_match(&s->commands[i].glob, call->argv0, strlen(call->argv0)))
				matched = (long)i;
		if (matched < 0) {
			set_rule(d, "%s/skills.%s.exec.commands", p->name, s->name);
			set_reason(d, "'%s' matches none of the commands of skill '%s'", b,
				   s->name);
			return false;
		}
	}

	if (!narrow(p, s, "exec.timeout", true, call->timeout_usec, s->exec_timeout_usec,
		    &d->timeout_usec, d) ||
	    !narrow(p, s, "exec.max_output", false, call->max_bytes, s->exec_max_output,
		    &d->max_bytes, d))
		return false;

	if (lang >= 0 && s->languages != POLICY_LANGUAGES_ALL) {
		set_rule(d, "%s/skills.%s.exec.languages", p->name, s->name);
		set_reason(d, "skill '%s' allows language '%s'", s->name, b);
	} else if (lang >= 0) {
		set_rule(d, "%s/skills.%s.tools", p->name, s->name);
		set_reason(d, "skill '%s' grants exec in any language", s->name);
	} else if (matched >= 0) {
		const char *t = s->commands[matched].glob.text;

		set_rule(d, "%s/skills.%s.exec.commands[%ld]", p->name, s->name, matched);
		set_reason(d, "'%s' matches command '%s'", b, show(t, strlen(t), g));
	} else {
		set_rule(d, "%s/skills.%s.tools", p->name, s->name);
		set_reason(d, "skill '%s' grants exec and lists no commands", s->name);
	}
	d->allow = true;
	return true;
}

static bool decide_host(const struct policy *p, const struct policy_skill *s,
			const struct policy_call *call, struct policy_decision *d)
{
	const char *why = NULL, *h;
	long by_name = -1, by_cidr = -1;
	char b[SHOW_MAX + 4];

	if (!call->host) {
		set_rule(d, "call.host");
		set_reason(d, "%s needs a host", policy_tool_to_string(call->tool));
		return false;
	}
	if (hostmatch_host_parse(call->host, strnlen(call->host, HOSTMATCH_NAME_MAX + 3), &d->host,
				 &why) < 0) {
		set_rule(d, "call.host");
		set_reason(d, "bad host '%s': %s",
			   show(call->host, strnlen(call->host, SHOW_MAX + 1), b), why);
		return false;
	}
	h = d->host.name;

	for (size_t i = 0; i < s->n_allow && by_name < 0; i++)
		if (hostmatch_pattern_match(&s->allow[i], &d->host))
			by_name = (long)i;
	for (size_t i = 0; by_name < 0 && d->host.is_address && i < s->n_allow_cidrs; i++)
		if (hostmatch_cidr_contains(&s->allow_cidrs[i], &d->host.address)) {
			by_cidr = (long)i;
			break;
		}
	if (by_name < 0 && by_cidr < 0) {
		set_rule(d, "%s/skills.%s.network.allow", p->name, s->name);
		set_reason(d, "host '%s' is not in the network allowlist of skill '%s'", h,
			   s->name);
		return false;
	}

	if (call->tool == POLICY_TOOL_BROWSE &&
	    (!narrow(p, s, "browse.timeout", true, call->timeout_usec, s->browse_timeout_usec,
		     &d->timeout_usec, d) ||
	     !narrow(p, s, "browse.max_bytes", false, call->max_bytes, s->browse_max_bytes,
		     &d->max_bytes, d)))
		return false;

	if (by_name >= 0) {
		const struct hostmatch_pattern *m = &s->allow[by_name];

		set_rule(d, "%s/skills.%s.network.allow[%ld]", p->name, s->name, by_name);
		set_reason(d, "host '%s' is allowed by network.allow '%s%s'", h,
			   m->kind == HOSTMATCH_SUFFIX ? "*." : "",
			   m->kind == HOSTMATCH_ADDRESS ? h : m->name);
	} else {
		const struct hostmatch_cidr *c = &s->allow_cidrs[by_cidr];
		char net[IP_ADDRESS_TEXT_MAX];

		set_rule(d, "%s/skills.%s.network.allow_cidrs[%ld]", p->name, s->name, by_cidr);
		set_reason(d, "address %s is in network.allow_cidrs '%s/%u'", h,
			   ip_address_to_string(&c->network, net), c->prefix);
	}
	d->allow = true;
	return true;
}

static void decision_init(struct policy_decision *d)
{
	/* Not a memset of the whole struct: path alone is 4 KiB and this is the hot path. */
	d->allow = false;
	d->skill = -1;
	d->rule[0] = d->reason[0] = d->path[0] = '\0';
	d->host.name[0] = '\0';
	d->host.len = 0;
	d->host.is_address = false;
	d->timeout_usec = d->max_bytes = 0;
}

bool policy_decide(const struct policy *p, const struct policy_skill_set *granted,
		   const struct policy_call *call, struct policy_decision *d)
{
	const char *tool = policy_tool_to_string(call->tool);
	const struct policy_skill *s;
	int k;

	decision_init(d);
	if (!tool) {
		set_rule(d, "default-deny");
		set_reason(d, "the call names no known tool");
		return false;
	}
	k = find_skill(p, granted, call->skill);
	if (k < 0)
		return deny_skill(p, granted, call, d);
	d->skill = k;
	s = &p->skills[k];
	if (!(s->tools & (UINT32_C(1) << call->tool))) {
		set_rule(d, "%s/skills.%s.tools", p->name, s->name);
		set_reason(d, "skill '%s' does not grant %s", s->name, tool);
		return false;
	}

	switch (call->tool) {
	case POLICY_TOOL_FILE_READ:
	case POLICY_TOOL_FILE_WRITE:
		if (!decide_file(p, s, call, call->tool == POLICY_TOOL_FILE_WRITE, d))
			return false;
		/* What one call may move: a read's length, a write's data (an upload's whole). */
		d->allow = narrow(p, s, "files.max_bytes", false, call->max_bytes,
				  s->files_max_bytes, &d->max_bytes, d);
		return d->allow;
	case POLICY_TOOL_FILE_LIST:
		return decide_file(p, s, call, false, d);
	case POLICY_TOOL_FILE_DELETE:
		return decide_file(p, s, call, true, d);
	case POLICY_TOOL_EXEC:
		return decide_exec(p, s, call, d);
	case POLICY_TOOL_BROWSE:
	case POLICY_TOOL_NETWORK:
		return decide_host(p, s, call, d);
	default:
		set_rule(d, "default-deny");
		set_reason(d, "no rule decides %s", tool);
		return false;
	}
}

bool policy_decide_address(const struct policy *p, size_t skill, const struct sockaddr *sa,
			   socklen_t len, struct policy_decision *d)
{
	const struct policy_skill *s;
	enum ip_address_class class;
	char a[IP_ADDRESS_TEXT_MAX];
	struct ip_address addr;

	decision_init(d);
	if (skill >= p->n_skills) {
		set_rule(d, "default-deny");
		set_reason(d, "no such skill");
		return false;
	}
	d->skill = (int)skill;
	s = &p->skills[skill];
	if (ip_address_from_sockaddr(sa, len, &addr) < 0) {
		set_rule(d, "call.address");
		set_reason(d, "not an IPv4 or IPv6 address");
		return false;
	}
	ip_address_to_string(&addr, a);

	for (size_t i = 0; i < s->n_allow; i++)
		if (s->allow[i].kind == HOSTMATCH_ADDRESS &&
		    ip_address_equal(&s->allow[i].address, &addr)) {
			set_rule(d, "%s/skills.%s.network.allow[%zu]", p->name, s->name, i);
			set_reason(d, "address %s is named in network.allow", a);
			d->allow = true;
			return true;
		}
	for (size_t i = 0; i < s->n_allow_cidrs; i++)
		if (hostmatch_cidr_contains(&s->allow_cidrs[i], &addr)) {
			set_rule(d, "%s/skills.%s.network.allow_cidrs[%zu]", p->name, s->name, i);
			set_reason(d, "address %s is in network.allow_cidrs", a);
			d->allow = true;
			return true;
		}
	class = ip_address_classify(&addr);
	set_rule(d, "%s/skills.%s.network.address", p->name, s->name);
	if (class == IP_ADDRESS_PUBLIC) {
		set_reason(d, "address %s is public", a);
		d->allow = true;
		return true;
	}
	/* DNS rebinding and SSRF end here: an allowed name that resolves to the host, the LAN or
	 * the cloud metadata service does not reach it unless the policy names that range. */
	set_reason(d,
		   "address %s is %s; only network.allow_cidrs or an exact IP in network.allow "
		   "reach such addresses",
		   a, ip_address_class_to_string(class));
	return false;
}

/* SPDX-License-Identifier: MIT */
/* Runs the decision tables in policy-cases/ (NAME.cases files): adding a decision case needs no C.
 *
 *   policy: FILE            the policy the following lines use (relative to the .cases file;
 *                           "@default" is the built-in one)
 *   skills=a,b tool=T [skill=S] [path=P] [lang=L] [argv0=A] [host=H] [timeout=DUR] [max=SIZE]
 *       [address=IP] -> allow|deny RULE [path=P] [host=H] [timeout=DUR] [max=SIZE]
 *   reason: TEXT            the exact reason of the case above
 *
 * skills= is the session's granted set ("-" for none, "*" for all); values may use \xHH.
 * With address=, the host is decided first (it must be allowed) and the expectation is about
 * policy_decide_address() for that address. */
#include <arpa/inet.h>
#include <dirent.h>
#include <libgen.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "decide.h"
#include "macro.h"
#include "policy-load.h"
#include "test-util.h"
#include "units.h"

#define VALUE_MAX 4200

static struct dirent **files;
static int n_files;

static int is_cases(const struct dirent *de)
{
	size_t n = strlen(de->d_name);

	return de->d_name[0] != '.' && n > 6 && strcmp(de->d_name + n - 6, ".cases") == 0;
}

/* Decodes \xHH escapes of s into out; returns the decoded length. */
static size_t decode(const char *s, char out[static VALUE_MAX])
{
	size_t n = 0;

	for (; *s && n + 1 < VALUE_MAX; s++) {
		unsigned v;

		if (s[0] == '\\' && s[1] == 'x' && sscanf(s + 2, "%2x", &v) == 1) {
			out[n++] = (char)v;
			s += 3;
		} else
			out[n++] = *s;
	}
	out[n] = '\0';
	return n;
}

struct expect {
	bool allow;
	char rule[POLICY_RULE_MAX];
	const char *path, *host, *timeout, *max;
};

struct run {
	const char *file;
	unsigned line;
	int failures;
	struct policy *p;
	struct policy_decision d; /* of the last case, for "reason:" */
	bool have_decision;
};

_printf_(2, 3) static void case_fail(struct run *run, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "%s:%u: ", run->file, run->line);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	run->failures++;
}

static void load_policy(struct run *run, const char *dir, const char *name)
{
	_cleanup_free_ char *path = NULL;
	struct sbx_error e = {};
	int r;

	run->p = policy_free(run->p);
	if (strcmp(name, "@default") == 0)
		r = policy_load_default(&run->p, &e);
	else {
		ck_assert_int_ge(asprintf(&path, "%s/%s", dir, name), 0);
		r = policy_load_file(path, &run->p, &e);
	}
	if (r < 0)
		case_fail(run, "policy does not load: %s", e.msg);
}

static bool set_skills(struct run *run, const char *v, struct policy_skill_set *set)
{
	_cleanup_free_ char *copy = strdup(v);
	char *save = NULL;

	*set = (struct policy_skill_set){};
	if (strcmp(v, "-") == 0)
		return true;
	if (strcmp(v, "*") == 0) {
		policy_skill_set_all(run->p, set);
		return true;
	}
	for (char *t = strtok_r(copy, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
		int k = policy_skill_index(run->p, t);

		if (k < 0) {
			case_fail(run, "no skill '%s' in the policy", t);
			return false;
		}
		policy_skill_set_add(set, (size_t)k);
	}
	return true;
}

static bool check_u64(struct run *run, const char *what, const char *want, uint64_t got,
		      bool duration)
{
	uint64_t v = 0;

	if (strcmp(want, "0") != 0 &&
	    (duration ? units_parse_duration(want, &v) : units_parse_size(want, &v)) < 0) {
		case_fail(run, "bad %s '%s' in the expectation", what, want);
		return false;
	}
	if (v != got) {
		case_fail(run, "%s: expected %s, got %llu", what, want, (unsigned long long)got);
		return false;
	}
	return true;
}

static void run_case(struct run *run, char *line)
{
	char *arrow = strstr(line, "->"), *save = NULL;
	char path[VALUE_MAX], host[VALUE_MAX], skill[VALUE_MAX], lang[VALUE_MAX], argv0[VALUE_MAX];
	struct policy_call call = {.tool = _POLICY_TOOL_INVALID};
	struct policy_skill_set set = {};
	struct expect want = {};
	const char *address = NULL;
	bool have_skills = false;
	struct policy_decision *d = &run->d;

	run->have_decision = false;
	if (!arrow) {
		case_fail(run, "no '->' in the case");
		return;
	}
	*arrow = '\0';
	for (char *t = strtok_r(line, " \t", &save); t; t = strtok_r(NULL, " \t", &save)) {
		char *eq = strchr(t, '=');
		const char *k = t, *v;
		uint64_t u;

		if (!eq) {
			case_fail(run, "'%s' is not KEY=VALUE", t);
			return;
		}
		*eq = '\0';
		v = eq + 1;
		if (strcmp(k, "skills") == 0) {
			if (!set_skills(run, v, &set))
				return;
			have_skills = true;
		} else if (strcmp(k, "tool") == 0) {
			call.tool = policy_tool_from_string(v);
			if (call.tool < 0)
				call.tool =
					_POLICY_TOOL_MAX; /* an unknown tool, for default-deny */
		} else if (strcmp(k, "skill") == 0) {
			decode(v, skill);
			call.skill = skill;
		} else if (strcmp(k, "path") == 0) {
			call.path_len = decode(v, path);
			call.path = path;
		} else if (strcmp(k, "lang") == 0) {
			decode(v, lang);
			call.language = lang;
		} else if (strcmp(k, "argv0") == 0) {
			decode(v, argv0);
			call.argv0 = argv0;
		} else if (strcmp(k, "host") == 0) {
			decode(v, host);
			call.host = host;
		} else if (strcmp(k, "timeout") == 0 && units_parse_duration(v, &u) == 0) {
			call.timeout_usec = u;
		} else if (strcmp(k, "max") == 0 && units_parse_size(v, &u) == 0) {
			call.max_bytes = u;
		} else if (strcmp(k, "address") == 0) {
			address = v;
		} else {
			case_fail(run, "unknown or bad argument '%s=%s'", k, v);
			return;
		}
	}
	if (!have_skills) {
		case_fail(run, "the case does not say which skills the session holds (skills=)");
		return;
	}

	save = NULL;
	for (char *t = strtok_r(arrow + 2, " \t", &save); t; t = strtok_r(NULL, " \t", &save)) {
		char *eq = strchr(t, '=');

		if (!eq && strcmp(t, "allow") == 0)
			want.allow = true;
		else if (!eq && strcmp(t, "deny") == 0)
			want.allow = false;
		else if (!eq && !want.rule[0])
			snprintf(want.rule, sizeof(want.rule), "%s", t);
		else if (eq && strncmp(t, "path=", 5) == 0)
			want.path = eq + 1;
		else if (eq && strncmp(t, "host=", 5) == 0)
			want.host = eq + 1;
		else if (eq && strncmp(t, "timeout=", 8) == 0)
			want.timeout = eq + 1;
		else if (eq && strncmp(t, "max=", 4) == 0)
			want.max = eq + 1;
		else {
			case_fail(run, "unknown expectation '%s'", t);
			return;
		}
	}
	if (!want.rule[0]) {
		case_fail(run, "the case names no rule");
		return;
	}

	policy_decide(run->p, &set, &call, d);
	if (address) {
		struct sockaddr_in in = {.sin_family = AF_INET};
		struct sockaddr_in6 in6 = {.sin6_family = AF_INET6};

		if (!d->allow) {
			case_fail(run, "the host was denied before the address: %s (%s)", d->rule,
				  d->reason);
			return;
		}
		if (inet_pton(AF_INET, address, &in.sin_addr) == 1)
			policy_decide_address(run->p, (size_t)d->skill, (struct sockaddr *)&in,
					      sizeof(in), d);
		else if (inet_pton(AF_INET6, address, &in6.sin6_addr) == 1)
			policy_decide_address(run->p, (size_t)d->skill, (struct sockaddr *)&in6,
					      sizeof(in6), d);
		else {
			case_fail(run, "bad address '%s'", address);
			return;
		}
	}
	run->have_decision = true;

	if (d->allow != want.allow || strcmp(d->rule, want.rule) != 0) {
		case_fail(run, "expected %s %s, got %s %s (%s)", want.allow ? "allow" : "deny",
			  want.rule, d->allow ? "allow" : "deny", d->rule, d->reason);
		return;
	}
	if (!d->reason[0])
		case_fail(run, "the decision has no reason");
	if (want.path && strcmp(d->path, want.path) != 0)
		case_fail(run, "path: expected '%s', got '%s'", want.path, d->path);
	if (want.host && strcmp(d->host.name, want.host) != 0)
		case_fail(run, "host: expected '%s', got '%s'", want.host, d->host.name);
	if (want.timeout)
		check_u64(run, "timeout", want.timeout, d->timeout_usec, true);
	if (want.max)
		check_u64(run, "max", want.max, d->max_bytes, false);
}

START_TEST(test_cases)
{
	_cleanup_free_ char *path = NULL, *dircopy = NULL;
	_cleanup_fclose_ FILE *f = NULL;
	struct run run = {.file = files[_i]->d_name};
	char *line = NULL;
	size_t cap = 0;
	unsigned cases = 0;

	ck_assert_int_ge(asprintf(&path, "%s/%s", POLICY_CASES_DIR, files[_i]->d_name), 0);
	dircopy = strdup(path);
	ck_assert_ptr_nonnull(dircopy);
	f = fopen(path, "re");
	ck_assert_ptr_nonnull(f);
	while (getline(&line, &cap, f) > 0) {
		char *s = line;

		run.line++;
		s[strcspn(s, "\n")] = '\0';
		while (*s == ' ' || *s == '\t')
			s++;
		if (!*s || *s == '#')
			continue;
		if (strncmp(s, "policy:", 7) == 0) {
			load_policy(&run, dirname(dircopy), s + 7 + strspn(s + 7, " "));
			free(dircopy);
			dircopy = strdup(path);
			run.have_decision = false;
		} else if (strncmp(s, "reason:", 7) == 0) {
			const char *want = s + 7 + strspn(s + 7, " ");

			if (!run.have_decision)
				case_fail(&run, "'reason:' without a decided case above");
			else if (strcmp(run.d.reason, want) != 0)
				case_fail(&run, "reason: expected '%s', got '%s'", want,
					  run.d.reason);
		} else if (!run.p)
			case_fail(&run, "a case before any 'policy:' line");
		else {
			run_case(&run, s);
			cases++;
		}
	}
	free(line);
	run.p = policy_free(run.p);
	ck_assert_msg(cases > 0, "%s has no cases", run.file);
	ck_assert_msg(run.failures == 0, "%s: %d of %u cases failed (see stderr)", run.file,
		      run.failures, cases);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("policy-cases");
	TCase *tc = tcase_create("policy-cases");
	int r;

	n_files = scandir(POLICY_CASES_DIR, &files, is_cases, alphasort);
	if (n_files <= 0) {
		fprintf(stderr, "no decision tables in %s\n", POLICY_CASES_DIR);
		return EXIT_FAILURE;
	}
	tcase_set_timeout(tc, 30);
	tcase_add_loop_test(tc, test_cases, 0, n_files);
	suite_add_tcase(s, tc);
	r = test_run_suite(s);
	for (int i = 0; i < n_files; i++)
		free(files[i]);
	free(files);
	return r;
}

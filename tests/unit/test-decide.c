/* SPDX-License-Identifier: MIT */
/* policy/decide.c beyond the tables in policy-cases/: arguments a table line cannot carry
 * (overlong paths, raw sockaddrs), and that a decision never carries anything over from the
 * previous one written into the same struct. */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/un.h>

#include "decide.h"
#include "macro.h"
#include "policy-load.h"
#include "test-util.h"

static struct policy *load_default(void)
{
	struct policy *p = NULL;
	struct sbx_error e = {};

	ck_assert_msg(policy_load_default(&p, &e) == 0, "%s", e.msg);
	return p;
}

START_TEST(test_long_paths)
{
	_cleanup_(policy_freep) struct policy *p = load_default();
	static char path[SANDBOX_PATH_MAX + 8];
	struct policy_skill_set all;
	struct policy_call call = {.tool = POLICY_TOOL_FILE_READ, .path = path};
	struct policy_decision d;

	policy_skill_set_all(p, &all);
	memset(path, 'a', sizeof(path) - 1);
	memcpy(path, "/workspace/", 11);
	ck_assert(!policy_decide(p, &all, &call, &d));
	ck_assert_str_eq(d.rule, "call.path");
	ck_assert_str_eq(d.reason, "the path is longer than 4095 bytes");

	/* The longest path that fits is decided on its merits. */
	path[SANDBOX_PATH_MAX - 1] = '\0';
	ck_assert(policy_decide(p, &all, &call, &d));
	ck_assert_uint_eq(strlen(d.path), SANDBOX_PATH_MAX - 1);
	ck_assert_uint_lt(strlen(d.reason), sizeof(d.reason));
	ck_assert(strstr(d.reason, "...' matches files.read glob '/workspace/**'"));

	/* A relative path that only grows past the limit with /workspace in front. */
	call.path = path + 11;
	memset(path + 11, 'b', 4090);
	path[11 + 4090] = '\0';
	ck_assert(!policy_decide(p, &all, &call, &d));
	ck_assert_str_eq(d.rule, "call.path");

	/* path_len says how many bytes count; a NUL inside them is refused. */
	call.path = "/workspace/a\0/etc/passwd";
	call.path_len = 24;
	ck_assert(!policy_decide(p, &all, &call, &d));
	ck_assert_str_eq(d.rule, "call.path");
	call.path_len = 12;
	ck_assert(policy_decide(p, &all, &call, &d));
	ck_assert_str_eq(d.path, "/workspace/a");
}
END_TEST

START_TEST(test_fresh_decision)
{
	_cleanup_(policy_freep) struct policy *p = load_default();
	struct policy_skill_set all, extra = {};
	struct policy_call call = {.tool = POLICY_TOOL_EXEC,
				   .language = "python",
				   .timeout_usec = 5000000,
				   .max_bytes = 4096};
	struct policy_decision d;

	policy_skill_set_all(p, &all);
	ck_assert(policy_decide(p, &all, &call, &d));
	ck_assert_int_eq(d.skill, 0);
	ck_assert_uint_eq(d.timeout_usec, 5000000);
	ck_assert_uint_eq(d.max_bytes, 4096);

	/* The same struct, a denied call: nothing of the last one is left. */
	call = (struct policy_call){.tool = POLICY_TOOL_BROWSE, .host = "example.com"};
	ck_assert(!policy_decide(p, &all, &call, &d));
	ck_assert_str_eq(d.rule, "default/skills.default.tools");
	ck_assert_uint_eq(d.timeout_usec, 0);
	ck_assert_uint_eq(d.max_bytes, 0);
	ck_assert_str_eq(d.path, "");

	/* Bits beyond the policy's skills are not skills. */
	policy_skill_set_add(&extra, 0);
	policy_skill_set_add(&extra, 200);
	call = (struct policy_call){.tool = POLICY_TOOL_FILE_LIST, .path = "/tmp"};
	ck_assert(policy_decide(p, &extra, &call, &d));
	ck_assert_str_eq(d.rule, "default/skills.default.files.read[1]");

	/* Out-of-range tools are refused, never looked up. */
	call.tool = (enum policy_tool) - 3;
	ck_assert(!policy_decide(p, &all, &call, &d));
	ck_assert_str_eq(d.rule, "default-deny");
	ck_assert_int_eq(d.skill, -1);
}
END_TEST

START_TEST(test_addresses)
{
	static const char text[] =
		"version: 1\nname: n\nskills:\n  s:\n    tools: [network]\n"
		"    network: {allow: [example.com], allow_cidrs: [\"fd00::/8\"]}\n";
	_cleanup_(policy_freep) struct policy *p = NULL;
	struct sockaddr_in6 in6 = {.sin6_family = AF_INET6};
	struct sockaddr_un un = {.sun_family = AF_UNIX};
	struct policy_decision d;
	struct sbx_error e = {};

	ck_assert_msg(policy_load_text(text, strlen(text), "n.yaml", &p, &e) == 0, "%s", e.msg);
	ck_assert_int_eq(inet_pton(AF_INET6, "fd00::5", &in6.sin6_addr), 1);
	ck_assert(policy_decide_address(p, 0, (struct sockaddr *)&in6, sizeof(in6), &d));
	ck_assert_str_eq(d.rule, "n/skills.s.network.allow_cidrs[0]");
	ck_assert(!policy_decide_address(p, 0, (struct sockaddr *)&in6, sizeof(in6) - 1, &d));
	ck_assert_str_eq(d.rule, "call.address");
	ck_assert(!policy_decide_address(p, 0, (struct sockaddr *)&un, sizeof(un), &d));
	ck_assert_str_eq(d.rule, "call.address");
	ck_assert_str_eq(d.reason, "not an IPv4 or IPv6 address");
	ck_assert(!policy_decide_address(p, 1, (struct sockaddr *)&in6, sizeof(in6), &d));
	ck_assert_str_eq(d.rule, "default-deny");
}
END_TEST

int main(void)
{
	Suite *s = suite_create("decide");
	TCase *tc = tcase_create("decide");

	tcase_set_timeout(tc, 10);
	tcase_add_test(tc, test_long_paths);
	tcase_add_test(tc, test_fresh_decision);
	tcase_add_test(tc, test_addresses);
	suite_add_tcase(s, tc);
	return test_run_suite(s);
}

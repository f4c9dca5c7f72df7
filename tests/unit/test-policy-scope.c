/* SPDX-License-Identifier: MIT */
/* policy/policy-scope.c: session limits narrowed by the policy's, data sources referred to by
 * a set of skills, and Landlock lists without duplicates or nested entries. */
#include <string.h>

#include "macro.h"
#include "policy-load.h"
#include "policy-scope.h"
#include "test-util.h"

static const char text[] =
	"version: 1\n"
	"name: scope\n"
	"limits: { memory: 512Mi, pids: 128, cpus: 1.5, session_ttl: 1h }\n"
	"data_sources:\n"
	"  - { name: orders, host_path: /srv/orders, mount: /data/orders }\n"
	"  - { name: logs, host_path: /srv/logs, mount: /data/logs, read_only: false }\n"
	"  - { name: models, host_path: /srv/models, mount: /opt/models }\n"
	"skills:\n"
	"  orders:\n"
	"    tools: [file.read]\n"
	"    files: { read: [\"/data/orders/2024/*.csv\"] }\n"
	"  logs:\n"
	"    tools: [file.write]\n"
	"    files: { write: [\"/data/logs/**\"] }\n"
	"  everything:\n"
	"    tools: [exec]\n"
	"    files:\n"
	"      read: [\"/**\", \"/data/**\", \"/workspace/**\"]\n"
	"      write: [\"/workspace/a/**\", \"/workspace/a-b/**\", \"/workspace/a/b/**\",\n"
	"              \"/workspace/a\", \"/workspace/**\", \"/tmp/x.txt\"]\n"
	"  none:\n"
	"    tools: [exec]\n";

static struct policy *load(void)
{
	struct policy *p = NULL;
	struct sbx_error e = {};

	ck_assert_msg(policy_load_text(text, strlen(text), "scope.yaml", &p, &e) == 0, "%s", e.msg);
	return p;
}

START_TEST(test_data_sources)
{
	_cleanup_(policy_freep) struct policy *p = load();
	struct policy_skill_set set = {};
	const char *names[] = {"orders", "logs"};
	struct sbx_error e = {};

	ck_assert_uint_eq(policy_scope_data_sources(p, &set), 0);
	ck_assert_ok(policy_skill_set_from_names(p, names, 1, &set, &e));
	ck_assert_uint_eq(policy_scope_data_sources(p, &set), 1);
	ck_assert_ok(policy_skill_set_from_names(p, names, 2, &set, &e));
	ck_assert_uint_eq(policy_scope_data_sources(p, &set), 3);
	policy_skill_set_all(p, &set);
	ck_assert_uint_eq(policy_skill_set_count(&set), 4);
	ck_assert_uint_eq(policy_scope_data_sources(p, &set), 7); /* a root "**" reaches them all */
	ck_assert_uint_eq(p->skills[3].data_sources, 0);

	names[1] = "nope";
	set = (struct policy_skill_set){};
	ck_assert_errno(policy_skill_set_from_names(p, names, 2, &set, &e), ENOENT);
	ck_assert_str_eq(e.msg, "policy 'scope' has no skill 'nope': No such file or directory");
	ck_assert_uint_eq(policy_skill_set_count(&set), 0); /* untouched on failure */
}
END_TEST

START_TEST(test_landlock)
{
	_cleanup_(policy_freep) struct policy *p = load();
	struct policy_scope_paths lp;

	policy_scope_landlock(p, 0, &lp);
	ck_assert_uint_eq(lp.n_read, 1);
	ck_assert_str_eq(lp.read[0], "/data/orders/2024");
	ck_assert_uint_eq(lp.n_write, 0);

	policy_scope_landlock(p, 2, &lp);
	ck_assert_uint_eq(lp.n_read, 1);
	ck_assert_str_eq(lp.read[0], "/");
	/* "/workspace/a-b" sorts between "/workspace/a" and "/workspace/a/b"; all three are
	 * under "/workspace". */
	ck_assert_uint_eq(lp.n_write, 2);
	ck_assert_str_eq(lp.write[0], "/tmp/x.txt");
	ck_assert_str_eq(lp.write[1], "/workspace");

	policy_scope_landlock(p, 3, &lp);
	ck_assert_uint_eq(lp.n_read + lp.n_write, 0);
	ck_assert_ptr_null(lp.read);
}
END_TEST

START_TEST(test_limits)
{
	_cleanup_(policy_freep) struct policy *p = load();
	struct policy_limits want = {}, got;
	struct sbx_error e = {};

	/* Nothing requested: the policy's, and 0 (the daemon's default) where it sets none. */
	ck_assert_ok(policy_scope_limits(p, &want, &got, &e));
	ck_assert_uint_eq(got.memory_bytes, 512ULL << 20);
	ck_assert_uint_eq(got.pids, 128);
	ck_assert_uint_eq(got.cpu_millis, 1500);
	ck_assert_uint_eq(got.disk_bytes, 0);
	ck_assert_uint_eq(got.session_ttl_usec, 3600ULL * 1000000);
	ck_assert_uint_eq(got.idle_ttl_usec, 0);

	/* Narrower requests win; where the policy is silent the request stands. */
	want = (struct policy_limits){.memory_bytes = 256ULL << 20,
				      .pids = 128,
				      .disk_bytes = 5ULL << 30,
				      .idle_ttl_usec = 60ULL * 1000000};
	ck_assert_ok(policy_scope_limits(p, &want, &got, &e));
	ck_assert_uint_eq(got.memory_bytes, 256ULL << 20);
	ck_assert_uint_eq(got.pids, 128);
	ck_assert_uint_eq(got.disk_bytes, 5ULL << 30);
	ck_assert_uint_eq(got.idle_ttl_usec, 60ULL * 1000000);

	/* Above the policy: refused, naming the limit. */
	want = (struct policy_limits){.memory_bytes = 1ULL << 30};
	got.memory_bytes = 7;
	ck_assert_errno(policy_scope_limits(p, &want, &got, &e), EPERM);
	ck_assert_str_eq(e.msg, "requested memory 1Gi is above the limit of 512Mi set by policy "
				"'scope': Operation not permitted");
	ck_assert_uint_eq(got.memory_bytes, 7);
	want = (struct policy_limits){.cpu_millis = 2000};
	ck_assert_errno(policy_scope_limits(p, &want, &got, &e), EPERM);
	ck_assert_str_eq(e.msg, "requested cpus 2 is above the limit of 1.5 set by policy "
				"'scope': Operation not permitted");
	want = (struct policy_limits){.session_ttl_usec = 7200ULL * 1000000};
	ck_assert_errno(policy_scope_limits(p, &want, &got, &e), EPERM);
	ck_assert_str_eq(e.msg, "requested session_ttl 2h is above the limit of 1h set by policy "
				"'scope': Operation not permitted");
	want = (struct policy_limits){.pids = 129};
	ck_assert_errno(policy_scope_limits(p, &want, &got, &e), EPERM);
	ck_assert_str_eq(e.msg, "requested pids 129 is above the limit of 128 set by policy "
				"'scope': Operation not permitted");
}
END_TEST

int main(void)
{
	Suite *s = suite_create("policy-scope");
	TCase *tc = tcase_create("policy-scope");

	tcase_set_timeout(tc, 10);
	tcase_add_test(tc, test_data_sources);
	tcase_add_test(tc, test_landlock);
	tcase_add_test(tc, test_limits);
	suite_add_tcase(s, tc);
	return test_run_suite(s);
}

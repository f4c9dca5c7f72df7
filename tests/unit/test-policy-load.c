/* SPDX-License-Identifier: MIT */
/* policy/policy-load.c: a policy with every key read back field by field, the built-in
 * default, the example policies, the bounds, and every loader error as data: each file under
 * policy-bad/ starts with "# error: FILE:LINE:COL: message", the exact message it must get. */
#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "macro.h"
#include "policy-load.h"
#include "policy-scope.h"
#include "test-util.h"

#define SENTINEL ((struct policy *)0x5a5a5a5a)

static struct dirent **bad_files, **examples;
static int n_bad_files, n_examples;

static int is_yaml(const struct dirent *de)
{
	size_t n = strlen(de->d_name);

	return de->d_name[0] != '.' && n > 5 && strcmp(de->d_name + n - 5, ".yaml") == 0;
}

/* Reads a whole test file into a malloc'd buffer. */
static char *read_all(const char *path, size_t *ret_len)
{
	FILE *f = fopen(path, "rbe");
	char *buf;
	long n;

	ck_assert_msg(f, "open %s", path);
	ck_assert_int_eq(fseek(f, 0, SEEK_END), 0);
	n = ftell(f);
	ck_assert_int_ge(n, 0);
	rewind(f);
	buf = malloc((size_t)n + 1);
	ck_assert_ptr_nonnull(buf);
	ck_assert_uint_eq(fread(buf, 1, (size_t)n, f), (size_t)n);
	buf[n] = '\0';
	fclose(f);
	*ret_len = (size_t)n;
	return buf;
}

START_TEST(test_bad_file)
{
	const char *name = bad_files[_i]->d_name;
	_cleanup_free_ char *path = NULL, *text = NULL;
	struct policy *p = SENTINEL;
	struct sbx_error e = {};
	char expected[SBX_ERROR_MSG_MAX];
	const char *nl;
	size_t len;
	int r;

	ck_assert_int_ge(asprintf(&path, "%s/%s", POLICY_BAD_DIR, name), 0);
	text = read_all(path, &len);
	ck_assert_msg(strncmp(text, "# error: ", 9) == 0, "%s: no '# error: ' line", name);
	nl = strchr(text, '\n');
	nl = nl ? nl : text + len;
	ck_assert_uint_lt((size_t)(nl - text - 9), sizeof(expected));
	memcpy(expected, text + 9, (size_t)(nl - text - 9));
	expected[nl - text - 9] = '\0';

	r = policy_load_text(text, len, name, &p, &e);
	ck_assert_msg(r < 0, "%s loaded", name);
	ck_assert_int_eq(r, e.code);
	ck_assert_msg(p == SENTINEL, "%s: output written on failure", name);
	ck_assert_str_eq(e.msg, expected);
}
END_TEST

START_TEST(test_example)
{
	_cleanup_(policy_freep) struct policy *p = NULL;
	_cleanup_free_ char *path = NULL;
	struct sbx_error e = {};

	ck_assert_int_ge(asprintf(&path, "%s/%s", POLICY_EXAMPLES_DIR, examples[_i]->d_name), 0);
	ck_assert_msg(policy_load_file(path, &p, &e) == 0, "%s", e.msg);
	ck_assert_ptr_nonnull(p->name);
	ck_assert_uint_ge(p->n_skills, 1);
}
END_TEST

static const char full_text[] =
	"# every key\n"
	"version: 1\n"
	"name: support-agent\n"
	"instructions: |\n"
	"  Answer questions about orders.\n"
	"  Never promise refunds.\n"
	"limits: { memory: 512Mi, pids: 128, cpus: 1.5, disk: 1Gi, session_ttl: 1h, idle_ttl: 10m "
	"}\n"
	"data_sources:\n"
	"  - { name: orders, host_path: /srv/orders, mount: /data/orders, read_only: true }\n"
	"  - { name: scratch, host_path: /srv/scratch, mount: /data/scratch, read_only: false }\n"
	"  - { name: unused, host_path: /srv/unused, mount: /mnt/unused }\n"
	"skills:\n"
	"  order-lookup:\n"
	"    tools: [file.read, file.list]\n"
	"    files: { read: [\"/data/orders/**\"] }\n"
	"  analysis:\n"
	"    tools: [exec, file.read, file.write]\n"
	"    exec:  { languages: [python, bash], commands: [\"/usr/bin/*\"], timeout: 60s,\n"
	"             max_output: 1Mi }\n"
	"    files:\n"
	"      read: [\"/workspace/**\", \"/data/**\", \"/workspace/in/*.csv\"]\n"
	"      write: [\"/workspace/out/**\", \"/data/scratch/**\"]\n"
	"  research:\n"
	"    tools: [browse]\n"
	"    network: { allow: [\"docs.python.org\", \"*.carrier.example\"] }\n"
	"    browse: { max_bytes: 2Mi, timeout: 20s }\n"
	"  local-service:\n"
	"    tools: [exec, network]\n"
	"    exec: { commands: [] }\n"
	"    network: { allow: [\"10.0.0.7\"], allow_cidrs: [\"10.0.0.0/24\", \"fd00::/8\"] }\n";

START_TEST(test_full)
{
	_cleanup_(policy_freep) struct policy *p = NULL;
	const struct policy_skill *s;
	struct sbx_error e = {};
	struct policy_scope_paths lp;

	ck_assert_msg(policy_load_text(full_text, strlen(full_text), "full.yaml", &p, &e) == 0,
		      "%s", e.msg);
	ck_assert_str_eq(p->name, "support-agent");
	ck_assert_str_eq(p->source, "full.yaml");
	ck_assert_uint_eq(p->name_line, 3);
	ck_assert_uint_eq(p->name_column, 7);
	ck_assert_str_eq(p->instructions,
			 "Answer questions about orders.\nNever promise refunds.\n");
	ck_assert_uint_eq(p->limits.memory_bytes, 512ULL << 20);
	ck_assert_uint_eq(p->limits.pids, 128);
	ck_assert_uint_eq(p->limits.cpu_millis, 1500);
	ck_assert_uint_eq(p->limits.disk_bytes, 1ULL << 30);
	ck_assert_uint_eq(p->limits.session_ttl_usec, 3600ULL * 1000000);
	ck_assert_uint_eq(p->limits.idle_ttl_usec, 600ULL * 1000000);

	ck_assert_uint_eq(p->n_data_sources, 3);
	ck_assert_str_eq(p->data_sources[0].name, "orders");
	ck_assert_str_eq(p->data_sources[0].host_path, "/srv/orders");
	ck_assert_str_eq(p->data_sources[0].mount, "/data/orders");
	ck_assert(p->data_sources[0].read_only);
	ck_assert(!p->data_sources[1].read_only);
	ck_assert(p->data_sources[2].read_only); /* the default */

	ck_assert_uint_eq(p->n_skills, 4);
	s = &p->skills[0];
	ck_assert_str_eq(s->name, "order-lookup");
	ck_assert_uint_eq(s->tools, (1U << POLICY_TOOL_FILE_READ) | (1U << POLICY_TOOL_FILE_LIST));
	ck_assert_uint_eq(s->n_read, 1);
	ck_assert_uint_eq(s->read[0].line, 15);
	ck_assert_uint_eq(s->data_sources, 1);
	ck_assert_uint_eq(s->languages, POLICY_LANGUAGES_ALL);

	s = &p->skills[1];
	ck_assert_str_eq(s->name, "analysis");
	ck_assert_uint_eq(s->languages,
			  (1U << POLICY_LANGUAGE_PYTHON) | (1U << POLICY_LANGUAGE_BASH));
	ck_assert(s->has_commands);
	ck_assert_uint_eq(s->n_commands, 1);
	ck_assert_str_eq(s->commands[0].glob.text, "/usr/bin/*");
	ck_assert_uint_eq(s->exec_timeout_usec, 60ULL * 1000000);
	ck_assert_uint_eq(s->exec_max_output, 1ULL << 20);
	ck_assert_uint_eq(s->n_read, 3);
	ck_assert_uint_eq(s->n_write, 2);
	ck_assert_uint_eq(s->data_sources, 3); /* orders (read), scratch (read and write) */
	policy_scope_landlock(p, 1, &lp);
	ck_assert_uint_eq(lp.n_read, 2);
	ck_assert_str_eq(lp.read[0], "/data");
	ck_assert_str_eq(lp.read[1], "/workspace"); /* /workspace/in is under it */
	ck_assert_uint_eq(lp.n_write, 2);
	ck_assert_str_eq(lp.write[0], "/data/scratch");
	ck_assert_str_eq(lp.write[1], "/workspace/out");

	s = &p->skills[2];
	ck_assert_str_eq(s->name, "research");
	ck_assert_uint_eq(s->tools, 1U << POLICY_TOOL_BROWSE);
	ck_assert_uint_eq(s->n_allow, 2);
	ck_assert_int_eq(s->allow[0].kind, HOSTMATCH_NAME);
	ck_assert_int_eq(s->allow[1].kind, HOSTMATCH_SUFFIX);
	ck_assert_str_eq(s->allow[1].name, "carrier.example");
	ck_assert_uint_eq(s->browse_max_bytes, 2ULL << 20);
	ck_assert_uint_eq(s->browse_timeout_usec, 20ULL * 1000000);
	ck_assert_uint_eq(s->data_sources, 0);
	policy_scope_landlock(p, 2, &lp);
	ck_assert_uint_eq(lp.n_read + lp.n_write, 0);

	s = &p->skills[3];
	ck_assert(s->has_commands); /* "commands: []": no argv[0] at all */
	ck_assert_uint_eq(s->n_commands, 0);
	ck_assert_uint_eq(s->n_allow, 1);
	ck_assert_int_eq(s->allow[0].kind, HOSTMATCH_ADDRESS);
	ck_assert_uint_eq(s->n_allow_cidrs, 2);
	ck_assert_uint_eq(s->allow_cidrs[1].prefix, 8);
}
END_TEST

START_TEST(test_json)
{
	static const char text[] =
		"{\"version\": 1, \"name\": \"j\", \"skills\": {\"a\": {\"tools\": [\"exec\"], "
		"\"exec\": {\"languages\": [], \"timeout\": \"5s\"}}}}";
	_cleanup_(policy_freep) struct policy *p = NULL;
	struct sbx_error e = {};

	ck_assert_msg(policy_load_text(text, strlen(text), "j.json", &p, &e) == 0, "%s", e.msg);
	ck_assert_str_eq(p->name, "j");
	ck_assert_uint_eq(p->skills[0].languages, 0); /* listed empty: argv only */
	ck_assert(!p->skills[0].has_commands);
	ck_assert_ptr_null(p->instructions);
}
END_TEST

START_TEST(test_default)
{
	_cleanup_(policy_freep) struct policy *p = NULL;
	struct sbx_error e = {};
	struct policy_scope_paths lp;
	const struct policy_skill *s;

	ck_assert_msg(policy_load_default(&p, &e) == 0, "%s", e.msg);
	ck_assert_str_eq(p->name, "default");
	ck_assert_uint_eq(p->n_skills, 1);
	s = &p->skills[0];
	ck_assert_str_eq(s->name, "default");
	ck_assert_uint_eq(s->tools, (1U << POLICY_TOOL_EXEC) | (1U << POLICY_TOOL_FILE_READ) |
					    (1U << POLICY_TOOL_FILE_WRITE) |
					    (1U << POLICY_TOOL_FILE_LIST) |
					    (1U << POLICY_TOOL_FILE_DELETE));
	ck_assert_uint_eq(s->n_allow + s->n_allow_cidrs, 0);
	ck_assert_uint_eq(p->limits.memory_bytes, 0); /* the daemon's defaults */
	policy_scope_landlock(p, 0, &lp);
	ck_assert_uint_eq(lp.n_read, 2);
	ck_assert_str_eq(lp.read[0], "/tmp");
	ck_assert_str_eq(lp.read[1], "/workspace");
	ck_assert_uint_eq(lp.n_write, 2);
}
END_TEST

START_TEST(test_too_large)
{
	_cleanup_free_ char *big = malloc(POLICY_FILE_MAX + 1);
	struct policy *p = SENTINEL;
	struct sbx_error e = {};

	ck_assert_ptr_nonnull(big);
	memset(big, '#', POLICY_FILE_MAX + 1);
	ck_assert_errno(policy_load_text(big, POLICY_FILE_MAX + 1, "big.yaml", &p, &e), EFBIG);
	ck_assert_str_eq(e.msg, "big.yaml:1:1: policy is larger than 1048576 bytes");
	ck_assert(p == SENTINEL);
	/* Exactly the limit is read (and is only a comment). */
	ck_assert_errno(policy_load_text(big, POLICY_FILE_MAX, "big.yaml", &p, &e), EINVAL);
	ck_assert_str_eq(e.msg, "big.yaml:1:1: policy is empty");
}
END_TEST

/* Builds "version/name/skills" plus instructions of n bytes. */
static char *with_instructions(size_t n, size_t *ret_len)
{
	static const char head[] = "version: 1\nname: t\nskills: {a: {tools: [exec]}}\n"
				   "instructions: ";
	char *t = malloc(sizeof(head) + n + 2);

	ck_assert_ptr_nonnull(t);
	memcpy(t, head, sizeof(head) - 1);
	memset(t + sizeof(head) - 1, 'x', n);
	memcpy(t + sizeof(head) - 1 + n, "\n", 2);
	*ret_len = sizeof(head) - 1 + n + 1;
	return t;
}

START_TEST(test_instructions_limit)
{
	_cleanup_(policy_freep) struct policy *p = NULL;
	_cleanup_free_ char *ok = NULL, *bad = NULL;
	struct sbx_error e = {};
	size_t len;

	ok = with_instructions(POLICY_INSTRUCTIONS_MAX, &len);
	ck_assert_msg(policy_load_text(ok, len, "i.yaml", &p, &e) == 0, "%s", e.msg);
	ck_assert_uint_eq(strlen(p->instructions), POLICY_INSTRUCTIONS_MAX);
	bad = with_instructions(POLICY_INSTRUCTIONS_MAX + 1, &len);
	p = policy_free(p);
	ck_assert_errno(policy_load_text(bad, len, "i.yaml", &p, &e), EINVAL);
	ck_assert_str_eq(e.msg, "i.yaml:4:15: value is longer than 65536 bytes");
	ck_assert_ptr_null(p);
}
END_TEST

/* The counts at their maxima load; one more is a bad file under policy-bad/. */
START_TEST(test_counts_at_limit)
{
	_cleanup_(policy_freep) struct policy *p = NULL;
	_cleanup_free_ char *t = NULL;
	struct sbx_error e = {};
	size_t cap = 1 << 20, n = 0;

	t = malloc(cap);
	ck_assert_ptr_nonnull(t);
	n += (size_t)snprintf(t + n, cap - n, "version: 1\nname: t\ndata_sources:\n");
	for (int i = 0; i < POLICY_DATA_SOURCES_MAX; i++)
		n += (size_t)snprintf(t + n, cap - n,
				      "  - {name: d%d, host_path: /srv/d%d, mount: /data/d%d}\n", i,
				      i, i);
	n += (size_t)snprintf(t + n, cap - n, "skills:\n");
	for (int i = 0; i < POLICY_SKILLS_MAX - 1; i++)
		n += (size_t)snprintf(t + n, cap - n, "  s%d: {tools: [exec]}\n", i);
	n += (size_t)snprintf(t + n, cap - n,
			      "  big:\n    tools: [file.read, network]\n    files:\n      read:\n");
	for (int i = 0; i < POLICY_GLOBS_MAX; i++)
		n += (size_t)snprintf(t + n, cap - n, "        - /data/d%d/**\n", i % 64);
	n += (size_t)snprintf(t + n, cap - n, "    network:\n      allow:\n");
	for (int i = 0; i < POLICY_HOSTS_MAX; i++)
		n += (size_t)snprintf(t + n, cap - n, "        - h%d.example\n", i);
	n += (size_t)snprintf(t + n, cap - n, "      allow_cidrs:\n");
	for (int i = 0; i < POLICY_HOSTS_MAX; i++)
		n += (size_t)snprintf(t + n, cap - n, "        - 10.%d.0.0/16\n", i);
	ck_assert_uint_lt(n, cap);

	ck_assert_msg(policy_load_text(t, n, "max.yaml", &p, &e) == 0, "%s", e.msg);
	ck_assert_uint_eq(p->n_skills, POLICY_SKILLS_MAX);
	ck_assert_uint_eq(p->n_data_sources, POLICY_DATA_SOURCES_MAX);
	ck_assert_uint_eq(p->skills[255].n_read, POLICY_GLOBS_MAX);
	ck_assert_uint_eq(p->skills[255].n_allow, POLICY_HOSTS_MAX);
	ck_assert_uint_eq(p->skills[255].n_allow_cidrs, POLICY_HOSTS_MAX);
	ck_assert_uint_eq(p->skills[255].data_sources, UINT64_MAX);
	ck_assert_uint_eq(p->skills[255].n_landlock_read, 64);
}
END_TEST

START_TEST(test_file_errors)
{
	_cleanup_free_ char *dir = test_mkdtemp(), *fifo = NULL;
	char *file = NULL;
	struct policy *p = SENTINEL;
	struct sbx_error e = {};
	int fd;

	ck_assert_errno(policy_load_file("/nonexistent/p.yaml", &p, &e), ENOENT);
	ck_assert_str_eq(e.msg, "read policy '/nonexistent/p.yaml': No such file or directory");
	ck_assert_errno(policy_load_file(dir, &p, &e), EISDIR);

	/* A FIFO must be refused without blocking on it. */
	ck_assert_int_ge(asprintf(&fifo, "%s/fifo.yaml", dir), 0);
	ck_assert_int_eq(mkfifo(fifo, 0600), 0);
	ck_assert_errno(policy_load_file(fifo, &p, &e), EINVAL);
	free(file);
	ck_assert_int_ge(
		asprintf(&file, "read policy '%s': not a regular file: Invalid argument", fifo), 0);
	ck_assert_str_eq(e.msg, file);
	ck_assert(p == SENTINEL);
	free(file);

	ck_assert_int_ge(asprintf(&file, "%s/ok.yaml", dir), 0);
	fd = open(file, O_WRONLY | O_CREAT | O_CLOEXEC, 0600);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(write(fd, policy_load_default_text, strlen(policy_load_default_text)),
			 (ssize_t)strlen(policy_load_default_text));
	close(fd);
	p = NULL;
	ck_assert_ok(policy_load_file(file, &p, &e));
	ck_assert_str_eq(p->source, file);
	p = policy_free(p);
	free(file);
	test_rm_rf(dir);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("policy-load");
	TCase *tc = tcase_create("policy-load");
	int r;

	n_bad_files = scandir(POLICY_BAD_DIR, &bad_files, is_yaml, alphasort);
	n_examples = scandir(POLICY_EXAMPLES_DIR, &examples, is_yaml, alphasort);
	if (n_bad_files < 50 || n_examples < 3) {
		fprintf(stderr, "test data missing: %d bad files, %d examples\n", n_bad_files,
			n_examples);
		return EXIT_FAILURE;
	}
	tcase_set_timeout(tc, 30);
	tcase_add_loop_test(tc, test_bad_file, 0, n_bad_files);
	tcase_add_loop_test(tc, test_example, 0, n_examples);
	tcase_add_test(tc, test_full);
	tcase_add_test(tc, test_json);
	tcase_add_test(tc, test_default);
	tcase_add_test(tc, test_too_large);
	tcase_add_test(tc, test_instructions_limit);
	tcase_add_test(tc, test_counts_at_limit);
	tcase_add_test(tc, test_file_errors);
	suite_add_tcase(s, tc);
	r = test_run_suite(s);
	for (int i = 0; i < n_bad_files; i++)
		free(bad_files[i]);
	free(bad_files);
	for (int i = 0; i < n_examples; i++)
		free(examples[i]);
	free(examples);
	return r;
}

/* SPDX-License-Identifier: MIT */
/* Policy cost: loads a generated policy of 50 skills and 200 globs (plus hosts and data
 * sources), then times policy_decide() one call at a time over a mix of allowed and denied
 * file, exec and browse calls, each naming one of the 50 granted skills. Prints the load
 * median and the decision p50/p99 (target: p50 <= 2 us). Usage: bench-policy [N]. */
#include <stdio.h>
#include <string.h>

#include "bench-util.h"
#include "decide.h"
#include "policy-load.h"

#define SKILLS 50
#define LOADS  50

static char *generate(size_t *ret_len)
{
	size_t cap = 1 << 20, n = 0;
	char *t = malloc(cap);

	if (!t)
		return NULL;
	n += (size_t)snprintf(t + n, cap - n,
			      "version: 1\nname: bench\ninstructions: generated\n"
			      "limits: {memory: 1Gi, pids: 256, cpus: 2, session_ttl: 1h}\n"
			      "data_sources:\n");
	for (int i = 0; i < 8; i++)
		n += (size_t)snprintf(t + n, cap - n,
				      "  - {name: ds%d, host_path: /srv/ds%d, mount: /data/ds%d}\n",
				      i, i, i);
	n += (size_t)snprintf(t + n, cap - n, "skills:\n");
	/* 4 globs per skill: 2 read, 2 write = 200 globs. */
	for (int i = 0; i < SKILLS; i++)
		n += (size_t)snprintf(
			t + n, cap - n,
			"  skill-%d:\n"
			"    tools: [exec, file.read, file.write, file.list, browse]\n"
			"    exec: {languages: [python, bash], timeout: 60s, max_output: 1Mi}\n"
			"    files:\n"
			"      read: [\"/data/ds%d/**\", \"/workspace/proj-%d/**/*.csv\"]\n"
			"      write: [\"/workspace/proj-%d/out/**\", \"/tmp/skill-%d/*\"]\n"
			"    network: {allow: [\"docs.example-%d.org\", \"*.cdn-%d.example\"]}\n"
			"    browse: {max_bytes: 2Mi, timeout: 30s}\n",
			i, i % 8, i, i, i, i, i);
	if (n >= cap) {
		free(t);
		return NULL;
	}
	*ret_len = n;
	return t;
}

int main(int argc, char **argv)
{
	size_t n = argc > 1 ? (size_t)strtoul(argv[1], NULL, 10) : 200000, len = 0, allowed = 0;
	uint64_t loads[LOADS], *t;
	struct policy_skill_set all;
	struct policy *p = NULL;
	struct sbx_error e = {};
	char *text = generate(&len);
	char skill[SKILLS][16], path[8][SKILLS][64], host[2][SKILLS][64];

	if (n < 100 || n > 100000000 || !text) {
		fprintf(stderr, "usage: bench-policy [N>=100]\n");
		return 2;
	}
	for (int i = 0; i < LOADS; i++) {
		uint64_t t0 = bench_now_ns();

		if (policy_load_text(text, len, "bench.yaml", &p, &e) < 0) {
			fprintf(stderr, "bench-policy: %s\n", e.msg);
			return 1;
		}
		loads[i] = bench_now_ns() - t0;
		if (i + 1 < LOADS)
			p = policy_free(p);
	}
	size_t n_globs = 0;
	for (size_t i = 0; i < p->n_skills; i++)
		n_globs += p->skills[i].n_read + p->skills[i].n_write;

	for (int i = 0; i < SKILLS; i++) {
		snprintf(skill[i], sizeof(skill[i]), "skill-%d", i);
		snprintf(path[0][i], 64, "/workspace/proj-%d/a/b/c/data.csv", i); /* allow */
		snprintf(path[1][i], 64, "proj-%d/out/../out/report.txt", i);	  /* allow */
		snprintf(path[2][i], 64, "/workspace/proj-%d/a/b/c/data.txt", i); /* deny */
		snprintf(path[3][i], 64, "/etc/shadow");			  /* deny */
		snprintf(path[4][i], 64, "/data/ds%d/x/y.json", i % 8);		  /* allow */
		snprintf(path[5][i], 64, "/tmp/skill-%d/scratch", i);		  /* allow */
		snprintf(path[6][i], 64, "/tmp/skill-%d/a/b", i);		  /* deny */
		snprintf(path[7][i], 64, "/workspace/proj-%d", (i + 1) % SKILLS); /* deny */
		snprintf(host[0][i], 64, "static.cdn-%d.example", i);		  /* allow */
		snprintf(host[1][i], 64, "docs.example-%d.org.evil", i);	  /* deny */
	}
	policy_skill_set_all(p, &all);
	t = calloc(n, sizeof(*t));
	if (!t)
		return 1;
	for (size_t k = 0; k < n; k++) {
		struct policy_decision d;
		struct policy_call call = {.skill = skill[k % SKILLS]};
		size_t i = (k / 7) % SKILLS, v = k % 12;
		uint64_t t0;

		call.skill = skill[i];
		if (v < 8) {
			call.tool = (v == 1 || v == 5 || v == 6) ? POLICY_TOOL_FILE_WRITE
								 : POLICY_TOOL_FILE_READ;
			call.path = path[v][i];
		} else if (v < 10) {
			call.tool = POLICY_TOOL_BROWSE;
			call.host = host[v - 8][i];
		} else {
			call.tool = POLICY_TOOL_EXEC;
			call.language = v == 10 ? "python" : "node";
			call.timeout_usec = 30000000;
		}
		t0 = bench_now_ns();
		allowed += policy_decide(p, &all, &call, &d);
		t[k] = bench_now_ns() - t0;
	}

	printf("policy: %zu skills, %zu globs, %zu bytes of YAML\n", p->n_skills, n_globs, len);
	printf("load:      median %8.1f us   (of %d)\n",
	       (double)bench_quantile(loads, LOADS, 0.5) / 1000.0, LOADS);
	printf("decision:  p50 %8.3f us   p99 %8.3f us   (%zu calls, %zu allowed; target p50 <= 2 "
	       "us)\n",
	       (double)bench_quantile(t, n, 0.5) / 1000.0,
	       (double)bench_quantile(t, n, 0.99) / 1000.0, n, allowed);
	free(t);
	free(text);
	policy_free(p);
	return 0;
}

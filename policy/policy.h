/* SPDX-License-Identifier: MIT */
/* A loaded policy: name, instructions, limits, data sources and skills, each skill a set of
 * tools and the scopes that narrow them. Made only by policy-load.c (valid by construction,
 * immutable afterwards); decided on by decide.c; turned into kernel-side lists by
 * policy-scope.c. The file format is docs/policy.md. */
#pragma once

#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "error.h"
#include "hostmatch.h"
#include "macro.h"
#include "path-glob.h"

#define POLICY_FILE_MAX		(1U << 20) /* bytes of one policy file or inline text */
#define POLICY_DEPTH_MAX	8	   /* nesting of mappings and lists */
#define POLICY_SKILLS_MAX	256
#define POLICY_GLOBS_MAX	256 /* per list: files.read, files.write, exec.commands */
#define POLICY_HOSTS_MAX	256 /* per list: network.allow, network.allow_cidrs */
#define POLICY_DATA_SOURCES_MAX 64
#define POLICY_SCALAR_MAX	4096	     /* bytes of any value but instructions */
#define POLICY_INSTRUCTIONS_MAX (64U * 1024) /* bytes of instructions */
#define POLICY_NAME_MAX		64	     /* bytes of a policy, skill or data source name */

enum policy_tool {
	POLICY_TOOL_EXEC,
	POLICY_TOOL_FILE_READ,
	POLICY_TOOL_FILE_WRITE,
	POLICY_TOOL_FILE_LIST,
	POLICY_TOOL_FILE_DELETE,
	POLICY_TOOL_BROWSE,
	POLICY_TOOL_NETWORK,
	_POLICY_TOOL_MAX,
	_POLICY_TOOL_INVALID = -EINVAL,
};

enum policy_language {
	POLICY_LANGUAGE_PYTHON,
	POLICY_LANGUAGE_BASH,
	POLICY_LANGUAGE_SH,
	POLICY_LANGUAGE_NODE,
	_POLICY_LANGUAGE_MAX,
	_POLICY_LANGUAGE_INVALID = -EINVAL,
};

#define POLICY_LANGUAGES_ALL ((1U << _POLICY_LANGUAGE_MAX) - 1)

/* Session limits; 0 means the policy does not set it (the daemon's default applies). */
struct policy_limits {
	uint64_t memory_bytes;
	uint64_t pids;
	uint64_t cpu_millis; /* thousandths of a CPU */
	uint64_t disk_bytes;
	uint64_t session_ttl_usec;
	uint64_t idle_ttl_usec;
};

struct policy_data_source {
	char *name;
	char *host_path; /* absolute, normalised; the daemon opens it without following links */
	char *mount;	 /* absolute, normalised, in the sandbox's view */
	size_t mount_len;
	bool read_only;
};

/* A compiled glob and where it was written (for messages and `policy explain`). */
struct policy_glob {
	struct path_glob glob;
	unsigned line, column;
};

struct policy_skill {
	char *name;
	uint32_t tools; /* bit (1 << enum policy_tool) per granted tool */
	unsigned line, column;

	struct policy_glob *read; /* files.read: file.read, file.list; exec's Landlock reads */
	size_t n_read;
	struct policy_glob *write; /* files.write: file.write, file.delete; exec's Landlock */
	size_t n_write;
	uint64_t files_max_bytes; /* files.max_bytes: bytes one file.read or file.write moves;
				   * 0: not set (the daemon's chunk size) */

	uint32_t languages; /* bit per enum policy_language; ALL when not listed */
	bool has_commands;  /* false: any argv[0] */
	struct policy_glob *commands;
	size_t n_commands;
	uint64_t exec_timeout_usec; /* 0: not set (the daemon's default) */
	uint64_t exec_max_output;   /* bytes; 0: not set */

	struct hostmatch_pattern *allow; /* network.allow: browse and network */
	size_t n_allow;
	struct hostmatch_cidr *allow_cidrs; /* network.allow_cidrs */
	size_t n_allow_cidrs;

	uint64_t browse_max_bytes; /* 0: not set */
	uint64_t browse_timeout_usec;

	/* Derived at load time by policy-scope.c. */
	char **landlock_read; /* literal prefixes of read globs, none under another */
	size_t n_landlock_read;
	char **landlock_write;
	size_t n_landlock_write;
	uint64_t data_sources; /* bit i: the skill refers to data_sources[i] */
};

struct policy {
	char *name;
	char *source; /* the file name (or caller's name) it was loaded from */
	unsigned name_line, name_column;
	char *instructions; /* NULL when the policy has none */
	struct policy_limits limits;
	struct policy_data_source *data_sources;
	size_t n_data_sources;
	struct policy_skill *skills;
	size_t n_skills;
};

/* A set of skills of one policy, by index: what a session was granted. */
struct policy_skill_set {
	uint64_t bits[POLICY_SKILLS_MAX / 64];
};

/* Frees a policy and everything it owns; accepts NULL and half-built policies; returns NULL. */
struct policy *policy_free(struct policy *p);
DEFINE_CLEANUP(struct policy *, policy_free);

/* "exec", "file.read", ...; NULL when out of range. */
const char *policy_tool_to_string(enum policy_tool t);
enum policy_tool policy_tool_from_string(const char *s);

/* "python", "bash", "sh", "node"; NULL when out of range. */
const char *policy_language_to_string(enum policy_language l);
enum policy_language policy_language_from_string(const char *s);

/* Index of the skill called name, or -ENOENT. */
int policy_skill_index(const struct policy *p, const char *name);

/* Fills ret with the skills called names[0..n); unknown names are -ENOENT with the sentence
 * "policy 'P' has no skill 'S'". */
int policy_skill_set_from_names(const struct policy *p, const char *const *names, size_t n,
				struct policy_skill_set *ret, struct sbx_error *reterr);

/* Fills ret with every skill of p. */
void policy_skill_set_all(const struct policy *p, struct policy_skill_set *ret);

/* Adds skill number i to the set (nothing at or past POLICY_SKILLS_MAX). */
static inline void policy_skill_set_add(struct policy_skill_set *s, size_t i)
{
	if (i < POLICY_SKILLS_MAX)
		s->bits[i / 64] |= UINT64_C(1) << (i % 64);
}

/* True when skill number i is in the set. */
static inline bool policy_skill_set_contains(const struct policy_skill_set *s, size_t i)
{
	return i < POLICY_SKILLS_MAX && (s->bits[i / 64] >> (i % 64)) & 1;
}

/* Number of skills in the set. */
static inline size_t policy_skill_set_count(const struct policy_skill_set *s)
{
	size_t n = 0;

	for (size_t i = 0; i < ELEMENTSOF(s->bits); i++)
		n += (size_t)__builtin_popcountll(s->bits[i]);
	return n;
}

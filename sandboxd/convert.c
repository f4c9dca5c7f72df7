/* SPDX-License-Identifier: MIT */
/* Generic checks over unpacked messages, driven by protobuf-c's descriptors so no field can be
 * forgotten when the schema grows. Per-call conversion into internal structs joins this file
 * with the calls that need it. */
#include <errno.h>
#include <string.h>

#include "convert.h"
#include "utf8.h"

static int check_string(const ProtobufCFieldDescriptor *f, const char *s, struct sbx_error *e)
{
	if (s && !utf8_is_valid(s, strlen(s)))
		return sbx_fail(e, -EILSEQ, "field '%s' is not valid UTF-8", f->name);
	return 0;
}

static int check_message(const ProtobufCMessage *m, unsigned depth, struct sbx_error *e)
{
	const ProtobufCMessageDescriptor *d = m->descriptor;
	int r;

	if (depth > CONVERT_DEPTH_MAX)
		return sbx_fail(e, -E2BIG, "message nested deeper than %d", CONVERT_DEPTH_MAX);
	for (unsigned i = 0; i < d->n_fields; i++) {
		const ProtobufCFieldDescriptor *f = &d->fields[i];
		const char *member = (const char *)m + f->offset;
		size_t n = 1;
		const void *values = member;

		if (f->type != PROTOBUF_C_TYPE_STRING && f->type != PROTOBUF_C_TYPE_MESSAGE)
			continue;
		/* A oneof member is only meaningful when its case is the one set. */
		if (f->flags & PROTOBUF_C_FIELD_FLAG_ONEOF) {
			uint32_t which =
				*(const uint32_t *)((const char *)m + f->quantifier_offset);

			if (which != f->id)
				continue;
		}
		if (f->label == PROTOBUF_C_LABEL_REPEATED) {
			n = *(const size_t *)((const char *)m + f->quantifier_offset);
			values = *(const void *const *)member;
		}
		for (size_t k = 0; k < n; k++) {
			if (f->type == PROTOBUF_C_TYPE_STRING) {
				const char *s = f->label == PROTOBUF_C_LABEL_REPEATED
							? ((const char *const *)values)[k]
							: *(const char *const *)member;

				r = check_string(f, s, e);
			} else {
				const ProtobufCMessage *sub =
					f->label == PROTOBUF_C_LABEL_REPEATED
						? ((const ProtobufCMessage *const *)values)[k]
						: *(const ProtobufCMessage *const *)member;

				r = sub ? check_message(sub, depth + 1, e) : 0;
			}
			if (r < 0)
				return r;
		}
	}
	return 0;
}

int convert_check_strings(const ProtobufCMessage *m, struct sbx_error *e)
{
	return check_message(m, 0, e);
}

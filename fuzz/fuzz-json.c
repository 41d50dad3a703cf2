/*
 * libFuzzer target for src/util/json.c, both directions:
 *  - the input as JSON: json_to_vici() must either refuse it with a message
 *    or build a message that the pull parser accepts and the writer prints;
 *  - the input as a VICI message body: the writer must print every message
 *    the validator accepts, with no raw control character in the output,
 *    and refuse the others with -EBADMSG.
 * Crashes, sanitizer reports and aborts are the findings.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "util/json.h"
#include "vici/wire.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_output(const struct json_buf *b)
{
	for (size_t i = 0; i < b->len; i++)
		if ((uint8_t)b->p[i] < 0x20 || b->p[i] == 0x7f)
			abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct vici_builder b;
	char err[256];
	vici_builder_init(&b);
	if (json_to_vici((const char *)data, size, NULL, 0, &b, err, sizeof(err)) == 0) {
		uint8_t *msg;
		size_t len;
		if (vici_builder_finish(&b, &msg, &len) == 0) {
			struct json_buf out;
			json_buf_init(&out);
			if (json_put_message(&out, msg, len, JSON_PRETTY, 0))
				abort();
			free(msg);
			json_buf_free(&out);
		}
	} else {
		if (!err[0])
			abort(); /* every refusal says why */
		vici_builder_reset(&b);
	}

	struct json_buf out;
	json_buf_init(&out);
	int valid = vici_message_validate(data, size);
	int r = json_put_message(&out, data, size, 0, 0);
	if ((valid == 0) != (r == 0) || (r && r != -EBADMSG))
		abort();
	if (r == 0)
		check_output(&out);
	json_buf_free(&out);
	return 0;
}

/*
 * The diagnosis engine's public words: the stable names of codes, sides
 * and layers, and a verdict as JSON (swantop why --json). The engine
 * itself is in diag_records.c (records and queries), diag_lines.c
 * (charon's lines and events), diag_state.c (the tables) and
 * diag_rules.c (charon's messages).
 */
#include "model/diag.h"

#include <string.h>

static const char *const code_names[DIAG_CODE_COUNT] = {
        "",
        "no-proposal",
        "ts-unacceptable",
        "auth-failed",
        "peer-unreachable",
        "peer-deleted",
        "dpd-dead",
        "rekey-failed",
        "install-failed",
        "should-be-up",
        "half-open",
        "child-missing",
        "refused",
        "unknown",
};

const char *diag_code_name(enum diag_code c)
{
	return (unsigned)c < DIAG_CODE_COUNT ? code_names[c] : "?";
}

enum diag_code diag_code_parse(const char *word, size_t len)
{
	for (int c = DIAG_NONE + 1; c < DIAG_CODE_COUNT; c++)
		if (strlen(code_names[c]) == len && !memcmp(code_names[c], word, len))
			return (enum diag_code)c;
	return DIAG_NONE;
}

const char *diag_side_name(enum diag_side s)
{
	return s == DIAG_SIDE_LOCAL ? "local" : s == DIAG_SIDE_PEER ? "peer" : "unknown";
}

const char *diag_layer_name(enum diag_layer l)
{
	return l == DIAG_LAYER_CHILD ? "CHILD" : "IKE";
}

/* ---- JSON ------------------------------------------------------------------- */

static void kv_str(struct json_buf *b, const char *key, const char *s, bool null_if_empty)
{
	json_buf_printf(b, ",\"%s\":", key);
	if (null_if_empty && (!s || !*s))
		json_buf_puts(b, "null");
	else
		json_put_value(b, s ? s : "", s ? strlen(s) : 0);
}

static void kv_age(struct json_buf *b, const char *key, int64_t at, int64_t now)
{
	int64_t secs;
	if (model_secs_ago(at, now, &secs))
		json_buf_printf(b, ",\"%s\":%lld", key, (long long)secs);
	else
		json_buf_printf(b, ",\"%s\":null", key);
}

void diag_verdict_json(struct json_buf *b, const struct diag_verdict *v, int64_t now)
{
	json_buf_puts(b, "{\"verdict\":");
	json_put_value(b, diag_code_name(v->code), strlen(diag_code_name(v->code)));
	json_buf_printf(b, ",\"layer\":\"%s\",\"side\":\"%s\"", diag_layer_name(v->layer),
	                diag_side_name(v->side));
	kv_str(b, "conn", v->conn, true);
	kv_str(b, "child", v->child, true);
	kv_str(b, "peer", v->peer, true);
	kv_str(b, "peer_id", v->peer_id, true);
	json_buf_printf(b, ",\"current\":%s,\"source\":\"%s\",\"count\":%u",
	                v->current ? "true" : "false", v->from_state ? "state" : "log", v->count);
	kv_age(b, "first_age_s", v->first_at, now);
	kv_age(b, "age_s", v->last_at, now);
	kv_age(b, "cleared_age_s", v->current ? MODEL_TIME_NONE : v->cleared_at, now);
	json_buf_printf(b, ",\"ike_id\":%u,\"child_id\":%u", v->ike_id, v->child_id);
	kv_str(b, "detail", v->detail, false);
	kv_str(b, "ours", v->ours, true);
	kv_str(b, "theirs", v->theirs, true);
	kv_str(b, "next", v->next, false);
	kv_str(b, "retry", v->retry, true);
	json_buf_puts(b, ",\"evidence\":[");
	for (size_t i = 0; i < v->n_lines; i++) {
		const struct diag_line *l = &v->lines[i];
		int64_t secs = 0;
		model_secs_ago(l->time, now, &secs);
		json_buf_printf(b, "%s{\"age_s\":%lld", i ? "," : "", (long long)secs);
		kv_str(b, "group", l->group, false);
		json_buf_printf(b, ",\"level\":%d,\"ike_id\":%u", l->level, l->ike_id);
		json_buf_puts(b, ",\"msg\":");
		json_put_value(b, l->msg, l->len);
		json_buf_putc(b, '}');
	}
	json_buf_puts(b, "]}");
}

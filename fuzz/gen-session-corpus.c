/*
 * Writes the seed corpus of fuzz-session: short scripts (fuzz-session.h)
 * that each walk one path a daemon can take a session down, so the fuzzer
 * starts from the interesting states instead of finding the framing first:
 * plain and streamed replies, listeners and their events, CMD_UNKNOWN and
 * EVENT_UNKNOWN, answers out of order or with nothing pending, oversized
 * frames, a close in the middle of a frame, timeouts with late or missing
 * replies and registrations, callbacks that cancel or free, a reconnect in
 * the middle of a stream, a byte-wise reply and real charon list-sas output.
 *
 *   gen-session-corpus <fuzz/corpus/session directory> <tests/data directory>
 *
 * The output is committed; rerun only when the seeds should change.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz-session.h"
#include "vici/frame.h"
#include "vici/wire.h"

struct script {
	uint8_t buf[16384];
	size_t len;
};

static void put(struct script *s, const void *p, size_t n)
{
	if (n == 0)
		return;
	if (s->len + n > sizeof(s->buf)) {
		fprintf(stderr, "gen-session-corpus: script too long\n");
		exit(1);
	}
	memcpy(s->buf + s->len, p, n);
	s->len += n;
}

static void op(struct script *s, unsigned code)
{
	uint8_t b = (uint8_t)code;
	put(s, &b, 1);
}

static void op1(struct script *s, unsigned code, unsigned arg)
{
	op(s, code);
	op(s, arg);
}

static unsigned name_index(const char *name)
{
	for (unsigned i = 0; i < FS_NAMES; i++)
		if (!strcmp(fs_names[i], name))
			return i;
	fprintf(stderr, "gen-session-corpus: no name %s\n", name);
	exit(1);
}

static unsigned command_index(const char *cmd)
{
	for (unsigned i = 0; i < FS_COMMANDS; i++)
		if (!strcmp(fs_commands[i], cmd))
			return i;
	fprintf(stderr, "gen-session-corpus: no command %s\n", cmd);
	exit(1);
}

static unsigned step_index(int ms)
{
	for (unsigned i = 0; i < FS_STEPS; i++)
		if (fs_steps[i] == ms)
			return i;
	fprintf(stderr, "gen-session-corpus: no step %d\n", ms);
	exit(1);
}

static void call(struct script *s, const char *cmd, unsigned flags)
{
	op(s, FS_CALL);
	op(s, command_index(cmd));
	op(s, flags);
}

static void tick(struct script *s, int ms)
{
	op1(s, FS_TICK, step_index(ms));
}

/* A packet; name NULL for unnamed types; cut 255: whole. */
static void packet(struct script *s, enum vici_packet_type t, const char *name, const uint8_t *msg,
                   size_t len, unsigned cut)
{
	op(s, FS_PACKET);
	op(s, t);
	op(s, name ? name_index(name) : 0);
	op(s, (unsigned)len);
	put(s, msg, len);
	op(s, cut);
}

static void simple(struct script *s, enum vici_packet_type t)
{
	packet(s, t, NULL, NULL, 0, 255);
}

/* A message with one key=value. */
static size_t kv(uint8_t *out, const char *k, const char *v)
{
	struct vici_builder b;
	uint8_t *m;
	size_t len;
	vici_builder_init(&b);
	vici_builder_add_str(&b, k, v);
	if (vici_builder_finish(&b, &m, &len) || len > 255)
		exit(1);
	memcpy(out, m, len);
	free(m);
	return len;
}

static void write_script(const char *dir, const char *name, const struct script *s)
{
	char path[4096];
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	FILE *f = fopen(path, "wb");
	if (!f || fwrite(s->buf, 1, s->len, f) != s->len || fclose(f)) {
		fprintf(stderr, "gen-session-corpus: %s: %s\n", path, strerror(errno));
		exit(1);
	}
}

int main(int argc, char **argv)
{
	if (argc != 3) {
		fprintf(stderr, "usage: gen-session-corpus OUTDIR TESTS_DATA_DIR\n");
		return 2;
	}
	const char *out = argv[1];
	uint8_t m[256];
	size_t ml;
	struct script s;
	/* flags of FS_CALL: timeout index (bits 0-2), body (bits 5-6) */
	const unsigned t50 = 2, tnone = 6, body_ok = 1u << 5;

	s = (struct script){0};
	call(&s, "version", 0);
	op(&s, FS_IO);
	ml = kv(m, "daemon", "charon");
	packet(&s, VICI_CMD_RESPONSE, NULL, m, ml, 255);
	op(&s, FS_IO);
	write_script(out, "version", &s);

	s = (struct script){0};
	call(&s, "list-sas", body_ok);
	op(&s, FS_IO);
	simple(&s, VICI_EVENT_CONFIRM);
	ml = kv(m, "state", "ESTABLISHED");
	packet(&s, VICI_EVENT, "list-sa", m, ml, 255);
	packet(&s, VICI_EVENT, "list-sa", m, ml, 7);
	simple(&s, VICI_CMD_RESPONSE);
	op(&s, FS_IO);
	simple(&s, VICI_EVENT_CONFIRM);
	op(&s, FS_IO);
	write_script(out, "list-sas-stream", &s);

	s = (struct script){0};
	op1(&s, FS_LISTEN, name_index("log"));
	op1(&s, FS_LISTEN, name_index("ike-updown"));
	op(&s, FS_IO);
	simple(&s, VICI_EVENT_CONFIRM);
	simple(&s, VICI_EVENT_CONFIRM);
	ml = kv(m, "msg", "hello");
	packet(&s, VICI_EVENT, "log", m, ml, 255);
	packet(&s, VICI_EVENT, "x", m, ml, 255); /* an event nobody registered */
	packet(&s, VICI_EVENT, "ike-updown", m, ml, 3);
	op(&s, FS_IO);
	op1(&s, FS_UNLISTEN, 0);
	op(&s, FS_IO);
	simple(&s, VICI_EVENT_CONFIRM);
	op(&s, FS_IO);
	write_script(out, "listen-events", &s);

	s = (struct script){0};
	op1(&s, FS_LISTEN, name_index("alert"));
	op(&s, FS_IO);
	simple(&s, VICI_EVENT_UNKNOWN);
	call(&s, "no-such", 0);
	op(&s, FS_IO);
	simple(&s, VICI_CMD_UNKNOWN);
	op(&s, FS_IO);
	write_script(out, "unknown-event-and-command", &s);

	s = (struct script){0};
	call(&s, "version", 0);
	op1(&s, FS_LISTEN, name_index("log"));
	op(&s, FS_IO);
	simple(&s, VICI_EVENT_CONFIRM); /* out of order: the reply is due first */
	op(&s, FS_IO);
	tick(&s, 10);
	op(&s, FS_ACCEPT);
	op(&s, FS_IO);
	simple(&s, VICI_EVENT_CONFIRM);
	op(&s, FS_IO);
	write_script(out, "out-of-order", &s);

	s = (struct script){0};
	simple(&s, VICI_CMD_RESPONSE); /* nothing pending */
	op(&s, FS_IO);
	tick(&s, 10);
	op(&s, FS_ACCEPT);
	packet(&s, VICI_CMD_REQUEST, "version", NULL, 0, 255); /* a client's type */
	op(&s, FS_IO);
	write_script(out, "unexpected", &s);

	s = (struct script){0};
	call(&s, "version", 0);
	op(&s, FS_IO);
	op1(&s, FS_OVERSIZED, 0);
	op(&s, FS_IO);
	write_script(out, "oversized", &s);

	s = (struct script){0};
	call(&s, "list-sas", 0);
	op(&s, FS_IO);
	simple(&s, VICI_EVENT_CONFIRM);
	ml = kv(m, "uniqueid", "1");
	packet(&s, VICI_EVENT, "list-sa", m, ml, 255);
	op1(&s, FS_FEED, 6);
	put(&s, "\x00\x00\x00\x20\x07\x07", 6); /* half of the next event */
	op(&s, FS_IO);
	op(&s, FS_CLOSE);
	op(&s, FS_IO);
	tick(&s, 10);
	op(&s, FS_ACCEPT);
	op(&s, FS_IO);
	write_script(out, "close-mid-frame", &s);

	s = (struct script){0};
	call(&s, "stats", t50);
	op(&s, FS_IO);
	tick(&s, 99);
	call(&s, "version", 0);
	op(&s, FS_IO);
	ml = kv(m, "late", "yes");
	packet(&s, VICI_CMD_RESPONSE, NULL, m, ml, 255);
	op(&s, FS_IO);
	simple(&s, VICI_CMD_RESPONSE);
	op(&s, FS_IO);
	write_script(out, "late-reply", &s);

	s = (struct script){0};
	call(&s, "stats", 0);
	call(&s, "initiate", tnone);
	op(&s, FS_IO);
	tick(&s, 1001);
	tick(&s, 500);
	op(&s, FS_IO);
	op(&s, FS_ACCEPT);
	op(&s, FS_IO);
	write_script(out, "never-answers", &s);

	s = (struct script){0};
	op1(&s, FS_LISTEN, name_index("log"));
	op(&s, FS_IO);
	tick(&s, 1001);
	op(&s, FS_IO);
	tick(&s, 500);
	op(&s, FS_ACCEPT);
	op(&s, FS_IO);
	simple(&s, VICI_EVENT_CONFIRM);
	op(&s, FS_IO);
	write_script(out, "register-never-confirmed", &s);

	s = (struct script){0};
	op1(&s, FS_LISTEN, name_index("log"));
	op(&s, FS_IO);
	tick(&s, 1001);
	call(&s, "version", 0);
	simple(&s, VICI_EVENT_CONFIRM);
	op(&s, FS_IO);
	simple(&s, VICI_CMD_RESPONSE);
	op(&s, FS_IO);
	write_script(out, "register-confirmed-late", &s);

	s = (struct script){0};
	op1(&s, FS_MODE, FS_CB_FREE);
	call(&s, "version", 0);
	op(&s, FS_IO);
	simple(&s, VICI_CMD_RESPONSE);
	op(&s, FS_IO);
	write_script(out, "free-in-callback", &s);

	s = (struct script){0};
	op1(&s, FS_MODE, FS_CB_CANCEL_OTHER);
	call(&s, "version", 0);
	call(&s, "list-conns", 0);
	call(&s, "stats", 0);
	op(&s, FS_IO);
	simple(&s, VICI_CMD_RESPONSE);
	simple(&s, VICI_EVENT_CONFIRM);
	op(&s, FS_IO);
	op1(&s, FS_MODE, FS_CB_RECONNECT);
	simple(&s, VICI_CMD_RESPONSE);
	op(&s, FS_IO);
	op(&s, FS_ACCEPT);
	op(&s, FS_IO);
	write_script(out, "cancel-and-reconnect-in-callbacks", &s);

	s = (struct script){0};
	op1(&s, FS_MODE, FS_CB_LISTEN);
	op1(&s, FS_LISTEN, name_index("log"));
	op(&s, FS_IO);
	simple(&s, VICI_EVENT_CONFIRM);
	ml = kv(m, "msg", "x");
	packet(&s, VICI_EVENT, "log", m, ml, 255);
	op(&s, FS_IO);
	op1(&s, FS_MODE, FS_CB_REMOVE_LISTENER);
	packet(&s, VICI_EVENT, "log", m, ml, 255);
	op(&s, FS_IO);
	write_script(out, "listeners-in-callbacks", &s);

	s = (struct script){0};
	call(&s, "list-sas", 0);
	op(&s, FS_IO);
	simple(&s, VICI_EVENT_CONFIRM);
	op(&s, FS_RECONNECT);
	op(&s, FS_ACCEPT);
	op(&s, FS_IO);
	call(&s, "version", 0);
	op(&s, FS_IO);
	simple(&s, VICI_CMD_RESPONSE);
	op(&s, FS_IO);
	write_script(out, "reconnect-mid-stream", &s);

	s = (struct script){0};
	call(&s, "version", 0);
	op(&s, FS_IO);
	ml = kv(m, "version", "5.9.8");
	uint8_t frame[300] = {0, 0, 0, (uint8_t)(1 + ml), VICI_CMD_RESPONSE};
	memcpy(frame + 5, m, ml);
	for (size_t i = 0; i < 5 + ml; i++) {
		op1(&s, FS_FEED, 1);
		put(&s, frame + i, 1);
		op(&s, FS_IO);
	}
	write_script(out, "bytewise-reply", &s);

	/* Real charon 5.9.8 list-sas output after the registration. */
	char path[4096];
	snprintf(path, sizeof(path), "%s/listsa-charon-5.9.8.stream", argv[2]);
	FILE *f = fopen(path, "rb");
	uint8_t stream[8192];
	size_t n = f ? fread(stream, 1, sizeof(stream), f) : 0;
	if (!f || n == 0 || n == sizeof(stream)) {
		fprintf(stderr, "gen-session-corpus: cannot read %s\n", path);
		return 1;
	}
	fclose(f);
	s = (struct script){0};
	call(&s, "list-sas", 0);
	op(&s, FS_IO);
	simple(&s, VICI_EVENT_CONFIRM);
	op(&s, FS_FEED_BIG);
	op(&s, (unsigned)(n >> 8));
	op(&s, (unsigned)(n & 255));
	put(&s, stream, n);
	op(&s, FS_IO);
	op(&s, FS_IO);
	write_script(out, "charon-list-sas", &s);
	return 0;
}

/*
 * Writes the seed corpora for fuzz-wire and fuzz-frame: a handful of small,
 * real-shaped messages (the README encoding example, a version reply, a
 * list-sa event in charon 5.9.8's layout, binary values, empty lists, deep
 * nesting) and frame streams made of them. Given the directory of the
 * model's captures, also the seeds of fuzz-model: step sequences (see
 * fuzz-model.c) built from those real messages and from tools/listsa-gen.
 *
 *   gen-corpus <fuzz/corpus directory> [<tests/data/model directory>]
 *
 * The output is committed; rerun only when the seeds should change. The
 * charon-* seeds are cut by hand from tests/data/listsa-charon-5.9.8.stream
 * (real charon output; the frame seed prefixed with chunk sizes 5, 1, 200).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vici/frame.h"
#include "tools/listsa-gen.h"
#include "vici/wire.h"

static const char *outdir;

static void write_file(const char *sub, const char *name, const void *data, size_t len)
{
	char path[4096];
	snprintf(path, sizeof(path), "%s/%s/%s", outdir, sub, name);
	FILE *f = fopen(path, "wb");
	if (!f || fwrite(data, 1, len, f) != len || fclose(f)) {
		fprintf(stderr, "gen-corpus: %s: %s\n", path, strerror(errno));
		exit(1);
	}
}

struct msg {
	const char *name;
	uint8_t *data;
	size_t len;
};

static struct msg finish(const char *name, struct vici_builder *b)
{
	struct msg m = {name, NULL, 0};
	if (vici_builder_finish(b, &m.data, &m.len)) {
		fprintf(stderr, "gen-corpus: %s does not build\n", name);
		exit(1);
	}
	return m;
}

struct pkt {
	int type;
	const char *pname;
	const struct msg *msg;
};

/* ---- fuzz-model seeds ------------------------------------------------------ */

/* fuzz-model's opcodes (see the table at the top of fuzz-model.c). */
enum {
	OP_LIST_SA,
	OP_LIST_CONN,
	OP_LIST_POLICY,
	OP_IKE_UPDOWN,
	OP_IKE_REKEY,
	OP_IKE_UPDATE,
	OP_CHILD_UPDOWN,
	OP_CHILD_REKEY,
	OP_LOG,
	OP_CONTROL_LOG,
	OP_VERSION,
	OP_STATS,
	OP_UNKNOWN,
	OP_SWEEP_BEGIN,
	OP_SWEEP_END,
	OP_SWEEP_ABORT,
	OP_CLEAR,
	OP_TIME,
	OP_EVENT_ADD,
	OP_VIEW,
};
enum { T_SAS, T_CONNS, T_POLS };

/* fuzz-model takes inputs of up to 4096 bytes in the runs we document. */
#define SEED_MAX 4096

struct seed {
	uint8_t buf[SEED_MAX];
	size_t len;
	bool over;
};

static const char *capdir;

static void put(struct seed *s, const void *p, size_t len)
{
	if (s->len + len > sizeof(s->buf)) {
		s->over = true;
		return;
	}
	memcpy(s->buf + s->len, p, len);
	s->len += len;
}

/* An opcode and up to two argument bytes (-1: none). */
static void put_bytes(struct seed *s, int a, int b, int c)
{
	uint8_t x[3] = {(uint8_t)a, (uint8_t)b, (uint8_t)c};
	put(s, x, c < 0 ? (b < 0 ? 1 : 2) : 3);
}

static void put_msg(struct seed *s, int op, const void *body, size_t len)
{
	put_bytes(s, op, (int)(len >> 8), (int)(len & 0xff));
	put(s, body, len);
}

/* A capture of tests/data/model as one step. */
static void put_cap(struct seed *s, int op, const char *name)
{
	char path[4096];
	uint8_t body[SEED_MAX];
	snprintf(path, sizeof(path), "%s/%s", capdir, name);
	FILE *f = fopen(path, "rb");
	size_t len = f ? fread(body, 1, sizeof(body), f) : 0;
	if (!f || ferror(f) || !feof(f)) {
		fprintf(stderr, "gen-corpus: %s: cannot read (or larger than %d bytes)\n", path,
		        SEED_MAX);
		exit(1);
	}
	fclose(f);
	put_msg(s, op, body, len);
}

/* A list-sa of tools/listsa-gen as one step. */
static void put_gen(struct seed *s, unsigned index, unsigned nchild)
{
	uint8_t *body;
	size_t len;
	if (listsa_gen_message(index, nchild, &body, &len)) {
		fprintf(stderr, "gen-corpus: list-sa %u does not build\n", index);
		exit(1);
	}
	put_msg(s, OP_LIST_SA, body, len);
	free(body);
}

static void put_built(struct seed *s, int op, struct vici_builder *b)
{
	struct msg m = finish("model step", b);
	put_msg(s, op, m.data, m.len);
	free(m.data);
}

static void put_time(struct seed *s, unsigned ms)
{
	put_bytes(s, OP_TIME, (int)((ms / 16) >> 8), (int)((ms / 16) & 0xff));
}

/* A few moves in both views: sort, filter, fold, selection, window. */
static void put_views(struct seed *s)
{
	static const uint8_t ops[][2] = {
	        {1 << 1 | 0, 3},    {1 << 1 | 1, 1},    {4 << 1 | 0, 2},    {5 << 1 | 0, 0xfe},
	        {2 << 1 | 0, 0x83}, {6 << 1 | 1, 0x73}, {0 << 1 | 1, 0x84}, {3 << 1 | 0, 1},
	        {7 << 1 | 0, 0},    {3 << 1 | 0, 0},    {1 << 1 | 0, 0x80}, {9 << 1 | 0, 0x51},
	};
	for (size_t i = 0; i < sizeof(ops) / sizeof(ops[0]); i++)
		put_bytes(s, OP_VIEW, ops[i][0], ops[i][1]);
}

static void sweep_captures(struct seed *s, const char *which, int n)
{
	put_bytes(s, OP_SWEEP_BEGIN, T_SAS, 0);
	for (int i = 0; i < n; i++) {
		char name[64];
		snprintf(name, sizeof(name), "list-sa-%s-%d.bin", which, i);
		put_cap(s, OP_LIST_SA, name);
	}
	put_bytes(s, OP_SWEEP_END, T_SAS, -1);
}

static void write_seed(const char *name, struct seed *s)
{
	if (s->over) {
		fprintf(stderr, "gen-corpus: model seed %s is over %d bytes\n", name, SEED_MAX);
		exit(1);
	}
	write_file("model", name, s->buf, s->len);
	memset(s, 0, sizeof(*s));
}

static void write_model_seeds(void)
{
	static struct seed s;
	struct vici_builder b;
	vici_builder_init(&b);

	/* The gateway's four IKE SAs in a sweep, before and after the events. */
	s.buf[s.len++] = 0x12; /* 3 events, 3 log lines, miss limit 1 */
	sweep_captures(&s, "before", 4);
	put_views(&s);
	write_seed("sweep-before", &s);
	s.buf[s.len++] = 0x52;
	sweep_captures(&s, "after", 4);
	put_time(&s, 5000);
	put_bytes(&s, OP_SWEEP_BEGIN, T_SAS, 0);
	put_bytes(&s, OP_SWEEP_END, T_SAS, -1);
	put_views(&s);
	write_seed("sweep-after", &s);

	/* site1 (IKE 3): a CHILD SA rekeyed, then the IKE SA (its CHILD SAs move
	 * to IKE 7), a CHILD SA down and a new one up. */
	s.buf[s.len++] = 0x3f;
	put_cap(&s, OP_LIST_SA, "list-sa-before-1.bin");
	put_views(&s);
	put_time(&s, 1000);
	put_cap(&s, OP_CHILD_REKEY, "ev-1-child-rekey.bin");
	put_time(&s, 2000);
	put_cap(&s, OP_IKE_REKEY, "ev-4-ike-rekey.bin");
	put_views(&s);
	write_seed("site1-rekeys", &s);
	s.buf[s.len++] = 0x3f;
	put_cap(&s, OP_LIST_SA, "list-sa-before-1.bin");
	put_cap(&s, OP_IKE_REKEY, "ev-4-ike-rekey.bin");
	put_time(&s, 2000);
	put_cap(&s, OP_CHILD_UPDOWN, "ev-5-child-updown-down.bin");
	put_cap(&s, OP_CHILD_UPDOWN, "ev-6-child-updown-up.bin");
	put_views(&s);
	write_seed("site1-children", &s);

	/* site2 reauthenticates (IKEv1): a new IKE SA up, the old one down,
	 * with the old one's list-sa arriving in a sweep after the "down". */
	s.buf[s.len++] = 0x09;
	put_cap(&s, OP_LIST_SA, "list-sa-before-0.bin");
	put_time(&s, 3000);
	put_bytes(&s, OP_SWEEP_BEGIN, T_SAS, 0);
	put_cap(&s, OP_IKE_UPDOWN, "ev-2-ike-updown-up.bin");
	put_cap(&s, OP_IKE_UPDOWN, "ev-3-ike-updown-down.bin");
	put_cap(&s, OP_LIST_SA, "list-sa-before-0.bin");
	put_cap(&s, OP_LIST_SA, "list-sa-after-1.bin");
	put_bytes(&s, OP_SWEEP_END, T_SAS, -1);
	put_views(&s);
	write_seed("site2-reauth", &s);

	/* Targeted refreshes: one that lists its SA, one that does not. */
	s.buf[s.len++] = 0x00;
	put_cap(&s, OP_LIST_SA, "list-sa-before-2.bin");
	put_cap(&s, OP_LIST_SA, "list-sa-before-3.bin");
	put_bytes(&s, OP_SWEEP_BEGIN, T_SAS, 2);
	put_cap(&s, OP_LIST_SA, "list-sa-after-2.bin");
	put_bytes(&s, OP_SWEEP_END, T_SAS, -1);
	put_bytes(&s, OP_SWEEP_BEGIN, T_SAS, 1);
	put_bytes(&s, OP_SWEEP_END, T_SAS, -1);
	put_bytes(&s, OP_SWEEP_BEGIN, T_SAS, 2);
	put_bytes(&s, OP_SWEEP_ABORT, T_SAS, -1);
	put_views(&s);
	put_bytes(&s, OP_CLEAR, T_SAS, -1);
	write_seed("targeted", &s);

	/* Generated SAs: rates between sweeps, misses, removals. */
	s.buf[s.len++] = 0x80 | 0x40;
	put_bytes(&s, OP_SWEEP_BEGIN, T_SAS, 0);
	for (unsigned i = 0; i < 3; i++)
		put_gen(&s, i, 1 + i % 2);
	put_bytes(&s, OP_SWEEP_END, T_SAS, -1);
	put_time(&s, 2000);
	put_bytes(&s, OP_SWEEP_BEGIN, T_SAS, 0);
	put_gen(&s, 0, 1);
	put_bytes(&s, OP_SWEEP_END, T_SAS, -1);
	put_views(&s);
	put_bytes(&s, OP_SWEEP_BEGIN, T_SAS, 0);
	put_bytes(&s, OP_SWEEP_END, T_SAS, -1);
	write_seed("generated-sweeps", &s);

	/* An SA missed by one sweep (stale) and listed by the next. */
	s.buf[s.len++] = 0x40; /* miss limit 2 */
	put_gen(&s, 0, 1);
	put_gen(&s, 1, 1);
	put_bytes(&s, OP_SWEEP_BEGIN, T_SAS, 0);
	put_gen(&s, 0, 1);
	put_bytes(&s, OP_SWEEP_END, T_SAS, -1);
	put_views(&s);
	put_time(&s, 1000);
	put_bytes(&s, OP_SWEEP_BEGIN, T_SAS, 0);
	put_gen(&s, 1, 1);
	put_bytes(&s, OP_SWEEP_END, T_SAS, -1);
	write_seed("stale", &s);

	/* Many small SAs, connections and policies: the maps grow, sweeps
	 * delete from the middle of probe chains, a clear frees more blocks
	 * than the pool keeps. */
	s.buf[s.len++] = 0x00;
	for (unsigned i = 0; i < 50; i++) {
		char sec[8];
		snprintf(sec, sizeof(sec), "c%u", i % 7);
		vici_builder_section_start(&b, "x");
		vici_builder_add_fmt(&b, "uniqueid", "%u", 1 + i * 64 % 509);
		vici_builder_section_start(&b, "child-sas");
		vici_builder_section_start(&b, sec);
		vici_builder_add_fmt(&b, "uniqueid", "%u", 1 + i * 128 % 1021);
		vici_builder_section_end(&b);
		vici_builder_section_end(&b);
		vici_builder_section_end(&b);
		if (i == 15)
			put_bytes(&s, OP_SWEEP_BEGIN, T_SAS, 0);
		put_built(&s, OP_LIST_SA, &b);
	}
	put_bytes(&s, OP_SWEEP_END, T_SAS, -1);
	for (unsigned i = 0; i < 36; i++) {
		char sec[8];
		snprintf(sec, sizeof(sec), "n%u", i);
		vici_builder_section_start(&b, sec);
		vici_builder_section_end(&b);
		if (i == 25)
			put_bytes(&s, OP_SWEEP_BEGIN, T_CONNS, 0);
		put_built(&s, OP_LIST_CONN, &b);
		vici_builder_section_start(&b, sec);
		vici_builder_section_end(&b);
		put_built(&s, OP_LIST_POLICY, &b);
	}
	put_bytes(&s, OP_SWEEP_END, T_CONNS, -1);
	put_views(&s);
	put_bytes(&s, OP_CLEAR, T_SAS, -1);
	write_seed("many", &s);

	/* ike-update: the peer moved (root keys carry the new address). */
	s.buf[s.len++] = 0x00;
	put_gen(&s, 4, 2);
	vici_builder_add_str(&b, "local-host", "192.0.2.1");
	vici_builder_add_str(&b, "local-port", "4500");
	vici_builder_add_str(&b, "remote-host", "198.51.100.77");
	vici_builder_add_str(&b, "remote-port", "62000");
	listsa_gen_ike(&b, 4, 2);
	put_built(&s, OP_IKE_UPDATE, &b);
	put_views(&s);
	write_seed("ike-update", &s);

	/* Connections and policies, swept and cleared, with the SAs they
	 * count. */
	s.buf[s.len++] = 0x00;
	put_bytes(&s, OP_SWEEP_BEGIN, T_CONNS, 0);
	for (int i = 0; i < 3; i++) {
		char name[64];
		snprintf(name, sizeof(name), "list-conn-%d.bin", i);
		put_cap(&s, OP_LIST_CONN, name);
	}
	put_bytes(&s, OP_SWEEP_END, T_CONNS, -1);
	put_cap(&s, OP_LIST_SA, "list-sa-before-1.bin");
	put_cap(&s, OP_LIST_SA, "list-sa-before-2.bin");
	write_seed("conns-sas", &s);
	s.buf[s.len++] = 0x00;
	for (int i = 3; i < 7; i++) {
		char name[64];
		snprintf(name, sizeof(name), "list-conn-%d.bin", i);
		put_cap(&s, OP_LIST_CONN, name);
	}
	put_bytes(&s, OP_SWEEP_BEGIN, T_CONNS, 0);
	put_cap(&s, OP_LIST_CONN, "list-conn-5.bin");
	put_bytes(&s, OP_SWEEP_END, T_CONNS, -1);
	put_bytes(&s, OP_SWEEP_BEGIN, T_POLS, 0);
	put_cap(&s, OP_LIST_POLICY, "list-policy-0.bin");
	put_bytes(&s, OP_SWEEP_END, T_POLS, -1);
	put_cap(&s, OP_LIST_POLICY, "list-policy-0.bin");
	put_bytes(&s, OP_CLEAR, T_POLS, -1);
	put_bytes(&s, OP_CLEAR, T_CONNS, -1);
	write_seed("conns-pols", &s);

	/* The daemon: version and stats replies, an event we do not handle. */
	s.buf[s.len++] = 0x00;
	put_cap(&s, OP_VERSION, "version.bin");
	put_cap(&s, OP_STATS, "stats.bin");
	put_cap(&s, OP_UNKNOWN, "version.bin");
	put_cap(&s, OP_STATS, "stats.bin");
	write_seed("daemon", &s);

	/* Log lines, control-log and the app's own events in small rings. */
	s.buf[s.len++] = 0x09; /* 2 events, 2 log lines: both rings drop */
	put_cap(&s, OP_LOG, "log-0.bin");
	put_cap(&s, OP_LOG, "log-5.bin");
	put_cap(&s, OP_LOG, "log-20.bin");
	put_cap(&s, OP_CONTROL_LOG, "log-5.bin");
	put_bytes(&s, OP_EVENT_ADD, 8, 5);
	put(&s, "ok \x1b[", 5);
	put_bytes(&s, OP_EVENT_ADD, 0x80 | 10, 4);
	put(&s, "down", 4);
	put_cap(&s, OP_LOG, "log-20.bin");
	write_seed("rings", &s);

	/* Each capture on its own, as its own kind. */
	static const struct {
		int op;
		const char *file;
	} one[] = {
	        {OP_LIST_SA, "list-sa-before-1.bin"},
	        {OP_LIST_SA, "list-sa-after-3.bin"},
	        {OP_CHILD_REKEY, "ev-1-child-rekey.bin"},
	        {OP_IKE_UPDOWN, "ev-2-ike-updown-up.bin"},
	        {OP_IKE_REKEY, "ev-4-ike-rekey.bin"},
	        {OP_CHILD_UPDOWN, "ev-6-child-updown-up.bin"},
	        {OP_LIST_CONN, "list-conn-0.bin"},
	        {OP_LIST_POLICY, "list-policy-0.bin"},
	        {OP_LOG, "log-5.bin"},
	        {OP_STATS, "stats.bin"},
	};
	for (size_t i = 0; i < sizeof(one) / sizeof(one[0]); i++) {
		char name[80];
		s.buf[s.len++] = 0x3f;
		put_cap(&s, one[i].op, one[i].file);
		snprintf(name, sizeof(name), "one-%.*s", (int)(strlen(one[i].file) - 4),
		         one[i].file);
		write_seed(name, &s);
	}
}

int main(int argc, char **argv)
{
	struct vici_builder b;
	struct msg m[8];
	size_t n = 0;

	if (argc != 2 && argc != 3) {
		fprintf(stderr, "usage: gen-corpus <corpus dir> [<model captures dir>]\n");
		return 2;
	}
	outdir = argv[1];
	if (argc == 3) {
		capdir = argv[2];
		write_model_seeds();
	}

	vici_builder_init(&b);
	vici_builder_add_str(&b, "key1", "value1");
	vici_builder_section_start(&b, "section1");
	vici_builder_section_start(&b, "sub-section");
	vici_builder_add_str(&b, "key2", "value2");
	vici_builder_section_end(&b);
	vici_builder_list_start(&b, "list1");
	vici_builder_list_item_str(&b, "item1");
	vici_builder_list_item_str(&b, "item2");
	vici_builder_list_end(&b);
	vici_builder_section_end(&b);
	m[n++] = finish("readme-example", &b);

	vici_builder_add_str(&b, "daemon", "charon");
	vici_builder_add_str(&b, "version", "5.9.8");
	vici_builder_add_str(&b, "sysname", "Linux");
	vici_builder_add_str(&b, "release", "6.1.0-13-amd64");
	vici_builder_add_str(&b, "machine", "x86_64");
	m[n++] = finish("version-reply", &b);

	listsa_gen_ike(&b, 2, 1);
	m[n++] = finish("list-sa", &b);

	vici_builder_add_str(&b, "group", "IKE");
	vici_builder_add_str(&b, "level", "1");
	vici_builder_add_str(&b, "ikesa-name", "gw-1");
	vici_builder_add_str(&b, "ikesa-uniqueid", "1");
	vici_builder_add_str(&b, "msg", "initiating IKE_SA gw-1[1] to 198.51.100.1");
	m[n++] = finish("log-event", &b);

	static const uint8_t bin[] = {0x30, 0x82, 0x00, 0x00, 0xff, 0x00, 0x01, 0x7f, 0x1b, '['};
	vici_builder_add(&b, "data", bin, sizeof(bin));
	vici_builder_add(&b, "empty", NULL, 0);
	vici_builder_list_start(&b, "none");
	vici_builder_list_end(&b);
	vici_builder_list_start(&b, "bin");
	vici_builder_list_item(&b, bin, sizeof(bin));
	vici_builder_list_item(&b, "", 0);
	vici_builder_list_end(&b);
	m[n++] = finish("binary", &b);

	for (int i = 0; i < 12; i++)
		vici_builder_section_start(&b, i % 2 ? "a" : "child-sas");
	vici_builder_add_str(&b, "k", "v");
	for (int i = 0; i < 12; i++)
		vici_builder_section_end(&b);
	vici_builder_section_start(&b, "s");
	vici_builder_section_end(&b);
	m[n++] = finish("deep", &b);

	for (size_t i = 0; i < n; i++)
		write_file("wire", m[i].name, m[i].data, m[i].len);
	write_file("wire", "empty", "", 0);

	/* Frame streams. Layout of a fuzz-frame input: 1 byte giving the
	 * number of chunk-size bytes minus one, those bytes, the stream. */
	static const struct {
		const char *name;
		const uint8_t sizes[5];
		size_t nsizes;
	} streams[] = {
	        {"reply-whole", {255}, 1},
	        {"events-odd-chunks", {1, 2, 3, 7, 13}, 5},
	        {"session-bytewise", {1}, 1},
	};
	for (size_t s = 0; s < sizeof(streams) / sizeof(streams[0]); s++) {
		uint8_t *out = NULL;
		size_t out_len = 0;
		struct pkt pk[6];
		size_t np = 0;
		if (s == 0) {
			pk[np++] = (struct pkt){VICI_CMD_RESPONSE, NULL, &m[1]};
		} else if (s == 1) {
			pk[np++] = (struct pkt){VICI_EVENT, "list-sa", &m[2]};
			pk[np++] = (struct pkt){VICI_EVENT, "log", &m[3]};
			pk[np++] = (struct pkt){VICI_CMD_RESPONSE, NULL, NULL};
		} else {
			pk[np++] = (struct pkt){VICI_EVENT_REGISTER, "list-sa", NULL};
			pk[np++] = (struct pkt){VICI_EVENT_CONFIRM, NULL, NULL};
			pk[np++] = (struct pkt){VICI_CMD_REQUEST, "list-sas", &m[4]};
			pk[np++] = (struct pkt){VICI_CMD_UNKNOWN, NULL, NULL};
			pk[np++] = (struct pkt){VICI_EVENT_UNKNOWN, NULL, NULL};
			pk[np++] = (struct pkt){VICI_EVENT_UNREGISTER, "log", NULL};
		}
		out_len = 1 + streams[s].nsizes;
		out = malloc(out_len);
		out[0] = (uint8_t)(streams[s].nsizes - 1);
		memcpy(out + 1, streams[s].sizes, streams[s].nsizes);
		for (size_t i = 0; i < np; i++) {
			uint8_t *f;
			size_t fl;
			if (vici_packet_encode((enum vici_packet_type)pk[i].type, pk[i].pname,
			                       pk[i].msg ? pk[i].msg->data : NULL,
			                       pk[i].msg ? pk[i].msg->len : 0, &f, &fl))
				return 1;
			out = realloc(out, out_len + fl);
			memcpy(out + out_len, f, fl);
			out_len += fl;
			free(f);
		}
		if (s == 2) { /* a zero-length frame, legal at this layer */
			out = realloc(out, out_len + 4);
			memset(out + out_len, 0, 4);
			out_len += 4;
		}
		write_file("frame", streams[s].name, out, out_len);
		free(out);
	}
	/* an oversized header after a good frame */
	static const uint8_t big[] = {0, 0, 0, 0, 1, 5, 0, 8, 0, 1, 'x'};
	write_file("frame", "oversize", big, sizeof(big));

	for (size_t i = 0; i < n; i++)
		free(m[i].data);
	return 0;
}

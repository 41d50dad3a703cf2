/*
 * Writes the seed corpora for fuzz-wire and fuzz-frame: a handful of small,
 * real-shaped messages (the README encoding example, a version reply, a
 * list-sa event in charon 5.9.8's layout, binary values, empty lists, deep
 * nesting) and frame streams made of them.
 *
 *   gen-corpus <fuzz/corpus directory>
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

int main(int argc, char **argv)
{
	struct vici_builder b;
	struct msg m[8];
	size_t n = 0;

	if (argc != 2) {
		fprintf(stderr, "usage: gen-corpus <corpus dir>\n");
		return 2;
	}
	outdir = argv[1];

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

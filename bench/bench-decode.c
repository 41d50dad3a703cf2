/*
 * Decode throughput of the VICI parser on a realistic list-sa stream: N
 * list-sa events (default 1000 IKE SAs with 2 CHILD SAs each, charon 5.9.8's
 * layout, see listsa-gen.h) are built in memory once, then every element of
 * every message is walked with vici_parser_next() for a few seconds.
 *
 *   bench-decode [seconds [ike-sas [child-sas]]]
 *
 * Prints "figure: NAME VALUE UNIT" lines; MB means 10^6 bytes of message
 * body, time is CPU time (see now()). frame_decode_throughput additionally runs the whole receive
 * path on the framed stream: the reader fed in 64 KiB pieces (as from read()), vici_reader_take(),
 * vici_packet_parse() and the element walk; reencode_throughput parses each message and builds it
 * again with the builder's length-taking calls.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "vici/frame.h"
#include "tools/listsa-gen.h"
#include "vici/wire.h"

/* CPU time of this process: the machine is shared (parallel builds and
 * tests), and wall-clock time would charge us for other processes' turns. */
static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Walks one message; returns the number of elements (or -1 on error) and
 * folds what it saw into *sink so that the compiler cannot drop the work. */
static long walk(const uint8_t *msg, size_t len, size_t *sink)
{
	struct vici_parser p;
	struct vici_element e;
	long n = 0;
	int r;

	vici_parser_init(&p, msg, len);
	while ((r = vici_parser_next(&p, &e)) > 0) {
		*sink += e.name_len + e.value_len + e.type;
		n++;
	}
	return r < 0 ? -1 : n;
}

static unsigned long arg(int argc, char **argv, int i, unsigned long def)
{
	return argc > i ? strtoul(argv[i], NULL, 10) : def;
}

int main(int argc, char **argv)
{
	double seconds = (double)arg(argc, argv, 1, 3);
	unsigned nike = (unsigned)arg(argc, argv, 2, 1000);
	unsigned nchild = (unsigned)arg(argc, argv, 3, 2);
	uint8_t **msgs = calloc(nike, sizeof(*msgs));
	size_t *lens = calloc(nike, sizeof(*lens));
	size_t total = 0, stream_len = 0, sink = 0;
	long elements = 0;

	if (!msgs || !lens || nike == 0)
		return 1;
	for (unsigned i = 0; i < nike; i++) {
		int r = listsa_gen_message(i, nchild, &msgs[i], &lens[i]);
		if (r) {
			fprintf(stderr, "bench-decode: building message %u: %s\n", i, strerror(-r));
			return 1;
		}
		total += lens[i];
		long n = walk(msgs[i], lens[i], &sink);
		if (n < 0) {
			fprintf(stderr, "bench-decode: message %u does not parse\n", i);
			return 1;
		}
		elements += n;
	}

	/* the same events as charon would send them: EVENT "list-sa" frames */
	uint8_t *stream = malloc(total + (size_t)nike * 16);
	if (!stream)
		return 1;
	for (unsigned i = 0; i < nike; i++) {
		uint8_t *f;
		size_t fl;
		if (vici_packet_encode(VICI_EVENT, "list-sa", msgs[i], lens[i], &f, &fl)) {
			fprintf(stderr, "bench-decode: message %u too large for a frame\n", i);
			return 1;
		}
		memcpy(stream + stream_len, f, fl);
		stream_len += fl;
		free(f);
	}

	printf("list-sa stream: %u IKE SAs x %u CHILD SAs, %zu bytes of messages "
	       "(%zu per IKE SA, %ld elements), %zu bytes framed\n",
	       nike, nchild, total, total / nike, elements, stream_len);
	printf("figure: listsa_message_size %zu bytes\n", total / nike);
	printf("figure: listsa_stream_size %zu bytes\n", total);

	/* 1: the parser alone */
	double t0 = now(), t;
	unsigned long passes = 0;
	do {
		for (unsigned i = 0; i < nike; i++)
			walk(msgs[i], lens[i], &sink);
		passes++;
		t = now() - t0;
	} while (t < seconds);
	double mbs = (double)total * (double)passes / t / 1e6;
	printf("figure: decode_throughput %.0f MB/s\n", mbs);
	printf("figure: decode_elements %.1f Melem/s\n",
	       (double)elements * (double)passes / t / 1e6);

	/* 2: reader + packet parse + walk on the framed stream */
	struct vici_reader rd;
	vici_reader_init(&rd);
	t0 = now();
	passes = 0;
	do {
		size_t off = 0;
		unsigned got = 0;
		while (off < stream_len) {
			size_t n = stream_len - off < 65536 ? stream_len - off : 65536;
			const uint8_t *piece = stream + off;
			off += n;
			while (n) {
				long c = vici_reader_feed(&rd, piece, n);
				if (c < 0)
					return 1;
				piece += c;
				n -= (size_t)c;
				if (vici_reader_ready(&rd)) {
					struct vici_packet pkt;
					uint8_t *payload;
					size_t len;
					vici_reader_take(&rd, &payload, &len);
					if (vici_packet_parse(payload, len, &pkt) ||
					    walk(pkt.msg, pkt.msg_len, &sink) < 0)
						return 1;
					free(payload);
					got++;
				}
			}
		}
		if (got != nike)
			return 1;
		passes++;
		t = now() - t0;
	} while (t < seconds);
	vici_reader_free(&rd);
	printf("figure: frame_decode_throughput %.0f MB/s\n",
	       (double)stream_len * (double)passes / t / 1e6);

	/* 3: the builder: every message re-encoded from its parsed elements
	 * (parse + build; the figure is per byte of message produced) */
	t0 = now();
	passes = 0;
	do {
		for (unsigned i = 0; i < nike; i++) {
			struct vici_builder b;
			struct vici_parser p;
			struct vici_element e;
			uint8_t *out;
			size_t out_len;
			vici_builder_init(&b);
			vici_parser_init(&p, msgs[i], lens[i]);
			while (vici_parser_next(&p, &e) > 0) {
				switch (e.type) {
				case VICI_SECTION_START:
					vici_builder_section_startn(&b, e.name, e.name_len);
					break;
				case VICI_SECTION_END:
					vici_builder_section_end(&b);
					break;
				case VICI_KEY_VALUE:
					vici_builder_addn(&b, e.name, e.name_len, e.value,
					                  e.value_len);
					break;
				case VICI_LIST_START:
					vici_builder_list_startn(&b, e.name, e.name_len);
					break;
				case VICI_LIST_ITEM:
					vici_builder_list_item(&b, e.value, e.value_len);
					break;
				case VICI_LIST_END:
					vici_builder_list_end(&b);
					break;
				}
			}
			if (vici_builder_finish(&b, &out, &out_len) || out_len != lens[i])
				return 1;
			sink += out[out_len - 1];
			free(out);
		}
		passes++;
		t = now() - t0;
	} while (t < seconds);
	printf("figure: reencode_throughput %.0f MB/s\n", (double)total * (double)passes / t / 1e6);

	printf("checksum %zu\n", sink);
	for (unsigned i = 0; i < nike; i++)
		free(msgs[i]);
	free(msgs);
	free(lens);
	free(stream);
	return 0;
}

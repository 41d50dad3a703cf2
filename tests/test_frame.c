/*
 * Unit tests for VICI framing and packets (src/vici/frame.c).
 *
 * This program is linked with -Wl,--wrap=malloc,realloc,calloc so that it can
 * see the largest allocation the library makes (an oversized frame header
 * must be refused before anything is allocated for it) and count them (a
 * reader that lends its payloads reuses its buffer).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <errno.h>

#include <cmocka.h>

#include "vici/frame.h"

/* ---- allocation watch ---- */

void *__real_malloc(size_t size);
void *__real_realloc(void *p, size_t size);
void *__real_calloc(size_t n, size_t size);
void *__wrap_malloc(size_t size);
void *__wrap_realloc(void *p, size_t size);
void *__wrap_calloc(size_t n, size_t size);

static size_t max_alloc, n_allocs;

void *__wrap_malloc(size_t size)
{
	n_allocs++;
	if (size > max_alloc)
		max_alloc = size;
	return __real_malloc(size);
}

void *__wrap_realloc(void *p, size_t size)
{
	n_allocs++;
	if (size > max_alloc)
		max_alloc = size;
	return __real_realloc(p, size);
}

void *__wrap_calloc(size_t n, size_t size)
{
	n_allocs++;
	if (size && n > SIZE_MAX / size)
		max_alloc = SIZE_MAX;
	else if (n * size > max_alloc)
		max_alloc = n * size;
	return __real_calloc(n, size);
}

/* ---- helpers ---- */

static uint8_t *frame_of(const uint8_t *payload, uint32_t len, size_t *frame_len)
{
	uint8_t *f = malloc(4 + (size_t)len);
	assert_non_null(f);
	f[0] = (uint8_t)(len >> 24);
	f[1] = (uint8_t)(len >> 16);
	f[2] = (uint8_t)(len >> 8);
	f[3] = (uint8_t)len;
	if (len)
		memcpy(f + 4, payload, len);
	*frame_len = 4 + (size_t)len;
	return f;
}

static uint8_t *pattern(size_t len, unsigned seed)
{
	uint8_t *p = malloc(len ? len : 1);
	assert_non_null(p);
	for (size_t i = 0; i < len; i++)
		p[i] = (uint8_t)(i * 31 + seed);
	return p;
}

/* A stream of several frames, with payloads of these sizes. */
static const uint32_t stream_sizes[] = {5, 0, 1, 300, 70000, 0, 3, 4, 13};
#define NFRAMES (sizeof(stream_sizes) / sizeof(stream_sizes[0]))

struct stream {
	uint8_t *bytes;
	size_t len;
	uint8_t *payloads[NFRAMES];
};

static void stream_make(struct stream *s)
{
	s->len = 0;
	for (size_t i = 0; i < NFRAMES; i++)
		s->len += 4 + stream_sizes[i];
	s->bytes = malloc(s->len);
	assert_non_null(s->bytes);
	size_t off = 0;
	for (size_t i = 0; i < NFRAMES; i++) {
		size_t fl;
		s->payloads[i] = pattern(stream_sizes[i], (unsigned)i);
		uint8_t *f = frame_of(s->payloads[i], stream_sizes[i], &fl);
		memcpy(s->bytes + off, f, fl);
		off += fl;
		free(f);
	}
}

static void stream_free(struct stream *s)
{
	free(s->bytes);
	for (size_t i = 0; i < NFRAMES; i++)
		free(s->payloads[i]);
}

/* Feeds s in chunks whose sizes cycle through chunks[], checks every payload
 * comes out whole and in order. */
static void feed_stream(const struct stream *s, const size_t *chunks, size_t nchunks)
{
	struct vici_reader r;
	size_t off = 0, k = 0, got = 0;

	vici_reader_init(&r);
	while (off < s->len) {
		size_t n = chunks[k++ % nchunks];
		if (n > s->len - off)
			n = s->len - off;
		const uint8_t *piece = s->bytes + off;
		off += n;
		while (n) {
			long c = vici_reader_feed(&r, piece, n);
			assert_true(c >= 0);
			assert_true((size_t)c <= n);
			assert_true(c > 0 || vici_reader_ready(&r));
			piece += c;
			n -= (size_t)c;
			if (vici_reader_ready(&r)) {
				uint8_t *payload;
				size_t len;
				assert_true(got < NFRAMES);
				assert_int_equal(vici_reader_take(&r, &payload, &len), 0);
				assert_non_null(payload);
				assert_int_equal(len, stream_sizes[got]);
				if (len)
					assert_memory_equal(payload, s->payloads[got], len);
				free(payload);
				got++;
				assert_false(vici_reader_ready(&r));
			}
		}
	}
	assert_int_equal(got, NFRAMES);
	assert_false(vici_reader_ready(&r));
	assert_int_equal(r.hdr_have, 0);
	assert_null(r.buf);
	vici_reader_free(&r);
}

/* ---- reader ---- */

static void test_reader_whole_stream(void **state)
{
	struct stream s;
	stream_make(&s);
	size_t all = s.len;
	feed_stream(&s, &all, 1);
	stream_free(&s);
}

static void test_reader_byte_by_byte(void **state)
{
	struct stream s;
	size_t one = 1;
	stream_make(&s);
	feed_stream(&s, &one, 1);
	stream_free(&s);
}

static void test_reader_odd_chunks(void **state)
{
	static const size_t sizes[] = {1, 2, 3, 7, 13, 4096};
	struct stream s;
	stream_make(&s);
	for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++)
		feed_stream(&s, &sizes[i], 1);
	/* and mixed: the header split at every position sooner or later */
	static const size_t mixed[] = {1, 2, 3, 7, 13};
	feed_stream(&s, mixed, sizeof(mixed) / sizeof(mixed[0]));
	static const size_t mixed2[] = {13, 7, 3, 2, 1, 5, 11};
	feed_stream(&s, mixed2, sizeof(mixed2) / sizeof(mixed2[0]));
	stream_free(&s);
}

/* Several frames in one buffer: feed stops after each frame. */
static void test_reader_stops_after_frame(void **state)
{
	static const uint8_t two[] = {0, 0, 0, 1, 0x05, 0, 0, 0, 2, 0x01, 0x02};
	struct vici_reader r;
	uint8_t *p;
	size_t len;

	vici_reader_init(&r);
	assert_int_equal(vici_reader_feed(&r, two, sizeof(two)), 5);
	assert_true(vici_reader_ready(&r));
	/* while a frame waits, nothing more is consumed */
	assert_int_equal(vici_reader_feed(&r, two + 5, sizeof(two) - 5), 0);
	assert_int_equal(vici_reader_take(&r, &p, &len), 0);
	assert_int_equal(len, 1);
	assert_int_equal(p[0], 0x05);
	free(p);
	assert_int_equal(vici_reader_take(&r, &p, &len), -EAGAIN);
	assert_int_equal(vici_reader_feed(&r, two + 5, sizeof(two) - 5), 6);
	assert_int_equal(vici_reader_take(&r, &p, &len), 0);
	assert_int_equal(len, 2);
	assert_memory_equal(p, "\x01\x02", 2);
	free(p);
	assert_int_equal(vici_reader_take(&r, &p, &len), -EAGAIN);
	assert_int_equal(vici_reader_feed(&r, two, 0), 0);
	vici_reader_free(&r);
}

static void test_reader_zero_length(void **state)
{
	static const uint8_t zero[] = {0, 0, 0, 0};
	struct vici_reader r;
	uint8_t *p = NULL;
	size_t len = 99;

	vici_reader_init(&r);
	assert_int_equal(vici_reader_feed(&r, zero, 3), 3);
	assert_false(vici_reader_ready(&r));
	assert_int_equal(vici_reader_feed(&r, zero + 3, 1), 1);
	assert_true(vici_reader_ready(&r));
	assert_int_equal(vici_reader_take(&r, &p, &len), 0);
	assert_non_null(p);
	assert_int_equal(len, 0);
	free(p);
	vici_reader_free(&r);
}

/* Abandoning a reader in the middle of a frame frees the partial payload
 * (the leak checker would complain otherwise). */
static void test_reader_free_partial(void **state)
{
	static const uint8_t part[] = {0, 0, 0, 10, 1, 2, 3};
	struct vici_reader r;
	vici_reader_init(&r);
	assert_int_equal(vici_reader_feed(&r, part, sizeof(part)), (long)sizeof(part));
	assert_non_null(r.buf);
	assert_false(vici_reader_ready(&r));
	vici_reader_free(&r);
	assert_null(r.buf);
	assert_int_equal(r.hdr_have, 0);
}

static void test_reader_max_accepted(void **state)
{
	size_t fl;
	uint8_t *payload = pattern(VICI_FRAME_MAX, 7);
	uint8_t *f = frame_of(payload, VICI_FRAME_MAX, &fl);
	struct vici_reader r;
	uint8_t *p;
	size_t len;

	assert_int_equal(VICI_FRAME_MAX, 524288);
	assert_memory_equal(f, "\x00\x08\x00\x00", 4);
	vici_reader_init(&r);
	assert_int_equal(vici_reader_feed(&r, f, fl), (long)fl);
	assert_true(vici_reader_ready(&r));
	assert_int_equal(vici_reader_take(&r, &p, &len), 0);
	assert_int_equal(len, VICI_FRAME_MAX);
	assert_memory_equal(p, payload, len);
	free(p);
	vici_reader_free(&r);
	free(f);
	free(payload);
}

static void check_oversize(const uint8_t hdr[4], bool bytewise)
{
	static const uint8_t more[16] = {1, 2, 3};
	struct vici_reader r;

	vici_reader_init(&r);
	max_alloc = 0;
	if (bytewise) {
		for (int i = 0; i < 3; i++)
			assert_int_equal(vici_reader_feed(&r, hdr + i, 1), 1);
		assert_int_equal(vici_reader_feed(&r, hdr + 3, 1), -EMSGSIZE);
	} else {
		uint8_t buf[4 + sizeof(more)];
		memcpy(buf, hdr, 4);
		memcpy(buf + 4, more, sizeof(more));
		assert_int_equal(vici_reader_feed(&r, buf, sizeof(buf)), -EMSGSIZE);
	}
	assert_null(r.buf);
	assert_false(vici_reader_ready(&r));
	/* the stream is unusable: every later feed is refused too */
	assert_int_equal(vici_reader_feed(&r, more, sizeof(more)), -EMSGSIZE);
	assert_int_equal(vici_reader_feed(&r, more, 1), -EMSGSIZE);
	assert_null(r.buf);
	uint8_t *p;
	size_t len;
	assert_int_equal(vici_reader_take(&r, &p, &len), -EAGAIN);
	/* nothing anywhere near the announced size was allocated */
	if (max_alloc >= 4096)
		fail_msg("an allocation of %zu bytes happened", max_alloc);
	vici_reader_free(&r);
}

static void test_reader_oversize(void **state)
{
	static const uint8_t hdrs[][4] = {
	        {0x00, 0x08, 0x00, 0x01}, /* 524289: one above the cap */
	        {0x00, 0x10, 0x00, 0x00}, {0x7f, 0xff, 0xff, 0xff},
	        {0x80, 0x00, 0x00, 0x00}, {0xff, 0xff, 0xff, 0xff},
	};
	for (size_t i = 0; i < sizeof(hdrs) / sizeof(hdrs[0]); i++) {
		check_oversize(hdrs[i], false);
		check_oversize(hdrs[i], true);
	}
}

/* The allocation watch itself works: an accepted frame does allocate. */
static void test_alloc_watch_works(void **state)
{
	static const uint8_t hdr[] = {0x00, 0x01, 0x00, 0x00}; /* 65536 */
	struct vici_reader r;
	vici_reader_init(&r);
	max_alloc = 0;
	assert_int_equal(vici_reader_feed(&r, hdr, 4), 4);
	assert_true(max_alloc >= 65536);
	vici_reader_free(&r);
}

/* ---- lending reader ---- */

/* Reads s the way a conn does with vici_reader_lend(): in pieces whose sizes
 * cycle through chunks[], each into the same buffer; the start of a frame left
 * at the end of a piece is fed to the reader before the next piece. Checks
 * every payload whole and in order, and where it lies: in the piece, or in
 * the reader's buffer for a frame that spans pieces. */
static void lend_stream(struct vici_reader *r, const struct stream *s, const size_t *chunks,
                        size_t nchunks)
{
	uint8_t *buf = malloc(s->len);
	size_t off = 0, k = 0, got = 0, tail = 0, blen = 0;
	assert_non_null(buf);
	while (off < s->len) {
		if (tail < blen)
			assert_int_equal(vici_reader_feed(r, buf + tail, blen - tail),
			                 (long)(blen - tail));
		size_t n = chunks[k++ % nchunks];
		if (n > s->len - off)
			n = s->len - off;
		memcpy(buf, s->bytes + off, n);
		off += n;
		blen = n;
		size_t at = 0;
		while (at < blen) {
			const uint8_t *p;
			size_t len;
			long c = vici_reader_lend(r, buf + at, blen - at, &p, &len);
			assert_true(c >= 0);
			at += (size_t)c;
			if (!p) {
				if (c == 0)
					break;
				continue;
			}
			assert_true(got < NFRAMES);
			assert_int_equal(len, stream_sizes[got]);
			if (len)
				assert_memory_equal(p, s->payloads[got], len);
			assert_true((p >= buf && p + len <= buf + blen) || p == r->buf);
			got++;
		}
		tail = at;
	}
	assert_int_equal(got, NFRAMES);
	assert_int_equal(tail, blen);
	assert_int_equal(r->hdr_have, 0);
	assert_false(vici_reader_ready(r));
	free(buf);
}

static void test_reader_lend_stream(void **state)
{
	static const size_t sizes[] = {1, 2, 3, 7, 13, 4096, 65536};
	static const size_t mixed[] = {13, 7, 3, 2, 1, 5, 11, 70004};
	struct stream s;
	struct vici_reader r;
	stream_make(&s);
	size_t all = s.len;
	vici_reader_init(&r);
	lend_stream(&r, &s, &all, 1);
	/* all in one piece: every frame lent where it is, no buffer */
	assert_null(r.buf);
	for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++)
		lend_stream(&r, &s, &sizes[i], 1);
	lend_stream(&r, &s, mixed, sizeof(mixed) / sizeof(mixed[0]));
	/* The reader's buffer is kept: once it has held the largest frame,
	 * byte by byte (every frame through the buffer) allocates nothing but
	 * lend_stream()'s own piece buffer. */
	assert_true(r.cap >= 70000);
	size_t before = n_allocs, one = 1;
	lend_stream(&r, &s, &one, 1);
	assert_int_equal(n_allocs - before, 1);
	vici_reader_free(&r);
	assert_null(r.buf);
	stream_free(&s);
}

/* Between frames, the start of a frame is not consumed; a whole one is lent
 * in place; a frame fed before is lent from the reader's buffer. */
static void test_reader_lend_partial(void **state)
{
	static const uint8_t two[] = {0, 0, 0, 2, 0x0a, 0x0b, 0, 0, 0, 0};
	struct vici_reader r;
	const uint8_t *p;
	size_t len;

	vici_reader_init(&r);
	for (size_t n = 0; n < 6; n++) {
		assert_int_equal(vici_reader_lend(&r, two, n, &p, &len), 0);
		assert_null(p);
		assert_int_equal(len, 0);
		assert_int_equal(r.hdr_have, 0);
	}
	assert_int_equal(vici_reader_lend(&r, two, sizeof(two), &p, &len), 6);
	assert_ptr_equal(p, two + 4);
	assert_int_equal(len, 2);
	/* the zero-length frame after it: a valid pointer, length 0 */
	assert_int_equal(vici_reader_lend(&r, two + 6, 4, &p, &len), 4);
	assert_non_null(p);
	assert_int_equal(len, 0);
	/* begun with feed(), finished with lend() */
	assert_int_equal(vici_reader_feed(&r, two, 5), 5);
	assert_int_equal(vici_reader_lend(&r, two + 5, 5, &p, &len), 1);
	assert_ptr_equal(p, r.buf);
	assert_int_equal(len, 2);
	assert_memory_equal(p, "\x0a\x0b", 2);
	assert_false(vici_reader_ready(&r));
	/* a frame completed by feed() waits for take(): lend() consumes nothing */
	assert_int_equal(vici_reader_feed(&r, two, 6), 6);
	assert_true(vici_reader_ready(&r));
	assert_int_equal(vici_reader_lend(&r, two + 6, 4, &p, &len), 0);
	assert_null(p);
	uint8_t *t;
	assert_int_equal(vici_reader_take(&r, &t, &len), 0);
	free(t);
	vici_reader_free(&r);
}

static void test_reader_lend_oversize(void **state)
{
	static const uint8_t big[] = {0x00, 0x08, 0x00, 0x01, 1, 2, 3, 4};
	static const uint8_t ok[] = {0, 0, 0, 1, 7};
	struct vici_reader r;
	const uint8_t *p;
	size_t len;

	vici_reader_init(&r);
	max_alloc = 0;
	/* refused on the header alone, before the payload is there */
	assert_int_equal(vici_reader_lend(&r, big, 4, &p, &len), -EMSGSIZE);
	assert_null(p);
	assert_int_equal(r.len, VICI_FRAME_MAX + 1);
	assert_int_equal(vici_reader_lend(&r, ok, sizeof(ok), &p, &len), -EMSGSIZE);
	assert_int_equal(vici_reader_feed(&r, ok, sizeof(ok)), -EMSGSIZE);
	assert_null(r.buf);
	if (max_alloc >= 4096)
		fail_msg("an allocation of %zu bytes happened", max_alloc);
	vici_reader_free(&r);
}

/* ---- packet types ---- */

static void test_packet_types(void **state)
{
	static const struct {
		const char *name;
		bool named, has_message;
	} types[] = {
	        {"CMD_REQUEST", true, true},       {"CMD_RESPONSE", false, true},
	        {"CMD_UNKNOWN", false, false},     {"EVENT_REGISTER", true, false},
	        {"EVENT_UNREGISTER", true, false}, {"EVENT_CONFIRM", false, false},
	        {"EVENT_UNKNOWN", false, false},   {"EVENT", true, true},
	};
	for (unsigned t = 0; t < 8; t++) {
		assert_string_equal(vici_packet_type_name(t), types[t].name);
		assert_int_equal(vici_packet_type_named((enum vici_packet_type)t), types[t].named);
		assert_int_equal(vici_packet_type_has_message((enum vici_packet_type)t),
		                 types[t].has_message);
	}
	assert_string_equal(vici_packet_type_name(8), "unknown");
	assert_string_equal(vici_packet_type_name(255), "unknown");
	assert_string_equal(vici_packet_type_name(~0u), "unknown");
	assert_false(vici_packet_type_named((enum vici_packet_type)8));
	assert_false(vici_packet_type_has_message((enum vici_packet_type)8));
}

/* ---- packet parse ---- */

struct parse_case {
	const char *what;
	const char *bytes;
	size_t len;
	int result;
	int type;
	const char *name;
	size_t msg_off; /* where the message starts in bytes */
};

/* clang-format off */
#define OK(what, s, t, n, off) {what, s, sizeof(s) - 1, 0, t, n, off}
#define NOK(what, s) {what, s, sizeof(s) - 1, -EBADMSG, 0, NULL, 0}
/* clang-format on */

/* clang-format off */
static const struct parse_case parse_cases[] = {
	OK("request", "\x00\x07version", VICI_CMD_REQUEST, "version", 9),
	OK("request with message", "\x00\x08list-sas\x03\x01k\x00\x00", VICI_CMD_REQUEST,
	   "list-sas", 10),
	OK("empty response", "\x01", VICI_CMD_RESPONSE, "", 1),
	OK("response", "\x01\x03\x01k\x00\x01v", VICI_CMD_RESPONSE, "", 1),
	OK("cmd unknown", "\x02", VICI_CMD_UNKNOWN, "", 1),
	OK("register", "\x03\x03log", VICI_EVENT_REGISTER, "log", 5),
	OK("unregister", "\x04\x0aike-updown", VICI_EVENT_UNREGISTER, "ike-updown", 12),
	OK("confirm", "\x05", VICI_EVENT_CONFIRM, "", 1),
	OK("event unknown", "\x06", VICI_EVENT_UNKNOWN, "", 1),
	OK("event", "\x07\x07list-sa\x01\x02gw\x02", VICI_EVENT, "list-sa", 9),
	OK("empty event", "\x07\x03log", VICI_EVENT, "log", 5),
	OK("printable edges", "\x00\x03 ~!", VICI_CMD_REQUEST, " ~!", 5),
	/* the message is not validated here: that is the next layer's job */
	OK("unvalidated message", "\x01\xff\xff", VICI_CMD_RESPONSE, "", 1),
	NOK("empty payload", ""),
	NOK("type 8", "\x08"),
	NOK("type 8 with bytes", "\x08\x01" "a"),
	NOK("type 255", "\xff"),
	NOK("request without name length", "\x00"),
	NOK("register without name length", "\x03"),
	NOK("unregister without name length", "\x04"),
	NOK("event without name length", "\x07"),
	NOK("request with empty name", "\x00\x00"),
	NOK("event with empty name and message", "\x07\x00\x01\x01s\x02"),
	NOK("register with empty name", "\x03\x00"),
	NOK("truncated name", "\x00\x05" "abc"),
	NOK("truncated event name", "\x07\xff" "list-sa"),
	NOK("name with control byte", "\x00\x03" "a\x1f" "b"),
	NOK("name with newline", "\x00\x01\n"),
	NOK("name with NUL", "\x00\x02" "a\x00"),
	NOK("name with DEL", "\x03\x01\x7f"),
	NOK("name with high byte", "\x07\x02" "a\x80"),
	NOK("name with ESC", "\x04\x04\x1b[2J"),
	NOK("cmd unknown with trailing byte", "\x02" "x"),
	NOK("confirm with trailing bytes", "\x05\x00"),
	NOK("event unknown with trailing bytes", "\x06\x01\x02"),
	NOK("register with trailing bytes", "\x03\x03logX"),
	NOK("unregister with trailing bytes", "\x04\x03log\x03"),
};
/* clang-format on */

static void test_packet_parse(void **state)
{
	for (size_t i = 0; i < sizeof(parse_cases) / sizeof(parse_cases[0]); i++) {
		const struct parse_case *c = &parse_cases[i];
		struct vici_packet pkt;
		int r = vici_packet_parse((const uint8_t *)c->bytes, c->len, &pkt);
		if (r != c->result)
			fail_msg("%s: %d, expected %d", c->what, r, c->result);
		if (r)
			continue;
		if ((int)pkt.type != c->type || strcmp(pkt.name, c->name) ||
		    pkt.name_len != strlen(c->name))
			fail_msg("%s: type %d name \"%s\"", c->what, pkt.type, pkt.name);
		if (pkt.msg != (const uint8_t *)c->bytes + c->msg_off ||
		    pkt.msg_len != c->len - c->msg_off)
			fail_msg("%s: message at %td, %zu bytes", c->what,
			         pkt.msg - (const uint8_t *)c->bytes, pkt.msg_len);
	}
	assert_int_equal(vici_packet_parse(NULL, 0, &(struct vici_packet){0}), -EBADMSG);
}

static void test_packet_parse_long_name(void **state)
{
	uint8_t p[2 + 255 + 1];
	struct vici_packet pkt;

	p[0] = VICI_EVENT;
	p[1] = 255;
	memset(p + 2, 'a', 255);
	p[2 + 254] = 'z';
	p[2 + 255] = 2; /* a byte of message */
	assert_int_equal(vici_packet_parse(p, sizeof(p), &pkt), 0);
	assert_int_equal(pkt.name_len, 255);
	assert_int_equal(strlen(pkt.name), 255);
	assert_int_equal(pkt.name[254], 'z');
	assert_int_equal(pkt.msg_len, 1);
	assert_int_equal(vici_packet_parse(p, sizeof(p) - 2, &pkt), -EBADMSG);
}

/* ---- packet encode ---- */

static void test_packet_encode_bytes(void **state)
{
	static const struct {
		int type;
		const char *name;
		const char *msg;
		size_t msg_len;
		const char *frame;
		size_t frame_len;
	} cases[] = {
#define ENC(t, n, m, ml, f) {t, n, m, ml, f, sizeof(f) - 1}
	        ENC(VICI_CMD_REQUEST, "version", NULL, 0, "\x00\x00\x00\x09\x00\x07version"),
	        ENC(VICI_CMD_REQUEST, "stats", "\x03\x01k\x00\x00", 5,
	            "\x00\x00\x00\x0c\x00\x05stats\x03\x01k\x00\x00"),
	        ENC(VICI_CMD_RESPONSE, NULL, NULL, 0, "\x00\x00\x00\x01\x01"),
	        ENC(VICI_CMD_RESPONSE, NULL, "\x03\x01k\x00\x01v", 6,
	            "\x00\x00\x00\x07\x01\x03\x01k\x00\x01v"),
	        ENC(VICI_CMD_UNKNOWN, NULL, NULL, 0, "\x00\x00\x00\x01\x02"),
	        ENC(VICI_EVENT_REGISTER, "log", NULL, 0, "\x00\x00\x00\x05\x03\x03log"),
	        ENC(VICI_EVENT_UNREGISTER, "log", NULL, 0, "\x00\x00\x00\x05\x04\x03log"),
	        ENC(VICI_EVENT_CONFIRM, NULL, NULL, 0, "\x00\x00\x00\x01\x05"),
	        ENC(VICI_EVENT_UNKNOWN, NULL, NULL, 0, "\x00\x00\x00\x01\x06"),
	        ENC(VICI_EVENT, "ike-updown", "\x03\x02up\x00\x03yes", 9,
	            "\x00\x00\x00\x15\x07\x0aike-updown\x03\x02up\x00\x03yes"),
#undef ENC
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		uint8_t *f = NULL;
		size_t fl = 0;
		assert_int_equal(vici_packet_encode((enum vici_packet_type)cases[i].type,
		                                    cases[i].name, cases[i].msg, cases[i].msg_len,
		                                    &f, &fl),
		                 0);
		assert_int_equal(fl, cases[i].frame_len);
		assert_memory_equal(f, cases[i].frame, fl);

		/* and back through the reader and the parser */
		struct vici_reader r;
		struct vici_packet pkt;
		uint8_t *payload;
		size_t len;
		vici_reader_init(&r);
		assert_int_equal(vici_reader_feed(&r, f, fl), (long)fl);
		assert_int_equal(vici_reader_take(&r, &payload, &len), 0);
		assert_int_equal(vici_packet_parse(payload, len, &pkt), 0);
		assert_int_equal(pkt.type, cases[i].type);
		assert_string_equal(pkt.name, cases[i].name ? cases[i].name : "");
		assert_int_equal(pkt.msg_len, cases[i].msg_len);
		if (pkt.msg_len)
			assert_memory_equal(pkt.msg, cases[i].msg, pkt.msg_len);
		free(payload);
		free(f);
	}
}

static void test_packet_encode_errors(void **state)
{
	char name256[257], name255[256];
	memset(name256, 'a', 256);
	name256[256] = '\0';
	memset(name255, 'b', 255);
	name255[255] = '\0';
	static const uint8_t m[] = {3, 1, 'k', 0, 0};
	static const struct {
		int type;
		const char *name;
		const void *msg;
		size_t msg_len;
	} bad[] = {
	        {VICI_CMD_REQUEST, NULL, NULL, 0}, /* name required */
	        {VICI_CMD_REQUEST, "", NULL, 0},   /* empty name */
	        {VICI_EVENT_REGISTER, NULL, NULL, 0},
	        {VICI_EVENT_UNREGISTER, "", NULL, 0},
	        {VICI_EVENT, NULL, m, sizeof(m)},
	        {VICI_CMD_REQUEST, "a\nb", NULL, 0}, /* not printable */
	        {VICI_EVENT_REGISTER, "\x1b[1m", NULL, 0},
	        {VICI_EVENT, "caf\xc3\xa9", NULL, 0},
	        {VICI_EVENT, "a\x7f", NULL, 0},
	        {VICI_CMD_RESPONSE, "x", NULL, 0}, /* a name on an unnamed type */
	        {VICI_EVENT_CONFIRM, "x", NULL, 0},
	        {VICI_EVENT_REGISTER, "log", m, sizeof(m)}, /* a message on a type without one */
	        {VICI_EVENT_UNREGISTER, "log", m, 1},
	        {VICI_CMD_UNKNOWN, NULL, m, 1},
	        {VICI_EVENT_CONFIRM, NULL, m, 1},
	        {VICI_EVENT_UNKNOWN, NULL, m, 1},
	        {VICI_CMD_RESPONSE, NULL, NULL, 3}, /* length without data */
	        {8, NULL, NULL, 0},                 /* unknown types */
	        {255, "x", NULL, 0},
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		uint8_t *f = (uint8_t *)"untouched";
		size_t fl = 77;
		int r = vici_packet_encode((enum vici_packet_type)bad[i].type, bad[i].name,
		                           bad[i].msg, bad[i].msg_len, &f, &fl);
		if (r != -EINVAL)
			fail_msg("case %zu: %d, expected -EINVAL", i, r);
		assert_string_equal((char *)f, "untouched");
	}
	uint8_t *f;
	size_t fl;
	assert_int_equal(vici_packet_encode(VICI_CMD_REQUEST, name256, NULL, 0, &f, &fl), -EINVAL);
	assert_int_equal(vici_packet_encode(VICI_CMD_REQUEST, name255, NULL, 0, &f, &fl), 0);
	assert_int_equal(fl, 4 + 1 + 1 + 255);
	assert_int_equal(f[5], 255);
	free(f);
}

/* The send cap: a payload of exactly VICI_FRAME_MAX is produced (and read
 * back), one byte more is refused, for unnamed and named types. */
static void test_packet_encode_cap(void **state)
{
	uint8_t *msg = pattern(VICI_FRAME_MAX, 3);
	char name255[256];
	uint8_t *f = NULL;
	size_t fl;
	memset(name255, 'c', 255);
	name255[255] = '\0';

	max_alloc = 0;
	assert_int_equal(vici_packet_encode(VICI_CMD_RESPONSE, NULL, msg, VICI_FRAME_MAX, &f, &fl),
	                 -EMSGSIZE);
	assert_int_equal(vici_packet_encode(VICI_CMD_RESPONSE, NULL, msg, SIZE_MAX, &f, &fl),
	                 -EMSGSIZE);
	assert_int_equal(vici_packet_encode(VICI_EVENT, "x", msg, VICI_FRAME_MAX - 2, &f, &fl),
	                 -EMSGSIZE);
	assert_int_equal(
	        vici_packet_encode(VICI_CMD_REQUEST, name255, msg, VICI_FRAME_MAX - 256, &f, &fl),
	        -EMSGSIZE);
	assert_true(max_alloc < 4096); /* refused before allocating */

	static const struct {
		int type;
		const char *name;
		size_t msg_len;
	} fit[] = {
	        {VICI_CMD_RESPONSE, NULL, VICI_FRAME_MAX - 1},
	        {VICI_EVENT, "x", VICI_FRAME_MAX - 3},
	        {VICI_CMD_REQUEST, NULL, VICI_FRAME_MAX - 257}, /* name255, set below */
	};
	for (size_t i = 0; i < 3; i++) {
		const char *name = i == 2 ? name255 : fit[i].name;
		struct vici_reader r;
		struct vici_packet pkt;
		uint8_t *payload;
		size_t len;

		assert_int_equal(vici_packet_encode((enum vici_packet_type)fit[i].type, name, msg,
		                                    fit[i].msg_len, &f, &fl),
		                 0);
		assert_int_equal(fl, 4 + VICI_FRAME_MAX);
		vici_reader_init(&r);
		assert_int_equal(vici_reader_feed(&r, f, fl), (long)fl);
		assert_int_equal(vici_reader_take(&r, &payload, &len), 0);
		assert_int_equal(len, VICI_FRAME_MAX);
		assert_int_equal(vici_packet_parse(payload, len, &pkt), 0);
		assert_int_equal(pkt.msg_len, fit[i].msg_len);
		assert_memory_equal(pkt.msg, msg, pkt.msg_len);
		free(payload);
		free(f);
	}
	free(msg);
}

/* ---- real charon output ---- */

/* tests/data/listsa-charon-5.9.8.stream: what charon 5.9.8 sent for a
 * list-sas with noblock in the lab (see test_wire.c): four EVENT list-sa
 * frames and the empty CMD_RESPONSE that ends the stream. */
static void test_charon_stream(void **state)
{
	static const size_t chunks[] = {1, 2, 3, 7, 13, 4096};
	const char *dir = getenv("SWANTOP_SOURCE_DIR");
	char path[4096];
	uint8_t *stream = malloc(65536);
	size_t len;

	assert_non_null(stream);
	snprintf(path, sizeof(path), "%s/tests/data/listsa-charon-5.9.8.stream", dir ? dir : ".");
	FILE *f = fopen(path, "rb");
	if (!f)
		fail_msg("cannot open %s", path);
	len = fread(stream, 1, 65536, f);
	fclose(f);

	for (size_t c = 0; c < sizeof(chunks) / sizeof(chunks[0]); c++) {
		struct vici_reader r;
		size_t off = 0, events = 0, responses = 0;
		vici_reader_init(&r);
		while (off < len) {
			size_t n = len - off < chunks[c] ? len - off : chunks[c];
			long used = vici_reader_feed(&r, stream + off, n);
			assert_true(used > 0 || vici_reader_ready(&r));
			off += (size_t)used;
			if (!vici_reader_ready(&r))
				continue;
			struct vici_packet pkt;
			uint8_t *payload;
			size_t plen;
			assert_int_equal(vici_reader_take(&r, &payload, &plen), 0);
			assert_int_equal(vici_packet_parse(payload, plen, &pkt), 0);
			if (pkt.type == VICI_EVENT) {
				assert_string_equal(pkt.name, "list-sa");
				assert_int_equal(vici_message_validate(pkt.msg, pkt.msg_len), 0);
				assert_true(pkt.msg_len > 400);
				events++;
			} else {
				assert_int_equal(pkt.type, VICI_CMD_RESPONSE);
				assert_int_equal(pkt.msg_len, 0);
				assert_int_equal(plen, 1);
				responses++;
			}
			free(payload);
		}
		assert_int_equal(events, 4);
		assert_int_equal(responses, 1);
		assert_int_equal(r.hdr_have, 0);
		vici_reader_free(&r);
	}
	free(stream);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_reader_whole_stream),
	        cmocka_unit_test(test_reader_byte_by_byte),
	        cmocka_unit_test(test_reader_odd_chunks),
	        cmocka_unit_test(test_reader_stops_after_frame),
	        cmocka_unit_test(test_reader_zero_length),
	        cmocka_unit_test(test_reader_free_partial),
	        cmocka_unit_test(test_reader_max_accepted),
	        cmocka_unit_test(test_reader_oversize),
	        cmocka_unit_test(test_alloc_watch_works),
	        cmocka_unit_test(test_reader_lend_stream),
	        cmocka_unit_test(test_reader_lend_partial),
	        cmocka_unit_test(test_reader_lend_oversize),
	        cmocka_unit_test(test_packet_types),
	        cmocka_unit_test(test_packet_parse),
	        cmocka_unit_test(test_packet_parse_long_name),
	        cmocka_unit_test(test_packet_encode_bytes),
	        cmocka_unit_test(test_packet_encode_errors),
	        cmocka_unit_test(test_packet_encode_cap),
	        cmocka_unit_test(test_charon_stream),
	};
	return cmocka_run_group_tests_name("frame", tests, NULL, NULL);
}

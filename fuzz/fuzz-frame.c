/*
 * libFuzzer target for VICI framing and packets.
 *
 * Input layout: byte 0 says how many chunk-size bytes follow (1..16); those
 * bytes are the sizes (cycled; 0 counts as 1) of the pieces the rest of the
 * input, a byte stream, is fed to the reader in. Every payload the reader
 * hands out must equal what a trivial whole-buffer deframer finds at the same
 * place, an oversized header must stop both at the same frame, and every
 * payload that parses as a packet must re-encode to exactly its frame. The
 * same pieces go through vici_reader_lend() too, the way a conn reads them
 * (each piece in a buffer of its own, the start of a frame left at its end
 * fed to the reader before the next), with the same checks.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vici/frame.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check(bool ok, const char *what)
{
	if (!ok) {
		fprintf(stderr, "fuzz-frame: %s\n", what);
		abort();
	}
}

/* The reference: the next frame in a whole buffer. Returns 1 and the payload
 * position, 0 if the buffer ends first, -1 for an oversized header. */
static int ref_next(const uint8_t *s, size_t len, size_t *off, const uint8_t **payload,
                    uint32_t *plen)
{
	if (len - *off < 4)
		return 0;
	const uint8_t *h = s + *off;
	uint32_t n = (uint32_t)h[0] << 24 | (uint32_t)h[1] << 16 | (uint32_t)h[2] << 8 | h[3];
	if (n > VICI_FRAME_MAX)
		return -1;
	if (len - *off - 4 < n)
		return 0;
	*payload = h + 4;
	*plen = n;
	*off += 4 + (size_t)n;
	return 1;
}

static void check_packet(const uint8_t *payload, size_t len)
{
	struct vici_packet pkt;
	uint8_t *f;
	size_t fl;

	if (vici_packet_parse(payload, len, &pkt))
		return;
	check(pkt.type <= VICI_EVENT, "bad packet type");
	check(pkt.name_len == strlen(pkt.name), "bad name length");
	check(vici_packet_type_named(pkt.type) == (pkt.name_len > 0), "name on wrong type");
	check(pkt.msg + pkt.msg_len == payload + len, "message not at the end");
	check(vici_packet_type_has_message(pkt.type) || pkt.msg_len == 0,
	      "message on a type without one");
	int r = vici_packet_encode(pkt.type, pkt.name_len ? pkt.name : NULL, pkt.msg, pkt.msg_len,
	                           &f, &fl);
	check(r == 0, "a parsed packet does not encode");
	check(fl == 4 + len && memcmp(f + 4, payload, len) == 0, "re-encoded packet differs");
	check(f[0] == (uint8_t)(len >> 24) && f[1] == (uint8_t)(len >> 16) &&
	              f[2] == (uint8_t)(len >> 8) && f[3] == (uint8_t)len,
	      "bad frame header");
	free(f);
	if (pkt.msg_len)
		(void)vici_message_validate(pkt.msg, pkt.msg_len);
}

/* The pieces through vici_reader_lend(). */
static void lend_pass(const uint8_t *s, size_t len, const uint8_t *sizes, size_t nsizes)
{
	struct vici_reader r;
	uint8_t *buf = NULL;
	size_t off = 0, ref_off = 0, k = 0, blen = 0, tail = 0;
	bool refused = false;

	vici_reader_init(&r);
	while (off < len && !refused) {
		if (tail < blen)
			check(vici_reader_feed(&r, buf + tail, blen - tail) == (long)(blen - tail),
			      "the start of a frame not taken whole");
		free(buf);
		size_t n = sizes[k++ % nsizes];
		n = n ? n : 1;
		if (n > len - off)
			n = len - off;
		buf = malloc(n); /* exactly the piece: ASan sees reads beyond it */
		check(buf != NULL, "out of memory");
		memcpy(buf, s + off, n);
		off += n;
		blen = n;
		size_t at = 0;
		while (at < blen) {
			const uint8_t *p;
			size_t plen;
			long c = vici_reader_lend(&r, buf + at, blen - at, &p, &plen);
			if (c < 0) {
				check(c == -EMSGSIZE, "unexpected lend error");
				const uint8_t *rp;
				uint32_t rl;
				check(ref_next(s, len, &ref_off, &rp, &rl) == -1,
				      "lend refused a frame the reference accepts");
				check(vici_reader_lend(&r, buf, blen, &p, &plen) == -EMSGSIZE &&
				              vici_reader_feed(&r, buf, blen) == -EMSGSIZE,
				      "lend refusal not sticky");
				refused = true;
				break;
			}
			check((size_t)c <= blen - at, "lend consumed too much");
			at += (size_t)c;
			if (!p) {
				check(plen == 0, "a length without a payload");
				if (c == 0)
					break;
				continue;
			}
			const uint8_t *rp;
			uint32_t rl;
			check(ref_next(s, len, &ref_off, &rp, &rl) == 1 && rl == plen &&
			              (plen == 0 || memcmp(rp, p, plen) == 0),
			      "lent payload differs from the reference");
			check((p >= buf && p + plen <= buf + blen) || p == r.buf,
			      "lent payload neither in the piece nor in the reader");
		}
		tail = at;
	}
	if (!refused) {
		const uint8_t *rp;
		uint32_t rl;
		check(ref_next(s, len, &ref_off, &rp, &rl) == 0, "lend missed a frame");
		check(r.hdr_have + r.have + (blen - tail) == len - ref_off,
		      "lend lost bytes of a partial frame");
	}
	free(buf);
	vici_reader_free(&r);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 2)
		return 0;
	size_t nsizes = (size_t)(data[0] % 16) + 1;
	if (size < 1 + nsizes)
		return 0;
	const uint8_t *sizes = data + 1;
	const uint8_t *s = data + 1 + nsizes;
	size_t len = size - 1 - nsizes, off = 0, ref_off = 0, k = 0;
	struct vici_reader r;
	bool refused = false;

	vici_reader_init(&r);
	while (off < len && !refused) {
		size_t n = sizes[k++ % nsizes];
		n = n ? n : 1;
		if (n > len - off)
			n = len - off;
		const uint8_t *piece = s + off;
		off += n;
		while (n) {
			long c = vici_reader_feed(&r, piece, n);
			if (c < 0) {
				check(c == -EMSGSIZE, "unexpected reader error");
				check(r.buf == NULL, "allocated for an oversized frame");
				const uint8_t *pp;
				uint32_t pl;
				check(ref_next(s, len, &ref_off, &pp, &pl) == -1,
				      "refused a frame the reference accepts");
				check(vici_reader_feed(&r, piece, n) == -EMSGSIZE, "not sticky");
				refused = true;
				break;
			}
			check((size_t)c <= n && (c > 0 || vici_reader_ready(&r)), "no progress");
			piece += c;
			n -= (size_t)c;
			if (vici_reader_ready(&r)) {
				uint8_t *payload;
				size_t plen;
				const uint8_t *rp;
				uint32_t rl;
				check(vici_reader_take(&r, &payload, &plen) == 0, "take failed");
				check(ref_next(s, len, &ref_off, &rp, &rl) == 1 && rl == plen &&
				              (plen == 0 || memcmp(rp, payload, plen) == 0),
				      "payload differs from the reference");
				check_packet(payload, plen);
				free(payload);
			}
		}
	}
	if (!refused) {
		/* the reference must not find a complete frame the reader missed */
		const uint8_t *rp;
		uint32_t rl;
		check(ref_next(s, len, &ref_off, &rp, &rl) == 0, "reader missed a frame");
		check(r.hdr_have + r.have == len - ref_off, "reader lost bytes of a partial frame");
	}
	vici_reader_free(&r);
	lend_pass(s, len, sizes, nsizes);
	return 0;
}

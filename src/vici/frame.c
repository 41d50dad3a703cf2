/*
 * VICI frames and packets. The reader is a small state machine: first it
 * collects the 4 header bytes (possibly one per call), then checks the
 * announced length against VICI_FRAME_MAX and only then allocates the payload
 * buffer, so a hostile header cannot make us allocate 4 GiB. A refused header
 * leaves the reader in a state that refuses every further feed: after an
 * oversized frame the stream cannot be resynchronised. A payload that is lent
 * rather than taken leaves its buffer with the reader, which fills it again
 * with the next frame that fits: a stream of frames costs no allocation each.
 */
#include "vici/frame.h"

#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "vici/xmalloc.h"

/* clang-format off */
static const char *const packet_type_names[] = {
	[VICI_CMD_REQUEST] = "CMD_REQUEST",
	[VICI_CMD_RESPONSE] = "CMD_RESPONSE",
	[VICI_CMD_UNKNOWN] = "CMD_UNKNOWN",
	[VICI_EVENT_REGISTER] = "EVENT_REGISTER",
	[VICI_EVENT_UNREGISTER] = "EVENT_UNREGISTER",
	[VICI_EVENT_CONFIRM] = "EVENT_CONFIRM",
	[VICI_EVENT_UNKNOWN] = "EVENT_UNKNOWN",
	[VICI_EVENT] = "EVENT",
};
/* clang-format on */

const char *vici_packet_type_name(unsigned type)
{
	return type <= VICI_EVENT ? packet_type_names[type] : "unknown";
}

bool vici_packet_type_named(enum vici_packet_type t)
{
	return t == VICI_CMD_REQUEST || t == VICI_EVENT_REGISTER || t == VICI_EVENT_UNREGISTER ||
	       t == VICI_EVENT;
}

bool vici_packet_type_has_message(enum vici_packet_type t)
{
	return t == VICI_CMD_REQUEST || t == VICI_CMD_RESPONSE || t == VICI_EVENT;
}

/* charon refuses names with bytes outside printable ASCII; so do we, in both
 * directions, which also keeps names safe to show in a terminal. */
static bool name_printable(const uint8_t *s, size_t len)
{
	for (size_t i = 0; i < len; i++) {
		if (s[i] < 0x20 || s[i] > 0x7e)
			return false;
	}
	return true;
}

int vici_packet_parse(const uint8_t *payload, size_t len, struct vici_packet *pkt)
{
	size_t off = 1;
	unsigned type;

	if (!payload || len == 0)
		return -EBADMSG;
	type = payload[0];
	if (type > VICI_EVENT)
		return -EBADMSG;
	pkt->type = (enum vici_packet_type)type;
	pkt->name[0] = '\0';
	pkt->name_len = 0;
	if (vici_packet_type_named(pkt->type)) {
		if (len < 2)
			return -EBADMSG;
		size_t n = payload[1];
		if (n == 0 || len - 2 < n || !name_printable(payload + 2, n))
			return -EBADMSG;
		memcpy(pkt->name, payload + 2, n);
		pkt->name[n] = '\0';
		pkt->name_len = n;
		off = 2 + n;
	}
	if (!vici_packet_type_has_message(pkt->type) && len > off)
		return -EBADMSG;
	pkt->msg = payload + off;
	pkt->msg_len = len - off;
	return 0;
}

int vici_packet_encode(enum vici_packet_type type, const char *name, const void *msg,
                       size_t msg_len, uint8_t **frame, size_t *frame_len)
{
	size_t name_len = 0, payload;
	uint8_t *f, *w;

	if ((unsigned)type > VICI_EVENT || (msg_len && !msg) || !frame)
		return -EINVAL;
	if (vici_packet_type_named(type)) {
		if (!name)
			return -EINVAL;
		name_len = strnlen(name, VICI_NAME_MAX + 1);
		if (name_len == 0 || name_len > VICI_NAME_MAX ||
		    !name_printable((const uint8_t *)name, name_len))
			return -EINVAL;
	} else if (name) {
		return -EINVAL; /* a name would be read as message bytes */
	}
	if (msg_len && !vici_packet_type_has_message(type))
		return -EINVAL;
	if (msg_len > VICI_FRAME_MAX)
		return -EMSGSIZE;
	payload = 1 + (name_len ? 1 + name_len : 0) + msg_len;
	if (payload > VICI_FRAME_MAX)
		return -EMSGSIZE;

	f = xmalloc(VICI_FRAME_HEADER + payload);
	f[0] = (uint8_t)(payload >> 24);
	f[1] = (uint8_t)(payload >> 16);
	f[2] = (uint8_t)(payload >> 8);
	f[3] = (uint8_t)payload;
	w = f + VICI_FRAME_HEADER;
	*w++ = (uint8_t)type;
	if (name_len) {
		*w++ = (uint8_t)name_len;
		memcpy(w, name, name_len);
		w += name_len;
	}
	if (msg_len)
		memcpy(w, msg, msg_len);
	*frame = f;
	if (frame_len)
		*frame_len = VICI_FRAME_HEADER + payload;
	return 0;
}

void vici_reader_init(struct vici_reader *r)
{
	memset(r, 0, sizeof(*r));
}

void vici_reader_free(struct vici_reader *r)
{
	free(r->buf);
	vici_reader_init(r);
}

long vici_reader_feed(struct vici_reader *r, const uint8_t *data, size_t len)
{
	size_t used = 0;

	if (len > LONG_MAX)
		len = LONG_MAX;
	if (r->ready)
		return 0;
	if (r->hdr_have < VICI_FRAME_HEADER) {
		while (r->hdr_have < VICI_FRAME_HEADER && used < len)
			r->hdr[r->hdr_have++] = data[used++];
		if (r->hdr_have < VICI_FRAME_HEADER)
			return (long)used;
		r->len = (uint32_t)r->hdr[0] << 24 | (uint32_t)r->hdr[1] << 16 |
		         (uint32_t)r->hdr[2] << 8 | r->hdr[3];
		if (r->len > VICI_FRAME_MAX)
			return -EMSGSIZE;
		if (!r->buf || r->len > r->cap) {
			free(r->buf);
			r->buf = xmalloc(r->len);
			r->cap = r->len;
		}
		r->have = 0;
	} else if (r->len > VICI_FRAME_MAX) {
		return -EMSGSIZE; /* the stream was refused before */
	}
	size_t n = r->len - r->have;
	if (n > len - used)
		n = len - used;
	if (n) {
		memcpy(r->buf + r->have, data + used, n);
		r->have += n;
		used += n;
	}
	if (r->have == r->len)
		r->ready = true;
	return (long)used;
}

int vici_reader_take(struct vici_reader *r, uint8_t **payload, size_t *len)
{
	if (!r->ready)
		return -EAGAIN;
	*payload = r->buf;
	*len = r->len;
	r->buf = NULL;
	r->cap = 0;
	r->hdr_have = 0;
	r->len = 0;
	r->have = 0;
	r->ready = false;
	return 0;
}

long vici_reader_lend(struct vici_reader *r, const uint8_t *data, size_t len,
                      const uint8_t **payload, size_t *plen)
{
	*payload = NULL;
	*plen = 0;
	if (r->ready)
		return 0;
	if (r->hdr_have == 0) {
		if (len < VICI_FRAME_HEADER)
			return 0;
		uint32_t n = (uint32_t)data[0] << 24 | (uint32_t)data[1] << 16 |
		             (uint32_t)data[2] << 8 | data[3];
		if (n > VICI_FRAME_MAX) {
			/* Refused as feed() refuses it, and for good. */
			memcpy(r->hdr, data, VICI_FRAME_HEADER);
			r->hdr_have = VICI_FRAME_HEADER;
			r->len = n;
			return -EMSGSIZE;
		}
		if (len - VICI_FRAME_HEADER < n)
			return 0;
		*payload = data + VICI_FRAME_HEADER;
		*plen = n;
		return (long)(VICI_FRAME_HEADER + n);
	}
	long used = vici_reader_feed(r, data, len);
	if (used > 0 && r->ready) {
		*payload = r->buf;
		*plen = r->len;
		r->hdr_have = 0;
		r->len = 0;
		r->have = 0;
		r->ready = false;
	}
	return used;
}

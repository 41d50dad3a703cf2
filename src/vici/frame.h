/*
 * VICI framing and packets as pure state machines on bytes.
 *
 * On the stream every frame is a 4-byte big-endian payload length followed by
 * the payload; the payload starts with a packet type byte, named packet types
 * carry a 1-byte name length and the name, and the rest is a message body (see
 * wire.h). Payloads above VICI_FRAME_MAX (512 KiB, charon's compile-time cap)
 * are refused in both directions: the reader checks the length before it
 * allocates anything, the encoder refuses to produce one.
 *
 * The reader is fed bytes in pieces of any size (one byte at a time, or many
 * frames at once) and hands out complete payloads; it never reads a socket.
 */
#ifndef SWANTOP_VICI_FRAME_H
#define SWANTOP_VICI_FRAME_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "vici/wire.h"

#define VICI_FRAME_MAX (512u * 1024u)
#define VICI_FRAME_HEADER 4u

enum vici_packet_type {
	VICI_CMD_REQUEST = 0,
	VICI_CMD_RESPONSE = 1,
	VICI_CMD_UNKNOWN = 2,
	VICI_EVENT_REGISTER = 3,
	VICI_EVENT_UNREGISTER = 4,
	VICI_EVENT_CONFIRM = 5,
	VICI_EVENT_UNKNOWN = 6,
	VICI_EVENT = 7,
};

/* Name of a packet type ("CMD_RESPONSE"), or "unknown" */
const char *vici_packet_type_name(unsigned type);
/* Whether packets of this type carry a name / a message body. */
bool vici_packet_type_named(enum vici_packet_type t);
bool vici_packet_type_has_message(enum vici_packet_type t);

/* A decoded packet. name is a NUL-terminated copy; msg is borrowed from the
 * payload it was parsed from. */
struct vici_packet {
	enum vici_packet_type type;
	char name[VICI_NAME_MAX + 1];
	size_t name_len;
	const uint8_t *msg;
	size_t msg_len;
};

/* Parses one frame payload (without the 4-byte header). Returns 0, or
 * -EBADMSG for an empty payload, an unknown packet type, a missing, empty or
 * truncated name, a name with non-printable bytes, or trailing bytes on a
 * packet type that carries no message. The message body itself is not
 * validated here (see vici_message_validate()). */
int vici_packet_parse(const uint8_t *payload, size_t len, struct vici_packet *pkt);

/* Encodes one packet as a complete frame (header included) into a new buffer
 * (*frame malloc'd, caller frees). name is required for named types and must
 * be 1..255 printable bytes, and must be NULL for the other types; msg may be
 * NULL with msg_len 0. Returns 0, -EINVAL for an unknown type, a bad or
 * misplaced name or a message on a type that carries none, or
 * -EMSGSIZE if the payload would exceed VICI_FRAME_MAX. */
int vici_packet_encode(enum vici_packet_type type, const char *name, const void *msg,
		       size_t msg_len, uint8_t **frame, size_t *frame_len);

/* Incremental frame reader. */
struct vici_reader {
	uint8_t hdr[VICI_FRAME_HEADER];
	size_t hdr_have;
	uint32_t len; /* payload length, valid once the header is complete */
	uint8_t *buf; /* payload, allocated once the header is known and accepted */
	size_t cap;   /* bytes allocated at buf: kept for the next frame once lent */
	size_t have;
	bool ready; /* a complete payload waits in buf */
};

void vici_reader_init(struct vici_reader *r);
void vici_reader_free(struct vici_reader *r);
/* Feeds up to len bytes. Stops after completing one frame. Returns the number
 * of bytes consumed (possibly fewer than len if a frame completed: call
 * vici_reader_take() and feed the rest; while a frame waits nothing is
 * consumed and 0 is returned), or -EMSGSIZE if a header announces more than
 * VICI_FRAME_MAX (nothing is allocated; the stream is unusable afterwards and
 * every later feed returns -EMSGSIZE again). */
long vici_reader_feed(struct vici_reader *r, const uint8_t *data, size_t len);
/* True when a complete payload is ready. */
static inline bool vici_reader_ready(const struct vici_reader *r)
{
	return r->ready;
}
/* Takes the ready payload: the caller owns *payload (free() it) and the reader
 * is ready for the next frame. Returns 0, or -EAGAIN if no frame is ready. A
 * zero-length frame is handed out as *len 0 (with a valid pointer). */
int vici_reader_take(struct vici_reader *r, uint8_t **payload, size_t *len);
/* Feeds up to len bytes like vici_reader_feed(), but lends a completed payload
 * instead of giving it away, for a host that reads into a buffer of its own:
 * between frames, a whole frame in data is handed out where it is (*payload
 * points into data; no copy); a frame begun in an earlier feed is completed in
 * the reader's buffer, which is lent and kept for the next frame (valid until
 * the next feed, lend, take or free). Returns the bytes consumed with *payload
 * set when a frame completed (else NULL, *len 0), or -EMSGSIZE as feed() does.
 * Between frames, bytes that hold only the start of a frame are not consumed
 * (0 is returned): pass them again with what follows, or feed() them. */
long vici_reader_lend(struct vici_reader *r, const uint8_t *data, size_t len,
                      const uint8_t **payload, size_t *plen);

#endif

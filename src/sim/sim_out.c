/*
 * What vicisim puts out, below both its server loop (sim_server.c) and its
 * daemon behaviour (sim_daemon.c): bytes and encoded packets appended to a
 * connection's outbound queue (written to the socket by the server loop),
 * and diagnostics on stderr. It calls neither of them.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim/sim_internal.h"
#include "vici/frame.h"
#include "vici/xmalloc.h"

void sim_diag(const struct sim_server *s, const char *fmt, ...)
{
	va_list ap;

	if (!s->o.verbose)
		return;
	va_start(ap, fmt);
	fputs("vicisim: ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
}

void sim_out_append(struct sim_client *c, const void *p, size_t n)
{
	if (c->dead || c->close_when_flushed)
		return;
	if (c->out_off && c->out_off == c->out_len) {
		c->out_off = c->out_len = 0;
	} else if (c->out_off > (1u << 20) && c->out_off > c->out_len / 2) {
		memmove(c->out, c->out + c->out_off, c->out_len - c->out_off);
		c->out_len -= c->out_off;
		c->out_off = 0;
	}
	if (c->out_len + n > c->out_cap) {
		size_t cap = c->out_cap ? c->out_cap : 65536;

		while (cap < c->out_len + n)
			cap *= 2;
		c->out = xrealloc(c->out, cap);
		c->out_cap = cap;
	}
	memcpy(c->out + c->out_len, p, n);
	c->out_len += n;
	if (c->out_len - c->out_off > SIM_OUT_MAX) {
		fprintf(stderr, "vicisim: connection %u does not read, dropped\n", c->id);
		c->dead = true;
	}
}

size_t sim_out_pending(const struct sim_client *c)
{
	return c->out_len - c->out_off;
}

void sim_send_packet(struct sim_client *c, enum vici_packet_type t, const char *name,
                     const uint8_t *msg, size_t len)
{
	uint8_t *frame;
	size_t flen;

	if (vici_packet_encode(t, name, msg, len, &frame, &flen) == 0) {
		sim_out_append(c, frame, flen);
		free(frame);
	} else {
		fprintf(stderr, "vicisim: message too large, dropped (as charon does)\n");
	}
}

void sim_send_simple(struct sim_client *c, enum vici_packet_type t)
{
	sim_send_packet(c, t, NULL, NULL, 0);
}

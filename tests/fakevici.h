/*
 * fakevici: a scripted fake VICI server for tests.
 *
 * It listens on a unix socket in a fresh temporary directory (or on a TCP
 * port of a loopback address) and runs a script in its own thread, one step
 * after another, while the test drives its client in the main thread:
 *
 *	struct fakevici *f = fakevici_new();
 *	fakevici_expect(f, VICI_CMD_REQUEST, "version");
 *	fakevici_reply(f, msg, len);
 *	fakevici_start(f);
 *	... connect a client to fakevici_uri(f), run it ...
 *	assert_int_equal(fakevici_wait(f), 0);   // every step passed
 *	assert_string_equal(fakevici_log(f), "accept\nCMD_REQUEST version\n");
 *	fakevici_free(f);
 *
 * Steps are added before fakevici_start(). The first step implicitly waits
 * for a client (accept); fakevici_accept() waits for the next one after a
 * close. A blocking step (accept, expect, hang, expect_eof) gives up after
 * the step timeout (default 5 s) and fails the script. After the first
 * failure the script stops and the client connection is closed. Every packet
 * the server receives is logged as "<TYPE> <name>\n" (e.g. "EVENT_REGISTER
 * list-sa"), plus "accept\n" and "eof\n" lines, so a test can compare the
 * exact order of what its client put on the wire.
 *
 * All data passed to step functions is copied. Not thread-safe except
 * fakevici_log()/fakevici_wait() while the script runs.
 */
#ifndef SWANTOP_TESTS_FAKEVICI_H
#define SWANTOP_TESTS_FAKEVICI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "vici/frame.h"

struct fakevici;

/* A server on a unix socket in a new temp dir. Never NULL (aborts). */
struct fakevici *fakevici_new(void);
/* A server on an ephemeral TCP port of addr ("127.0.0.1", "::1"), or NULL if
 * that address cannot be bound here (skip the test). */
struct fakevici *fakevici_new_tcp(const char *addr);
/* "unix:///tmp/fakevici.XXXXXX/charon.vici" or "tcp://127.0.0.1:PORT". */
const char *fakevici_uri(const struct fakevici *f);
/* The socket's path (unix) or "" (tcp). */
const char *fakevici_path(const struct fakevici *f);
/* Timeout of every blocking step (default 5000 ms). */
void fakevici_set_step_timeout(struct fakevici *f, int ms);

/* ---- script steps ---- */

/* Reads the next packet; it must have this type and (unless name is NULL)
 * this name. */
void fakevici_expect(struct fakevici *f, enum vici_packet_type type, const char *name);
/* Sends a packet of any type (name for named types, NULL otherwise). */
void fakevici_send(struct fakevici *f, enum vici_packet_type type, const char *name,
                   const void *msg, size_t len);
/* Shorthands: CMD_RESPONSE with msg, EVENT name with msg, EVENT_CONFIRM,
 * EVENT_UNKNOWN, CMD_UNKNOWN. */
void fakevici_reply(struct fakevici *f, const void *msg, size_t len);
void fakevici_event(struct fakevici *f, const char *name, const void *msg, size_t len);
void fakevici_confirm(struct fakevici *f);
void fakevici_event_unknown(struct fakevici *f);
void fakevici_cmd_unknown(struct fakevici *f);
/* Sends raw bytes as they are (malformed frames, garbage). */
void fakevici_raw(struct fakevici *f, const void *data, size_t len);
/* Sends a packet in pieces of chunk bytes with a short pause between. */
void fakevici_send_split(struct fakevici *f, enum vici_packet_type type, const char *name,
                         const void *msg, size_t len, size_t chunk);
/* Sends a frame header announcing VICI_FRAME_MAX + 1 bytes (and a few). */
void fakevici_oversized(struct fakevici *f);
/* Sleeps. */
void fakevici_delay(struct fakevici *f, int ms);
/* Never answers: reads (and logs) packets until the client closes. */
void fakevici_hang(struct fakevici *f);
/* Waits until the client closes its side; packets are logged. */
void fakevici_expect_eof(struct fakevici *f);
/* Closes the client connection. */
void fakevici_close(struct fakevici *f);
/* Waits for the next client connection (after a close or an EOF). */
void fakevici_accept(struct fakevici *f);

/* A canned answer for fakevici_serve(). */
struct fakevici_canned {
	const char *command;      /* CMD_REQUEST name */
	const char *stream_event; /* sent before the reply, or NULL */
	unsigned stream_count;    /* times the stream event is sent */
	const void *event_msg;    /* stream event body */
	size_t event_len;
	const void *reply; /* CMD_RESPONSE body */
	size_t reply_len;
};

/* Serves like a small charon until the client closes: REGISTER gets
 * EVENT_CONFIRM (EVENT_UNKNOWN for names in unknown_events, a space
 * separated list, may be NULL), UNREGISTER gets EVENT_CONFIRM if registered
 * else EVENT_UNKNOWN, commands in canned get their stream events (once per
 * registration of the stream event, as charon does) and reply, other commands
 * CMD_UNKNOWN. canned is copied. */
void fakevici_serve(struct fakevici *f, const struct fakevici_canned *canned, size_t n,
                    const char *unknown_events);

/* ---- running ---- */

/* Starts the script in a thread. The socket already listens since _new(). */
void fakevici_start(struct fakevici *f);
/* Waits until the script has finished (bounded by the step timeouts).
 * Returns 0 if every step passed, -1 otherwise (see fakevici_error()). */
int fakevici_wait(struct fakevici *f);
/* The first failure ("step 3: expected CMD_REQUEST version, got ..."), or "". */
const char *fakevici_error(const struct fakevici *f);
/* A snapshot of the log so far, owned by f (valid until the next call or
 * fakevici_free()). */
const char *fakevici_log(struct fakevici *f);
/* Stops the script if it still runs, closes everything, removes the temp dir. */
void fakevici_free(struct fakevici *f);

#endif

/*
 * The input language of fuzz-session (fuzz/fuzz-session.c), shared with the
 * seed writer (fuzz/gen-session-corpus.c).
 *
 * An input is a script of operations, one byte each (taken modulo
 * FS_OP_COUNT) followed by its arguments, at most 64 operations per input.
 * The target plays a hostile daemon on the server end of a real unix stream
 * socket and a busy host on the client end:
 *
 *   FS_FEED n bytes         raw bytes to the client (any framing, any garbage)
 *   FS_FEED_BIG hi lo bytes the same with a 16-bit length
 *   FS_PACKET type name len msg cut
 *                           a well-framed packet (type 0-255, name from
 *                           fs_names or, for 255, a length and raw bytes),
 *                           written in two pieces split at cut with the
 *                           client's I/O in between
 *   FS_CALL cmd flags       vici_session_call() of fs_commands[cmd]; flags:
 *                           bits 0-2 timeout, 3-4 stream event, 5-6 body
 *   FS_LISTEN name          vici_session_listen() of fs_names[name]
 *   FS_UNLISTEN slot        vici_listener_remove()
 *   FS_CANCEL slot          vici_request_cancel()
 *   FS_TICK step            the clock advances by fs_steps[step] ms, then
 *                           vici_session_tick()
 *   FS_IO                   poll() the client without waiting, handle it,
 *                           read what it wrote
 *   FS_CLOSE                the server closes its end (mid-frame or not)
 *   FS_ACCEPT               the server takes the client's newest connection
 *                           (eight per input; later connects are refused)
 *   FS_RECONNECT            vici_session_reconnect() (the first four of an
 *                           input; those after them do nothing)
 *   FS_MODE mode            what callbacks do from now on (FS_CB_*)
 *   FS_OVERSIZED b          a frame header of VICI_FRAME_MAX + 1 + b bytes
 *
 * Bytes missing at the end of the input end the script.
 */
#ifndef SWANTOP_FUZZ_SESSION_H
#define SWANTOP_FUZZ_SESSION_H

enum fs_op {
	FS_FEED,
	FS_FEED_BIG,
	FS_PACKET,
	FS_CALL,
	FS_LISTEN,
	FS_UNLISTEN,
	FS_CANCEL,
	FS_TICK,
	FS_IO,
	FS_CLOSE,
	FS_ACCEPT,
	FS_RECONNECT,
	FS_MODE,
	FS_OVERSIZED,
	FS_OP_COUNT,
};

/* What callbacks do (FS_MODE argument, modulo FS_CB_COUNT). */
enum fs_cb_mode {
	FS_CB_NOTHING,
	FS_CB_CANCEL_OTHER,    /* a final callback cancels another request */
	FS_CB_REMOVE_LISTENER, /* any callback removes a listener (maybe itself) */
	FS_CB_CALL,            /* a final callback queues a new request */
	FS_CB_FREE,            /* any callback frees the session */
	FS_CB_RECONNECT,       /* a final callback reconnects */
	FS_CB_LISTEN,          /* a listener callback adds a listener */
	FS_CB_COUNT,
};

#define FS_TIMEOUT_BITS(flags) ((flags)&7u)
#define FS_STREAM_BITS(flags) (((flags) >> 3) & 3u)
#define FS_BODY_BITS(flags) (((flags) >> 5) & 3u)

/* Names of packets and listeners: events, stream events, a command, junk. */
__attribute__((unused)) static const char *const fs_names[] = {
        "log",   "ike-updown", "child-updown", "list-sa", "control-log",
        "alert", "list-conn",  "ike-rekey",    "version", "x",
};
#define FS_NAMES (sizeof(fs_names) / sizeof(fs_names[0]))

__attribute__((unused)) static const char *const fs_commands[] = {
        "version", "stats", "list-sas", "list-conns", "initiate", "terminate", "no-such", "rekey",
};
#define FS_COMMANDS (sizeof(fs_commands) / sizeof(fs_commands[0]))

/* Clock steps in ms: around the session's deadlines of the target (request
 * 1000, connect 500, grace 500, backoff 10-100). */
__attribute__((unused)) static const int fs_steps[] = {0,   1,   9,    10,   99,   100,  499,
                                                       500, 999, 1000, 1001, 5000, 60000};
#define FS_STEPS (sizeof(fs_steps) / sizeof(fs_steps[0]))

#endif

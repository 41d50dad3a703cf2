/*
 * The catalog of VICI: the commands and events strongSwan's vici plugin
 * knows (from its README), with what a client must know about each before
 * it sends one: which event a command streams before its reply, whether it
 * may block the connection or carries a timeout of its own, whether it
 * changes the daemon's state; and which events are stream-only or newer
 * than 5.9.x.
 *
 * Static data and lookups only, no state: the session (session.h) takes the
 * stream event and the deadline rules of a command from here, and tools
 * (swantop call, the monitor's read-only mode, completion) ask the same
 * table. Names not in the catalog can still be sent.
 */
#ifndef SWANTOP_VICI_CATALOG_H
#define SWANTOP_VICI_CATALOG_H

#include <stddef.h>

enum vici_command_flags {
	VICI_CMD_STREAMS = 1 << 0,    /* streams events of stream_event before its reply */
	VICI_CMD_SELF_TIMED = 1 << 1, /* may block; has its own charon-side timeout
	                               * (initiate, terminate): may be called with
	                               * VICI_TIMEOUT_NONE */
	VICI_CMD_MAY_BLOCK = 1 << 2,  /* may block the connection's queue (list-sas
	                               * without noblock, initiate, terminate) */
	VICI_CMD_CHANGES = 1 << 3,    /* changes daemon state (refused in read-only
	                               * mode by callers that care) */
};

struct vici_command_info {
	const char *name;
	const char *stream_event; /* NULL if the command does not stream */
	unsigned flags;           /* enum vici_command_flags */
};

/* The known commands (36), sorted by name. Static data. */
const struct vici_command_info *vici_commands(size_t *count);
/* The entry for cmd, or NULL if unknown (unknown names can still be sent). */
const struct vici_command_info *vici_command_lookup(const char *cmd);
/* The event cmd streams ("list-sas" → "list-sa"), or NULL. Static string. */
const char *vici_command_stream_event(const char *cmd);

enum vici_event_flags {
	VICI_EVENT_STREAM = 1 << 0,  /* only sent during a command, to its requester */
	VICI_EVENT_SINCE_6 = 1 << 1, /* not in 5.9.x (alert) */
};
struct vici_event_info {
	const char *name;
	unsigned flags; /* enum vici_event_flags */
};
/* The known events (13), sorted by name. Static data. */
const struct vici_event_info *vici_events(size_t *count);

#endif

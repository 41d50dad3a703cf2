/*
 * The catalog of VICI commands and events (see catalog.h): one sorted table
 * each, from strongSwan's src/libcharon/plugins/vici/README.md.
 */
#include "vici/catalog.h"

#include <string.h>

#define CH VICI_CMD_CHANGES
static const struct vici_command_info commands[] = {
        {"clear-creds", NULL, CH},
        {"flush-certs", NULL, CH},
        {"get-algorithms", NULL, 0},
        {"get-authorities", NULL, 0},
        {"get-conns", NULL, 0},
        {"get-counters", NULL, 0},
        {"get-keys", NULL, 0},
        {"get-pools", NULL, 0},
        {"get-shared", NULL, 0},
        {"initiate", "control-log",
         VICI_CMD_STREAMS | VICI_CMD_SELF_TIMED | VICI_CMD_MAY_BLOCK | CH},
        {"install", NULL, CH},
        {"list-authorities", "list-authority", VICI_CMD_STREAMS},
        {"list-certs", "list-cert", VICI_CMD_STREAMS},
        {"list-conns", "list-conn", VICI_CMD_STREAMS},
        {"list-policies", "list-policy", VICI_CMD_STREAMS},
        {"list-sas", "list-sa", VICI_CMD_STREAMS | VICI_CMD_MAY_BLOCK},
        {"load-authority", NULL, CH},
        {"load-cert", NULL, CH},
        {"load-conn", NULL, CH},
        {"load-key", NULL, CH},
        {"load-pool", NULL, CH},
        {"load-shared", NULL, CH},
        {"load-token", NULL, CH},
        {"redirect", NULL, CH},
        {"rekey", NULL, CH},
        {"reload-settings", NULL, CH},
        {"reset-counters", NULL, CH},
        {"stats", NULL, 0},
        {"terminate", "control-log",
         VICI_CMD_STREAMS | VICI_CMD_SELF_TIMED | VICI_CMD_MAY_BLOCK | CH},
        {"uninstall", NULL, CH},
        {"unload-authority", NULL, CH},
        {"unload-conn", NULL, CH},
        {"unload-key", NULL, CH},
        {"unload-pool", NULL, CH},
        {"unload-shared", NULL, CH},
        {"version", NULL, 0},
};
#undef CH

static const struct vici_event_info events[] = {
        {"alert", VICI_EVENT_SINCE_6},
        {"child-rekey", 0},
        {"child-updown", 0},
        {"control-log", VICI_EVENT_STREAM},
        {"ike-rekey", 0},
        {"ike-update", 0},
        {"ike-updown", 0},
        {"list-authority", VICI_EVENT_STREAM},
        {"list-cert", VICI_EVENT_STREAM},
        {"list-conn", VICI_EVENT_STREAM},
        {"list-policy", VICI_EVENT_STREAM},
        {"list-sa", VICI_EVENT_STREAM},
        {"log", 0},
};

const struct vici_command_info *vici_commands(size_t *count)
{
	*count = sizeof(commands) / sizeof(commands[0]);
	return commands;
}

const struct vici_command_info *vici_command_lookup(const char *cmd)
{
	size_t lo = 0, hi = sizeof(commands) / sizeof(commands[0]);
	if (!cmd)
		return NULL;
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		int c = strcmp(cmd, commands[mid].name);
		if (c == 0)
			return &commands[mid];
		if (c < 0)
			hi = mid;
		else
			lo = mid + 1;
	}
	return NULL;
}

const char *vici_command_stream_event(const char *cmd)
{
	const struct vici_command_info *ci = vici_command_lookup(cmd);
	return ci ? ci->stream_event : NULL;
}

const struct vici_event_info *vici_events(size_t *count)
{
	*count = sizeof(events) / sizeof(events[0]);
	return events;
}

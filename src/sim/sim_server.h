/*
 * vicisim's VICI server: listening sockets, one non-blocking poll() loop,
 * per-connection inbound packet FIFO (one packet in work at a time, like
 * charon's per-connection worker), outbound byte queue, registrations as a
 * multiset per connection, streamed commands, churn, log floods, slow replies
 * and fault modes. The daemon state lives in sim_model.h.
 */
#ifndef SWANTOP_SIM_SERVER_H
#define SWANTOP_SIM_SERVER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sim/sim_model.h"

/* Fault modes (see vicisim --help). Command names are borrowed strings. */
struct sim_faults {
	bool hang_all;                   /* never answer anything */
	const char *hang_cmd;            /* never answer this command (the FIFO stalls behind it) */
	bool hang_register;              /* never confirm an EVENT_REGISTER ... */
	const char *hang_register_event; /* ... of this event (NULL: any) */
	unsigned close_after;            /* close the connection after K events of a stream */
	bool oversized;                  /* announce a > 512 KiB frame ... */
	const char *oversized_cmd;       /* ... for this command (NULL: every command) */
	bool malformed;            /* unbalanced section in the reply / first stream event ... */
	const char *malformed_cmd; /* ... for this command (NULL: every command) */
};

struct sim_server_opts {
	unsigned delay_ms;   /* every command reply waits this long */
	unsigned sa_cost_us; /* list-sas emits at most one list-sa per this many us */
	double churn;        /* SA down/up/rekey actions per second */
	double log_rate;     /* log events per second */
	struct sim_faults f;
	bool verbose;
};

struct sim_server;

/* Creates a server on a model it borrows (the model must outlive it). */
struct sim_server *sim_server_new(struct sim_model *m, const struct sim_server_opts *o);
void sim_server_free(struct sim_server *s);

/* Listens on a unix socket path (an existing socket file is replaced) or on
 * HOST:PORT (IPv4, [IPv6] or a name; port 0 picks one). uri receives the
 * listening URI as swanctl --uri takes it. Returns 0 or a negative errno. */
int sim_server_listen_unix(struct sim_server *s, const char *path, char *uri, size_t size);
int sim_server_listen_tcp(struct sim_server *s, const char *hostport, char *uri, size_t size);

/* Runs the loop until stop_fd becomes readable. Returns 0 or a negative errno. */
int sim_server_run(struct sim_server *s, int stop_fd);

#endif

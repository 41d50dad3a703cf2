/*
 * What vicisim's server loop (sim_server.c), its daemon behaviour
 * (sim_daemon.c: commands, events, SA actions, churn, faults) and its output
 * (sim_out.c) share: the connection and job structures and their entry
 * points. Private to src/sim. The calls go one way: the server loop calls
 * the commands (sim_daemon.c) and the timers, the commands call the events
 * and SA actions (sim_events.c), and all of them write through sim_out.c.
 */
#ifndef SWANTOP_SIM_INTERNAL_H
#define SWANTOP_SIM_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "vici/frame.h"
#include "sim/sim_model.h"
#include "sim/sim_server.h"

/* A stream pauses while this much output waits for a slow reader. */
#define SIM_HIGH_WATER (4u << 20)
/* A connection with this much unread output is dropped. */
#define SIM_OUT_MAX (512u << 20)

enum sim_event {
	EV_LIST_SA,
	EV_LIST_POLICY,
	EV_LIST_CONN,
	EV_LIST_CERT,
	EV_LIST_AUTHORITY,
	EV_IKE_UPDOWN,
	EV_IKE_REKEY,
	EV_IKE_UPDATE,
	EV_CHILD_UPDOWN,
	EV_CHILD_REKEY,
	EV_LOG,
	EV_CONTROL_LOG,
	EV_COUNT,
};

/* Event names in enum sim_event order. */
extern const char *const sim_event_names[EV_COUNT];

struct sim_inpkt {
	uint8_t *payload;
	size_t len;
};

enum job_kind {
	JOB_NONE,
	JOB_WAIT,     /* waiting for the delay, then dispatch */
	JOB_LIST_SAS, /* streaming */
	JOB_STALLED,  /* never completes */
};

struct sim_job {
	enum job_kind kind;
	uint8_t *payload; /* owned; pkt points into it */
	struct vici_packet pkt;
	int64_t due_ms;
	/* list-sas */
	size_t cursor, emitted;
	int64_t started_ms;
	char *ike, *child;
	uint32_t ike_id, child_id;
	bool noblock;
};

struct sim_client {
	int fd;
	unsigned id;
	struct vici_reader rd;
	struct sim_inpkt *in;
	size_t in_head, in_len, in_cap;
	uint8_t *out;
	size_t out_off, out_len, out_cap;
	unsigned reg[EV_COUNT];
	struct sim_job job;
	bool close_when_flushed, dead;
};

struct sim_server {
	struct sim_model *m;
	struct sim_server_opts o;
	int lfd;
	char *unix_path;
	struct sim_client **c;
	size_t nc;
	unsigned next_id;
	double churn_acc, log_acc;
	int64_t last_tick_ms, last_sec;
};

/* ---- sim_out.c: below both the server loop and the daemon ---- */

/* Diagnostics on stderr with --verbose. */
void sim_diag(const struct sim_server *s, const char *fmt, ...)
        __attribute__((format(printf, 2, 3)));

/* Outbound queue: appends bytes (copied), and what is not written yet. */
void sim_out_append(struct sim_client *c, const void *p, size_t n);
size_t sim_out_pending(const struct sim_client *c);
/* Encodes and queues a packet; msg is borrowed. */
void sim_send_packet(struct sim_client *c, enum vici_packet_type t, const char *name,
                     const uint8_t *msg, size_t len);
void sim_send_simple(struct sim_client *c, enum vici_packet_type t);

/* ---- sim_server.c ---- */

/* Ends the job in work and frees what it owns. */
void sim_job_done(struct sim_client *c);

/* ---- sim_events.c: events and SA actions, below the commands ---- */

/* enum sim_event value of an event name, or -1 if charon 5.9.8 has none. */
int sim_find_event(const char *name);
/* A daemon log line: the "log" event for everyone registered and, if ctl is
 * set, the "control-log" event for that connection (a command's requester). */
void sim_emit_log(struct sim_server *s, struct sim_client *ctl, const char *group,
                  const struct sim_ike *ike, const char *fmt, ...)
        __attribute__((format(printf, 5, 6)));
/* Puts a DOWN SA up (initiate, churn): logs, ike-updown, child-updowns. */
void sim_sa_up(struct sim_server *s, struct sim_client *ctl, struct sim_ike *ike, int64_t now);
/* Deletes an SA as charon does (terminate, churn): logs, then ike-updown and
 * a child-updown per CHILD SA; a half-open one goes without events. It
 * comes back at up_at (0: only on initiate). */
void sim_sa_down(struct sim_server *s, struct sim_client *ctl, struct sim_ike *ike, int64_t now,
                 int64_t up_at);
/* Deletes one CHILD SA (terminate child=...): logs, child-updown. */
void sim_sa_child_down(struct sim_server *s, struct sim_client *ctl, struct sim_ike *ike,
                       struct sim_child *c, int64_t now);
/* Rekeys an IKE SA / a CHILD SA, with the rekey event. */
void sim_sa_rekey(struct sim_server *s, struct sim_ike *ike, int64_t now);
void sim_sa_child_rekey(struct sim_server *s, struct sim_ike *ike, struct sim_child *c,
                        int64_t now);
/* Time-driven work: churn, log flood, SAs coming back, due rekeys. */
void sim_tick(struct sim_server *s, int64_t now_ms);

/* ---- sim_daemon.c: commands, called by the server loop ---- */

/* Runs a CMD_REQUEST whose delay has passed. Returns true when it is
 * complete, false when it became a stream job (list-sas). */
bool sim_dispatch_command(struct sim_server *s, struct sim_client *c, int64_t now_ms);
/* Advances a list-sas job. Returns the time (ms) it wants to run again, 0
 * for "when the queue drains", or -1 when the job is over. */
int64_t sim_list_sas_step(struct sim_server *s, struct sim_client *c, int64_t now_ms);

#endif

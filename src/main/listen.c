/*
 * `swantop listen EVENT...`: every event as one JSON line
 * {"event": NAME, "time": <unix seconds.ms>, "data": {...}}, flushed, until
 * SIGINT or SIGTERM.
 *
 * The session re-registers the listeners after a reconnect, so surviving a
 * charon restart costs this file only the two notices on stderr. Every
 * registration has the --timeout deadline: a daemon that accepts the
 * connection but never confirms ends the listen with CLI_EXIT_TIMEOUT. The first
 * connection must succeed, though: a wrong --uri or a stopped daemon is
 * reported at once rather than retried forever. The loop is a plain poll()
 * over the session's fd and a self-pipe that the signal handler writes to.
 */
#include "main/cli.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "vici/vici.h"
#include "vici/xmalloc.h"

struct listen_ctx;

struct listen_event {
	struct listen_ctx *L;
	const char *name;
	struct vici_listener *l;
	bool unsupported;
};

struct listen_ctx {
	struct listen_event *ev;
	size_t nev, nunsupported;
	int timeout_ms;
	bool no_reconnect;
	bool was_up; /* the connection was up at least once */
	bool lost;   /* "connection lost" was printed, "reconnected" not yet */
	bool done;
	int rc;
};

static int sig_pipe[2] = {-1, -1};

static void on_signal(int sig)
{
	int saved = errno;
	char c = (char)sig;
	if (write(sig_pipe[1], &c, 1) < 0) {
		/* the pipe is full: a signal is already pending */
	}
	errno = saved;
}

static bool protocol_error(int err, const char *msg)
{
	return err == -EBADMSG || err == -EPROTO || err == -EMSGSIZE ||
	       (msg && !strncmp(msg, "protocol error", 14));
}

static void on_state(void *ctx, enum vici_session_state st, int err, const char *msg)
{
	struct listen_ctx *L = ctx;
	if (st != VICI_SESSION_DOWN || L->done)
		return;
	if (!L->was_up || L->no_reconnect) {
		cli_warn("%s%s", L->was_up ? "connection lost: " : "",
		         msg && *msg ? msg : "failed");
		L->rc = protocol_error(err, msg) ? CLI_EXIT_PROTOCOL : CLI_EXIT_CONNECT;
		L->done = true;
		return;
	}
	if (!L->lost) {
		cli_warn("connection lost: %s; reconnecting", msg && *msg ? msg : "closed");
		L->lost = true;
	}
}

static void on_up(void *ctx, bool reconnected)
{
	struct listen_ctx *L = ctx;
	L->was_up = true;
	if (L->lost) {
		cli_warn("reconnected, listening again");
		L->lost = false;
	}
}

/* Wall-clock time at which a packet received at monotonic ms arrived. */
static double wall_time(int64_t received)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	double now = (double)ts.tv_sec + ts.tv_nsec / 1e9;
	int64_t age = vici_now_ms() - received;
	if (age < 0)
		age = 0;
	return now - age / 1000.0;
}

static void on_event(void *ctx, int err, const struct vici_msg *m)
{
	struct listen_event *e = ctx;
	struct listen_ctx *L = e->L;
	if (L->done)
		return;
	if (err == -ENOENT) {
		if (!e->unsupported) {
			e->unsupported = true;
			L->nunsupported++;
			cli_warn("event '%s' is not supported by this daemon", e->name);
		}
		if (L->nunsupported == L->nev) {
			cli_warn("none of the requested events is supported");
			L->rc = CLI_EXIT_UNKNOWN;
			L->done = true;
		}
		return;
	}
	if (err == -ETIMEDOUT) {
		/* A daemon that accepts but does not answer would otherwise keep
		 * us waiting forever, printing nothing. */
		cli_warn("charon did not confirm the registration of %s within %.3g s (--timeout)",
		         e->name, L->timeout_ms / 1000.0);
		L->rc = CLI_EXIT_TIMEOUT;
		L->done = true;
		return;
	}
	if (err < 0) {
		cli_warn("event '%s': %s", e->name, m->error ? m->error : strerror(-err));
		return;
	}
	struct json_buf b;
	json_buf_init(&b);
	json_buf_puts(&b, "{\"event\":");
	json_put_name(&b, m->name, strlen(m->name));
	/* milliseconds, as the issue asked: enough to order lines by eye */
	json_buf_printf(&b, ",\"time\":%.3f,\"data\":", wall_time(m->received));
	if (json_put_message(&b, m->data, m->len, 0, 0)) {
		cli_warn("protocol violation: malformed '%s' event ignored", m->name);
		json_buf_free(&b);
		return;
	}
	json_buf_puts(&b, "}\n");
	if (fwrite(b.p, 1, b.len, stdout) != b.len || fflush(stdout)) {
		/* the reader went away (e.g. `| head`): that ends a listen quietly */
		if (errno != EPIPE) {
			cli_warn("cannot write to standard output: %s", strerror(errno));
			L->rc = CLI_EXIT_FAILED;
		}
		L->done = true;
	}
	json_buf_free(&b);
}

static int setup_signals(void)
{
	if (pipe(sig_pipe))
		return -errno;
	for (int i = 0; i < 2; i++) {
		fcntl(sig_pipe[i], F_SETFL, fcntl(sig_pipe[i], F_GETFL) | O_NONBLOCK);
		fcntl(sig_pipe[i], F_SETFD, FD_CLOEXEC);
	}
	struct sigaction sa = {.sa_handler = on_signal};
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	return 0;
}

static void loop(struct vici_session *s, struct listen_ctx *L)
{
	while (!L->done) {
		struct pollfd pfd[2] = {
		        {.fd = sig_pipe[0], .events = POLLIN},
		        {.fd = vici_session_fd(s), .events = vici_session_events(s)},
		};
		int timeout = vici_session_poll_timeout(s, vici_now_ms(), -1);
		int n = poll(pfd, 2, timeout);
		if (n < 0 && errno != EINTR) {
			cli_warn("poll: %s", strerror(errno));
			L->rc = CLI_EXIT_FAILED;
			return;
		}
		if (n > 0 && (pfd[0].revents & POLLIN))
			return; /* SIGINT/SIGTERM: a normal end */
		vici_session_handle(s, n > 0 && pfd[1].fd >= 0 ? pfd[1].revents : 0);
	}
}

static int run(const struct cli_listen_args *a)
{
	struct listen_ctx L = {
	        .nev = a->nevents,
	        .no_reconnect = a->no_reconnect,
	        .timeout_ms = a->timeout_ms > 0 ? a->timeout_ms : CLI_TIMEOUT_DEFAULT_MS,
	};
	if (setup_signals()) {
		cli_warn("cannot create a pipe: %s", strerror(errno));
		return CLI_EXIT_FAILED;
	}
	struct vici_session_config cfg = {
	        .uri = a->uri,
	        .request_timeout_ms = L.timeout_ms,
	        .no_reconnect = a->no_reconnect,
	        .on_state = on_state,
	        .on_up = on_up,
	        .ctx = &L,
	};
	struct vici_session *s = vici_session_new(&cfg);
	if (vici_session_state(s) == VICI_SESSION_DOWN) {
		cli_warn("%s", vici_session_error(s));
		vici_session_free(s);
		return CLI_EXIT_CONNECT;
	}
	L.ev = xcalloc(a->nevents, sizeof(*L.ev));
	for (size_t i = 0; i < a->nevents; i++) {
		L.ev[i] = (struct listen_event){.L = &L, .name = a->events[i]};
		L.ev[i].l = vici_session_listen(s, a->events[i], on_event, &L.ev[i]);
		if (!L.ev[i].l) {
			cli_warn("invalid event name '%s'", a->events[i]);
			L.rc = CLI_EXIT_USAGE;
			L.done = true;
			break;
		}
	}
	loop(s, &L);
	vici_session_free(s);
	free(L.ev);
	return L.rc;
}

int cli_listen_main(int argc, char **argv)
{
	struct cli_listen_args a;
	char err[256];
	if (cli_listen_parse(argc, argv, &a, err, sizeof(err))) {
		cli_warn("%s", err);
		fprintf(stderr, "Try 'swantop --help'.\n");
		cli_listen_args_free(&a);
		return CLI_EXIT_USAGE;
	}
	if (a.help) {
		cli_usage(stdout);
		cli_listen_args_free(&a);
		return CLI_EXIT_OK;
	}
	int rc = run(&a);
	cli_listen_args_free(&a);
	return rc;
}

/*
 * vici-version: a whole poll() host for the VICI library in one page.
 *
 * Connects to charon (the URI from argv[1], default unix:///var/run/charon.vici),
 * sends "version", prints the reply and exits. The loop is the point: the
 * program owns poll(); the session only says which fd to watch, for which
 * events, and until when (its next deadline), and gets called back with
 * vici_session_handle(). Another program would add its own fds (terminal,
 * signals, more sessions) to the same poll() set.
 *
 *	vici-version [unix:///path | tcp://host:port]
 */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>

#include "vici/vici.h"

static int done = 0; /* 1 ok, -1 failed */

/* Values from charon are hostile bytes: print only what is printable. */
static void print_value(const char *key, const struct vici_msg *m)
{
	const uint8_t *v;
	size_t len;
	if (vici_message_find(m->data, m->len, key, &v, &len) < 0)
		return;
	printf("%-8s ", key);
	for (size_t i = 0; i < len; i++)
		putchar(v[i] >= 0x20 && v[i] < 0x7f ? v[i] : '?');
	putchar('\n');
}

/* Called once with the reply (err 0) or the failure (err < 0, m->error). */
static void on_version(void *ctx, int err, const struct vici_msg *m)
{
	if (err < 0) {
		fprintf(stderr, "vici-version: %s\n", m->error);
		done = -1;
		return;
	}
	static const char *const keys[] = {"daemon", "version", "sysname", "release", "machine"};
	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
		print_value(keys[i], m);
	done = 1;
}

int main(int argc, char **argv)
{
	struct vici_session_config cfg = {
	        .uri = argc > 1 ? argv[1] : VICI_DEFAULT_URI,
	        .request_timeout_ms = 5000,
	        .no_reconnect = true, /* a one-shot tool: fail instead of retrying */
	};
	struct vici_session *s = vici_session_new(&cfg);
	if (vici_session_call(s, "version", NULL, 0, NULL, on_version, NULL, NULL) < 0) {
		fprintf(stderr, "vici-version: %s\n", vici_session_error(s));
		vici_session_free(s);
		return 1;
	}
	while (!done) {
		struct pollfd pfd = {.fd = vici_session_fd(s), .events = vici_session_events(s)};
		int timeout = vici_session_poll_timeout(s, vici_now_ms(), -1);
		int n = poll(&pfd, pfd.fd >= 0 ? 1 : 0, timeout);
		if (n < 0 && errno != EINTR) {
			perror("poll");
			break;
		}
		/* revents 0 (a timeout) is fine: it runs the session's timers. */
		vici_session_handle(s, n > 0 ? pfd.revents : 0);
	}
	vici_session_free(s);
	return done == 1 ? 0 : 1;
}

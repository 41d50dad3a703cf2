/*
 * `swantop call COMMAND [KEY=VALUE ...] [--json ...]`: one VICI command, its
 * reply as JSON on stdout.
 *
 * Streamed commands print each stream event as one JSON line the moment it
 * arrives ({"event":"list-sa","data":{...}}), flushed, so `| jq` sees a
 * long list-sas or the control-log of an initiate while it runs; the final
 * reply follows. The session does the protocol work; this file only maps its
 * results to output and exit codes (cli.h).
 */
#include "main/cli.h"

#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "vici/vici.h"
#include "vici/xmalloc.h"

struct call_ctx {
	const char *command;
	bool pretty;
	bool out_failed; /* writing stdout failed */
	bool bad_data;   /* a stream event was malformed */
	bool done;       /* the final callback ran */
	int err;         /* its err */
	char *errmsg;    /* its m->error (copy) */
	uint8_t *reply;  /* its body (copy) */
	size_t reply_len;
	int down_err; /* why the session last went DOWN */
	char *down_msg;
};

static void write_line(struct call_ctx *c, struct json_buf *b)
{
	json_buf_putc(b, '\n');
	if (fwrite(b->p, 1, b->len, stdout) != b->len || fflush(stdout))
		c->out_failed = true;
}

static void on_state(void *ctx, enum vici_session_state st, int err, const char *msg)
{
	struct call_ctx *c = ctx;
	if (st != VICI_SESSION_DOWN)
		return;
	c->down_err = err;
	free(c->down_msg);
	c->down_msg = xstrdup(msg ? msg : "");
}

static void on_reply(void *ctx, int err, const struct vici_msg *m)
{
	struct call_ctx *c = ctx;
	if (!m->final) {
		struct json_buf b;
		json_buf_init(&b);
		json_buf_puts(&b, "{\"event\":");
		json_put_name(&b, m->name, strlen(m->name));
		json_buf_puts(&b, ",\"data\":");
		if (json_put_message(&b, m->data, m->len, 0, 0) == 0) {
			json_buf_putc(&b, '}');
			write_line(c, &b);
		} else {
			cli_warn("protocol violation: malformed '%s' event ignored", m->name);
			c->bad_data = true;
		}
		json_buf_free(&b);
		return;
	}
	c->done = true;
	c->err = err;
	if (err == 0) {
		c->reply = xmemdup(m->data ? m->data : (const uint8_t *)"", m->len);
		c->reply_len = m->len;
	} else if (m->error) {
		c->errmsg = xstrdup(m->error);
	}
}

/* Reads all of f (at most CLI_JSON_INPUT_MAX bytes) into a malloc'd buffer. */
static int read_all(FILE *f, char **out, size_t *len)
{
	size_t cap = 4096, n = 0;
	char *buf = xmalloc(cap);
	for (;;) {
		if (n == cap) {
			if (cap >= CLI_JSON_INPUT_MAX + 1) {
				free(buf);
				return -EFBIG;
			}
			cap *= 2;
			buf = xrealloc(buf, cap);
		}
		size_t r = fread(buf + n, 1, cap - n, f);
		n += r;
		if (r == 0)
			break;
	}
	if (ferror(f)) {
		free(buf);
		return -EIO;
	}
	if (n > CLI_JSON_INPUT_MAX) {
		free(buf);
		return -EFBIG;
	}
	*out = buf;
	*len = n;
	return 0;
}

/* The text of --json ARG: the argument itself, stdin for "-", a file for
 * "@FILE". Returns 0 (*text malloc'd) or CLI_EXIT_USAGE after a message. */
static int json_input(const char *arg, char **text, size_t *len)
{
	if (strcmp(arg, "-") && arg[0] != '@') {
		*len = strlen(arg);
		*text = xmemdup(arg, *len + 1);
		return 0;
	}
	FILE *f = stdin;
	const char *what = "standard input";
	if (arg[0] == '@') {
		what = arg + 1;
		f = fopen(what, "r");
		if (!f) {
			cli_warn("--json: cannot open '%s': %s", what, strerror(errno));
			return CLI_EXIT_USAGE;
		}
	}
	int r = read_all(f, text, len);
	if (f != stdin)
		fclose(f);
	if (r == -EFBIG) {
		cli_warn("--json: %s is larger than %u bytes", what, CLI_JSON_INPUT_MAX);
		return CLI_EXIT_USAGE;
	} else if (r) {
		cli_warn("--json: cannot read %s", what);
		return CLI_EXIT_USAGE;
	}
	return 0;
}

/* Builds the request body from KEY=VALUE pairs and --json. Returns 0 or an
 * exit code after a message. */
static int build_message(const struct cli_call_args *a, uint8_t **msg, size_t *len)
{
	char *text = NULL;
	size_t text_len = 0;
	int r;
	if (a->json && (r = json_input(a->json, &text, &text_len)))
		return r;
	struct vici_builder b;
	char err[256];
	vici_builder_init(&b);
	r = json_to_vici(text, text_len, a->kv, a->nkv, &b, err, sizeof(err));
	free(text);
	if (r) {
		vici_builder_reset(&b);
		cli_warn("%s%s", a->json ? "--json: " : "", err);
		return CLI_EXIT_USAGE;
	}
	if (vici_builder_finish(&b, msg, len)) {
		cli_warn("the arguments do not make a valid VICI message");
		return CLI_EXIT_USAGE;
	}
	if (*len > VICI_FRAME_MAX - 2 - VICI_NAME_MAX) {
		cli_warn("the message is too large for VICI (%zu bytes; the limit is %u)", *len,
		         VICI_FRAME_MAX);
		free(*msg);
		return CLI_EXIT_USAGE;
	}
	return 0;
}

/* The client deadline: --timeout, else the default; a charon-side timeout=MS
 * of a self-timed command (initiate, terminate) extends it. Returns 0 or
 * CLI_EXIT_USAGE after a message. */
static int deadline(const struct cli_call_args *a, const uint8_t *msg, size_t len, int *out)
{
	const struct vici_command_info *info = vici_command_lookup(a->command);
	bool self_timed = info && (info->flags & VICI_CMD_SELF_TIMED);
	int t = a->timeout_ms >= 0 ? a->timeout_ms : CLI_TIMEOUT_DEFAULT_MS;
	if (t == 0) {
		if (!self_timed) {
			cli_warn("--timeout 0 (no deadline) is only allowed for initiate and "
			         "terminate, which have a timeout of their own");
			return CLI_EXIT_USAGE;
		}
		*out = VICI_TIMEOUT_NONE;
		return 0;
	}
	const uint8_t *v;
	size_t vl;
	if (self_timed && vici_message_find(msg, len, "timeout", &v, &vl) == 0 && vl < 20) {
		char num[24];
		memcpy(num, v, vl);
		num[vl] = '\0';
		char *end;
		long long ms = strtoll(num, &end, 10);
		if (end != num && !*end && ms > 0) {
			long long want = ms + CLI_TIMEOUT_MARGIN_MS;
			if (want > INT_MAX)
				want = INT_MAX;
			if (want > t)
				t = (int)want;
		}
	}
	*out = t;
	return 0;
}

static bool protocol_error(int err, const char *msg)
{
	return err == -EBADMSG || err == -EPROTO || err == -EMSGSIZE ||
	       (msg && !strncmp(msg, "protocol error", 14));
}

/* Prints the reply and decides the exit code of a completed command. */
static int finish_reply(struct call_ctx *c)
{
	struct json_buf b;
	json_buf_init(&b);
	if (json_put_message(&b, c->reply, c->reply_len, c->pretty ? JSON_PRETTY : 0, 0)) {
		json_buf_free(&b);
		cli_warn("protocol violation: the reply to '%s' is malformed", c->command);
		return CLI_EXIT_PROTOCOL;
	}
	write_line(c, &b);
	json_buf_free(&b);
	const uint8_t *v;
	size_t vl;
	if (vici_message_find(c->reply, c->reply_len, "success", &v, &vl) == 0 &&
	    !vici_eq(v, vl, "yes")) {
		if (vici_message_find(c->reply, c->reply_len, "errmsg", &v, &vl) == 0) {
			char *text = json_sanitize(v, vl); /* keeps NUL bytes visible */
			cli_warn("%s failed: %s", c->command, text);
			free(text);
		} else {
			cli_warn("%s failed", c->command);
		}
		return CLI_EXIT_FAILED;
	}
	return c->bad_data ? CLI_EXIT_PROTOCOL : CLI_EXIT_OK;
}

static int map_error(struct call_ctx *c, struct vici_session *s, int r, int timeout_ms)
{
	const char *why = c->errmsg ? c->errmsg : vici_session_error(s);
	switch (r) {
	case -ETIMEDOUT:
		cli_warn("%s: no reply within %.3g s (--timeout)", c->command, timeout_ms / 1000.0);
		return CLI_EXIT_TIMEOUT;
	case -ENOSYS:
		cli_warn("unknown command '%s' (the daemon does not know it)", c->command);
		return CLI_EXIT_UNKNOWN;
	case -EINVAL:
		cli_warn("%s: invalid request", c->command);
		return CLI_EXIT_USAGE;
	case -EMSGSIZE:
		if (!c->done) {
			cli_warn("%s: the message is too large for VICI", c->command);
			return CLI_EXIT_USAGE;
		}
		break;
	default:
		break;
	}
	if (protocol_error(c->down_err, c->down_msg) || protocol_error(r, why)) {
		cli_warn("%s", c->down_msg && *c->down_msg ? c->down_msg : why);
		return CLI_EXIT_PROTOCOL;
	}
	if (why && *why)
		cli_warn("%s", why);
	else if (c->down_msg && *c->down_msg)
		cli_warn("%s", c->down_msg);
	else
		cli_warn("%s: connection failed (%s)", c->command, strerror(-r));
	return CLI_EXIT_CONNECT;
}

static int run(const struct cli_call_args *a)
{
	uint8_t *msg = NULL;
	size_t len = 0;
	int rc = build_message(a, &msg, &len);
	if (rc)
		return rc;
	int timeout_ms;
	if ((rc = deadline(a, msg, len, &timeout_ms))) {
		free(msg);
		return rc;
	}
	struct call_ctx c = {.command = a->command, .pretty = a->pretty};
	struct vici_session_config cfg = {
	        .uri = a->uri,
	        .request_timeout_ms = timeout_ms > 0 ? timeout_ms : 0,
	        .no_reconnect = true,
	        .on_state = on_state,
	        .ctx = &c,
	};
	struct vici_session *s = vici_session_new(&cfg);
	struct vici_call_opts opts = {.timeout_ms = timeout_ms};
	int r = vici_session_call_sync(s, a->command, msg, len, &opts, on_reply, &c);
	free(msg);
	if (r == 0 && c.done && c.err == 0)
		rc = finish_reply(&c);
	else
		rc = map_error(&c, s, r ? r : c.err, timeout_ms);
	if (c.out_failed && rc == CLI_EXIT_OK) {
		cli_warn("cannot write to standard output");
		rc = CLI_EXIT_FAILED;
	}
	vici_session_free(s);
	free(c.reply);
	free(c.errmsg);
	free(c.down_msg);
	return rc;
}

int cli_call_main(int argc, char **argv)
{
	struct cli_call_args a;
	char err[256];
	if (cli_call_parse(argc, argv, &a, err, sizeof(err))) {
		cli_warn("%s", err);
		fprintf(stderr, "Try 'swantop --help'.\n");
		cli_call_args_free(&a);
		return CLI_EXIT_USAGE;
	}
	if (a.help) {
		cli_usage(stdout);
		cli_call_args_free(&a);
		return CLI_EXIT_OK;
	}
	/* a reader that went away must not kill us half-way through a write to
	 * the socket; stdout errors are checked instead */
	signal(SIGPIPE, SIG_IGN);
	int rc = run(&a);
	cli_call_args_free(&a);
	return rc;
}

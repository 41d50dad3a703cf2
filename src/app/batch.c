/*
 * Batch mode (see batch.h): the options, and a poll() loop around the
 * feed that asks charon for everything again at each snapshot and writes
 * the snapshot once the pane's table was listed anew.
 */
#include "app/batch.h"

#include <errno.h>
#include <getopt.h>
#include <locale.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>

#include "app/feed.h"
#include "model/filter.h"
#include "util/sanitize.h"
#include "vici/vici.h"

/* The first answer, and each listing, may take this long (ms). */
#define BATCH_ANSWER_MS 30000
/* The first snapshot's second listing of the SAs, for rates (ms). */
#define BATCH_RATE_MS 1000

const char batch_usage_text[] =
        "usage: swantop -b [-n COUNT] [-d SECONDS] [--pane sas|conns|pols|events]\n"
        "                  [--filter EXPR] [--json] [--uri URI]\n"
        "\n"
        "  -b, --batch         print snapshots of a pane instead of the monitor\n"
        "  -n, --count COUNT   snapshots to print, then exit 0 (default 1)\n"
        "  -d, --delay SECONDS between snapshots, 0.1-3600 (default 3)\n"
        "  -p, --pane PANE     sas (default), conns, pols or events (the events\n"
        "                      since the snapshot before)\n"
        "  -f, --filter EXPR   only the rows matching EXPR (the \"/\" filter's language:\n"
        "                      words, F=VALUE, F~REGEX, !TERM)\n"
        "  -j, --json          one JSON object per snapshot and line\n"
        "  -u, --uri URI       charon's VICI socket (default unix:///var/run/charon.vici)\n"
        "\n"
        "The first snapshot lists the SAs twice, a second apart, so that the rates\n"
        "are real. Width: $COLUMNS, the terminal's, or 200. Exit codes: 0 done,\n"
        "2 bad option or filter, 3 charon cannot be reached or went away,\n"
        "4 charon did not answer within 30 s.\n";

bool batch_wanted(int argc, char **argv)
{
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--"))
			return false;
		if (!strcmp(argv[i], "-b") || !strcmp(argv[i], "--batch"))
			return true;
	}
	return false;
}

static int bad(char *err, size_t errsize, const char *opt, const char *value, const char *what)
{
	char *safe = sanitize_strdup(value, 0);
	snprintf(err, errsize, "%s: '%s' is not %s", opt, safe, what);
	free(safe);
	return -EINVAL;
}

int batch_parse_args(int argc, char **argv, struct batch_options *o, char *err, size_t errsize)
{
	static const struct option opts[] = {
	        {"batch", no_argument, NULL, 'b'},
	        {"count", required_argument, NULL, 'n'},
	        {"delay", required_argument, NULL, 'd'},
	        {"pane", required_argument, NULL, 'p'},
	        {"filter", required_argument, NULL, 'f'},
	        {"json", no_argument, NULL, 'j'},
	        {"uri", required_argument, NULL, 'u'},
	        {"help", no_argument, NULL, 'h'},
	        {NULL, 0, NULL, 0},
	};
	static const char *const panes[] = {"sas", "conns", "pols", "events"};
	memset(o, 0, sizeof(*o));
	o->count = 1;
	o->delay_ms = 3000;
	err[0] = '\0';
	optind = 0;
	opterr = 0;
	int c;
	while ((c = getopt_long(argc, argv, ":bn:d:p:f:ju:h", opts, NULL)) != -1) {
		char *end;
		switch (c) {
		case 'b':
			break;
		case 'n':
			errno = 0;
			o->count = strtol(optarg, &end, 10);
			if (errno || end == optarg || *end || o->count < 1)
				return bad(err, errsize, "-n", optarg,
				           "a count of snapshots (1 or more)");
			break;
		case 'd': {
			errno = 0;
			double s = strtod(optarg, &end);
			if (errno || end == optarg || *end || !(s >= 0.1 && s <= 3600))
				return bad(err, errsize, "-d", optarg,
				           "a number of seconds between 0.1 and 3600");
			o->delay_ms = (int)(s * 1000 + 0.5);
			break;
		}
		case 'p': {
			size_t i = 0;
			while (i < 4 && strcmp(optarg, panes[i]))
				i++;
			if (i == 4)
				return bad(err, errsize, "--pane", optarg,
				           "a pane (sas, conns, pols or events)");
			o->pane = (enum batch_pane)i;
			break;
		}
		case 'f':
			o->filter = optarg;
			break;
		case 'j':
			o->json = true;
			break;
		case 'u': {
			struct vici_uri u;
			if (vici_uri_parse(optarg, &u) < 0)
				return bad(err, errsize, "--uri", optarg,
				           "a VICI URI (unix:///path or tcp://host:port)");
			o->uri = optarg;
			break;
		}
		case 'h':
			o->help = true;
			break;
		case ':':
			snprintf(err, errsize, "option %s needs a value", argv[optind - 1]);
			return -EINVAL;
		default: {
			char *safe = sanitize_strdup(argv[optind - 1], 0);
			snprintf(err, errsize, "unknown option '%s' in batch mode", safe);
			free(safe);
			return -EINVAL;
		}
		}
	}
	if (optind < argc) {
		char *safe = sanitize_strdup(argv[optind], 0);
		snprintf(err, errsize, "unexpected argument '%s'", safe);
		free(safe);
		return -EINVAL;
	}
	return 0;
}

static size_t out_width(void)
{
	const char *c = getenv("COLUMNS");
	char *end;
	long n = c && *c ? strtol(c, &end, 10) : 0;
	if (c && *c && !*end && n >= 20 && n <= 4000)
		return (size_t)n;
	struct winsize ws;
	if (isatty(STDOUT_FILENO) && ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_col >= 20)
		return ws.ws_col;
	return 200;
}

/* ---- the loop ------------------------------------------------------------------ */

struct batch {
	struct batch_options o;
	struct model *m;
	struct feed *f;
	const char *uri;
};

/* How many listings of the pane's tables charon answered. */
static uint64_t loads(const struct batch *b)
{
	uint64_t c = model_table_loads(b->m, MODEL_TABLE_CONNS),
	         p = model_table_loads(b->m, MODEL_TABLE_POLS);
	switch (b->o.pane) {
	case BATCH_CONNS:
		/* STATUS "trap" needs the policies too */
		return c < p ? c : p;
	case BATCH_POLS:
		return model_table_loads(b->m, MODEL_TABLE_POLS);
	default:
		return feed_sweeps(b->f);
	}
}

/* Why the monitor connection is down, or NULL while it is not. */
static const char *down(const struct batch *b)
{
	const struct feed_link *l = feed_link(b->f, FEED_MONITOR);
	if (l->state != VICI_SESSION_DOWN)
		return NULL;
	return l->error[0] ? l->error : "connection closed";
}

/* Turns the loop until the pane's table was listed more than `after` times
 * (after < 0: until `until`, monotonic ms). Returns 0, or a BATCH_EXIT_*
 * code with its message written. */
static int run_until(struct batch *b, int64_t after, int64_t until)
{
	int64_t limit = vici_now_ms() + BATCH_ANSWER_MS;
	for (;;) {
		int64_t now = vici_now_ms();
		feed_tick(b->f, now);
		const char *why = down(b);
		if (why) {
			fprintf(stderr, "swantop: cannot reach charon at %s: %s\n", b->uri, why);
			return BATCH_EXIT_CONNECT;
		}
		if (after >= 0 ? (int64_t)loads(b) > after : now >= until)
			return 0;
		if (after >= 0 && now >= limit) {
			fprintf(stderr, "swantop: charon at %s did not answer within %d s\n",
			        b->uri, BATCH_ANSWER_MS / 1000);
			return BATCH_EXIT_TIMEOUT;
		}
		struct pollfd fds[4];
		void *tags[4];
		size_t n = feed_pollfds(b->f, fds, tags, 4);
		int64_t d = feed_deadline(b->f), wake = after >= 0 ? limit : until;
		if (d >= 0 && d < wake)
			wake = d;
		int timeout = wake > now ? (int)(wake - now) : 0;
		if (poll(fds, n, timeout) < 0 && errno != EINTR) {
			fprintf(stderr, "swantop: poll: %s\n", strerror(errno));
			return BATCH_EXIT_CONNECT;
		}
		for (size_t i = 0; i < n; i++)
			if (fds[i].revents)
				feed_handle(b->f, tags[i], fds[i].revents);
	}
}

/* Asks for everything again and waits for the pane's table. */
static int listed_again(struct batch *b)
{
	uint64_t before = loads(b);
	feed_refresh_all(b->f);
	return run_until(b, (int64_t)before, 0);
}

static int run(struct batch *b, const struct filter *flt, size_t width, bool utf8)
{
	int r = run_until(b, 0, 0); /* connected, everything listed once */
	if (!r && b->o.pane == BATCH_SAS) {
		r = run_until(b, -1, vici_now_ms() + BATCH_RATE_MS);
		if (!r)
			r = listed_again(b);
	}
	struct batch_snapshot s = {.m = b->m,
	                           .pane = b->o.pane,
	                           .filter = flt,
	                           .width = width,
	                           .json = b->o.json,
	                           .utf8 = utf8};
	for (long k = 0; !r && k < b->o.count; k++) {
		if (k) {
			r = run_until(b, -1, vici_now_ms() + b->o.delay_ms);
			if (!r)
				r = listed_again(b);
			if (r)
				break;
		}
		s.now = vici_now_ms();
		struct timespec ts;
		clock_gettime(CLOCK_REALTIME, &ts);
		s.wall_offset = (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000 - s.now;
		s.events_after = batch_write(stdout, &s);
	}
	return r;
}

int batch_main(int argc, char **argv)
{
	struct batch b = {0};
	char err[512];
	if (batch_parse_args(argc, argv, &b.o, err, sizeof(err)) < 0) {
		fprintf(stderr, "swantop: %s\n%s", err, batch_usage_text);
		return BATCH_EXIT_USAGE;
	}
	if (b.o.help) {
		fputs(batch_usage_text, stdout);
		return BATCH_EXIT_OK;
	}
	setlocale(LC_ALL, "");
	struct filter *flt = NULL;
	size_t nf;
	const struct filter_field *fields = batch_fields(b.o.pane, &nf);
	if (b.o.filter && filter_compile(b.o.filter, fields, nf, &flt, err, sizeof(err)) < 0) {
		fprintf(stderr, "swantop: --filter: %s\n", err);
		return BATCH_EXIT_USAGE;
	}
	b.uri = b.o.uri ? b.o.uri : "unix:///var/run/charon.vici";
	b.m = model_new(NULL);
	struct feed_config fc = {.uri = b.o.uri,
	                         .model = b.m,
	                         .interval_ms = b.o.delay_ms,
	                         .budget = FEED_BUDGET_DEFAULT,
	                         .sweep_max_ms = b.o.delay_ms};
	b.f = feed_new(&fc);
	int r = run(&b, flt, out_width(), sanitize_locale_is_utf8());
	feed_free(b.f);
	model_free(b.m);
	filter_free(flt);
	return r;
}

/*
 * vicisim: a VICI server that plays a charon 5.9.8 with configurable content,
 * for scale benchmarks and fault tests of VICI clients (swantop, swanctl).
 * Command line and signals here; the daemon state is sim_model.c, the
 * protocol and the loop sim_server.c.
 */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sim/sim_model.h"
#include "sim/sim_server.h"

static int stop_pipe[2] = {-1, -1};

static void on_signal(int sig)
{
	int saved = errno;
	char b = (char)sig;

	if (write(stop_pipe[1], &b, 1) < 0) {
		/* nothing to do: the pipe already holds a byte */
	}
	errno = saved;
}

static void usage(FILE *f)
{
	fputs("usage: vicisim (--socket PATH | --tcp HOST:PORT) [options]\n"
	      "\n"
	      "A VICI server playing charon 5.9.8, for benchmarks and fault tests.\n"
	      "Prints \"ready URI\" on stdout once it listens; stops on SIGTERM/SIGINT.\n"
	      "\n"
	      "  --socket PATH      listen on a unix socket (replaces a stale one)\n"
	      "  --tcp HOST:PORT    listen on TCP (port 0: any free port, see the ready line)\n"
	      "  --ike N            established IKE SAs (default 10)\n"
	      "  --children M       CHILD SAs per IKE SA (default 2)\n"
	      "  --conns C          connections; IKE SA i belongs to conn<i mod C>\n"
	      "                     (default min(N, 10))\n"
	      "  --connecting K     extra half-open IKE SAs in state CONNECTING (default 0)\n"
	      "  --churn RATE       SA down/up/rekey actions per second, with events (default 0)\n"
	      "  --log-rate RATE    log events per second to registered clients (default 0)\n"
	      "  --delay MS         delay every command reply by MS milliseconds\n"
	      "  --sa-cost US       list-sas emits at most one list-sa per US microseconds\n"
	      "  --no-cache         re-encode every list-sa (no per-second frame cache)\n"
	      "  --seed S           seed of the content generator (default 1)\n"
	      "  --steady-since     stats: uptime.since stays the same; by default it flips\n"
	      "                     by one second from call to call as charon's does\n"
	      "  --fault F[,F...]   fault modes:\n"
	      "      hang               never answer anything\n"
	      "      hang=CMD           never answer CMD (later packets wait behind it)\n"
	      "      hang=register[:EVENT]  never confirm a registration (of EVENT;\n"
	      "                         later packets wait behind it)\n"
	      "      close-after=K      close the connection after K events of a stream\n"
	      "      oversized[=CMD]    announce a 600 KiB frame instead of the reply\n"
	      "                         (first event for streamed commands)\n"
	      "      malformed[=CMD]    unbalanced section in the reply (first event of a stream)\n"
	      "      hostile            escape sequences, C1 controls, invalid UTF-8 and very\n"
	      "                         long strings in names, identities and log messages\n"
	      "      stuck[=K]          K IKE SAs (default 1) are checked out forever:\n"
	      "                         list-sas without noblock never completes\n"
	      "  --verbose          diagnostics about connections on stderr\n"
	      "  --help             this text\n",
	      f);
}

static int parse_uint(const char *s, unsigned *v)
{
	char *end;
	unsigned long x;

	errno = 0;
	x = strtoul(s, &end, 10);
	if (errno || end == s || *end || x > 100000000ul)
		return -EINVAL;
	*v = (unsigned)x;
	return 0;
}

static int parse_rate(const char *s, double *v)
{
	char *end;

	errno = 0;
	*v = strtod(s, &end);
	return errno || end == s || *end || *v < 0 || *v > 1e7 ? -EINVAL : 0;
}

/* Parses "name[=arg],..." in place (the faults borrow pieces of it). */
static int parse_faults(char *list, struct sim_faults *f, struct sim_model_opts *mo)
{
	char *save = NULL;

	for (char *t = strtok_r(list, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
		char *arg = strchr(t, '=');

		if (arg)
			*arg++ = '\0';
		if (strcmp(t, "hang") == 0 && arg && strncmp(arg, "register", 8) == 0 &&
		    (arg[8] == '\0' || arg[8] == ':')) {
			f->hang_register = true;
			f->hang_register_event = arg[8] ? arg + 9 : NULL;
			if (f->hang_register_event && !*f->hang_register_event)
				return -EINVAL;
		} else if (strcmp(t, "hang") == 0) {
			if (arg)
				f->hang_cmd = arg;
			else
				f->hang_all = true;
		} else if (strcmp(t, "close-after") == 0) {
			if (!arg || parse_uint(arg, &f->close_after) || !f->close_after)
				return -EINVAL;
		} else if (strcmp(t, "oversized") == 0) {
			f->oversized = true;
			f->oversized_cmd = arg;
		} else if (strcmp(t, "malformed") == 0) {
			f->malformed = true;
			f->malformed_cmd = arg;
		} else if (strcmp(t, "hostile") == 0 && !arg) {
			mo->hostile = true;
		} else if (strcmp(t, "stuck") == 0) {
			mo->stuck = 1;
			if (arg && parse_uint(arg, &mo->stuck))
				return -EINVAL;
		} else {
			return -EINVAL;
		}
	}
	return 0;
}

enum {
	OPT_SOCKET = 256,
	OPT_TCP,
	OPT_IKE,
	OPT_CHILDREN,
	OPT_CONNS,
	OPT_CONNECTING,
	OPT_CHURN,
	OPT_LOG_RATE,
	OPT_DELAY,
	OPT_SA_COST,
	OPT_NO_CACHE,
	OPT_SEED,
	OPT_STEADY_SINCE,
	OPT_FAULT,
	OPT_VERBOSE,
	OPT_HELP,
};

static const struct option long_opts[] = {
        {"socket", required_argument, NULL, OPT_SOCKET},
        {"tcp", required_argument, NULL, OPT_TCP},
        {"ike", required_argument, NULL, OPT_IKE},
        {"children", required_argument, NULL, OPT_CHILDREN},
        {"conns", required_argument, NULL, OPT_CONNS},
        {"connecting", required_argument, NULL, OPT_CONNECTING},
        {"churn", required_argument, NULL, OPT_CHURN},
        {"log-rate", required_argument, NULL, OPT_LOG_RATE},
        {"delay", required_argument, NULL, OPT_DELAY},
        {"sa-cost", required_argument, NULL, OPT_SA_COST},
        {"no-cache", no_argument, NULL, OPT_NO_CACHE},
        {"seed", required_argument, NULL, OPT_SEED},
        {"steady-since", no_argument, NULL, OPT_STEADY_SINCE},
        {"fault", required_argument, NULL, OPT_FAULT},
        {"verbose", no_argument, NULL, OPT_VERBOSE},
        {"help", no_argument, NULL, OPT_HELP},
        {NULL, 0, NULL, 0},
};

struct args {
	struct sim_model_opts mo;
	struct sim_server_opts so;
	const char *sock, *tcp;
};

/* Fills a from the command line. Returns 0, 1 after --help, or 2 for a usage
 * error (already reported). */
static int parse_args(int argc, char **argv, struct args *a)
{
	struct sim_model_opts mo = {.ike = 10, .children = 2, .seed = 1};
	struct sim_server_opts so = {0};
	const char *sock = NULL, *tcp = NULL;
	bool conns_set = false;
	char *faults = NULL;
	unsigned seed;
	int opt, err = 0;

	while ((opt = getopt_long(argc, argv, "h", long_opts, NULL)) != -1) {
		switch (opt) {
		case OPT_SOCKET:
			sock = optarg;
			break;
		case OPT_TCP:
			tcp = optarg;
			break;
		case OPT_IKE:
			err = parse_uint(optarg, &mo.ike);
			break;
		case OPT_CHILDREN:
			err = parse_uint(optarg, &mo.children);
			if (!err && mo.children > 64)
				err = -EINVAL;
			break;
		case OPT_CONNS:
			err = parse_uint(optarg, &mo.conns);
			conns_set = true;
			if (!err && mo.conns == 0)
				err = -EINVAL;
			break;
		case OPT_CONNECTING:
			err = parse_uint(optarg, &mo.connecting);
			break;
		case OPT_CHURN:
			err = parse_rate(optarg, &so.churn);
			break;
		case OPT_LOG_RATE:
			err = parse_rate(optarg, &so.log_rate);
			break;
		case OPT_DELAY:
			err = parse_uint(optarg, &so.delay_ms);
			break;
		case OPT_SA_COST:
			err = parse_uint(optarg, &so.sa_cost_us);
			break;
		case OPT_NO_CACHE:
			mo.no_cache = true;
			break;
		case OPT_SEED:
			err = parse_uint(optarg, &seed);
			mo.seed = seed;
			break;
		case OPT_STEADY_SINCE:
			mo.steady_since = true;
			break;
		case OPT_FAULT:
			faults = optarg;
			err = parse_faults(faults, &so.f, &mo);
			break;
		case OPT_VERBOSE:
			so.verbose = true;
			break;
		case 'h':
		case OPT_HELP:
			usage(stdout);
			return 1;
		default:
			usage(stderr);
			return 2;
		}
		if (err) {
			fprintf(stderr, "vicisim: invalid value for --%s (see --help)\n",
			        long_opts[opt - OPT_SOCKET].name);
			return 2;
		}
	}
	if (optind < argc || !sock == !tcp) {
		fprintf(stderr, "vicisim: need exactly one of --socket or --tcp, and no other "
		                "arguments (see --help)\n");
		return 2;
	}
	if (!conns_set)
		mo.conns = mo.ike < 10 ? (mo.ike ? mo.ike : 1) : 10;
	*a = (struct args){.mo = mo, .so = so, .sock = sock, .tcp = tcp};
	return 0;
}

int main(int argc, char **argv)
{
	struct sigaction sa = {.sa_handler = on_signal};
	struct sim_server *s;
	struct sim_model m;
	struct args a;
	char uri[300];
	int err;

	err = parse_args(argc, argv, &a);
	if (err)
		return err == 1 ? 0 : err;

	if (pipe(stop_pipe) < 0) {
		perror("vicisim: pipe");
		return 1;
	}
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);

	sim_model_init(&m, &a.mo);
	s = sim_server_new(&m, &a.so);
	if (a.sock)
		err = sim_server_listen_unix(s, a.sock, uri, sizeof(uri));
	else
		err = sim_server_listen_tcp(s, a.tcp, uri, sizeof(uri));
	if (err) {
		fprintf(stderr, "vicisim: cannot listen on %s: %s\n", a.sock ? a.sock : a.tcp,
		        strerror(-err));
		sim_server_free(s);
		sim_model_free(&m);
		return 1;
	}
	printf("ready %s\n", uri);
	fflush(stdout);
	err = sim_server_run(s, stop_pipe[0]);
	if (err)
		fprintf(stderr, "vicisim: %s\n", strerror(-err));
	sim_server_free(s);
	sim_model_free(&m);
	close(stop_pipe[0]);
	close(stop_pipe[1]);
	return err ? 1 : 0;
}

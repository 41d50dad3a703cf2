/*
 * The monitor's command-line options (see monitor.h): parsed into struct
 * monitor_options with every error worded for the operator, and the usage
 * text.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app/monitor.h"
#include "app/refresh.h"
#include "util/sanitize.h"
#include "vici/vici.h"

const char monitor_usage_text[] =
        "usage: swantop [--uri URI] [--interval SECONDS] [--budget MS] [--theme NAME]\n"
        "               [--readonly] [--db PATH]\n"
        "       swantop call COMMAND [KEY=VALUE...] | swantop listen EVENT...\n"
        "\n"
        "  --uri URI           charon's VICI socket (default unix:///var/run/charon.vici)\n"
        "  --interval SECONDS  counters of the selected SA, 0.1-3600 (default 1.5)\n"
        "  --budget MS         charon CPU the polling may use, ms per second, 0-1000\n"
        "                      (default 5, i.e. 0.5% of one core)\n"
        "  --theme NAME        colour theme (default, mono, or a themes/NAME.theme file)\n"
        "  --readonly          refuse every action (initiate, terminate, rekey, ...)\n"
        "  --db PATH           the history store (read-only; default: the recorder's\n"
        "                      store, when there is one)\n"
        "\n"
        "Keys: ? for help, q to quit.\n";

int monitor_parse_args(int argc, char **argv, struct monitor_options *o, char *err, size_t errsize)
{
	static const struct option opts[] = {
	        {"uri", required_argument, NULL, 'u'},
	        {"interval", required_argument, NULL, 'i'},
	        {"budget", required_argument, NULL, 'b'},
	        {"theme", required_argument, NULL, 't'},
	        {"readonly", no_argument, NULL, 'r'},
	        {"read-only", no_argument, NULL, 'r'},
	        {"db", required_argument, NULL, 'd'},
	        {"help", no_argument, NULL, 'h'},
	        {NULL, 0, NULL, 0},
	};
	memset(o, 0, sizeof(*o));
	o->interval_ms = 1500;
	o->budget = REFRESH_BUDGET_DEFAULT;
	err[0] = '\0';
	optind = 0; /* full reset (GNU): the parser may run more than once */
	opterr = 0;
	int c;
	while ((c = getopt_long(argc, argv, ":u:i:b:t:rh", opts, NULL)) != -1) {
		switch (c) {
		case 'u':
			o->uri = optarg;
			break;
		case 'i': {
			char *end;
			errno = 0;
			double s = strtod(optarg, &end);
			if (errno || end == optarg || *end || !(s >= 0.1 && s <= 3600)) {
				char *safe = sanitize_strdup(optarg, 0);
				snprintf(err, errsize,
				         "--interval: '%s' is not a number of seconds between 0.1 "
				         "and 3600",
				         safe);
				free(safe);
				return -EINVAL;
			}
			o->interval_ms = (int)(s * 1000 + 0.5);
			break;
		}
		case 'b': {
			char *end;
			errno = 0;
			double ms = strtod(optarg, &end);
			if (errno || end == optarg || *end || !(ms >= 0 && ms <= 1000)) {
				char *safe = sanitize_strdup(optarg, 0);
				snprintf(
				        err, errsize,
				        "--budget: '%s' is not a number of milliseconds (of charon "
				        "CPU per second) between 0 and 1000",
				        safe);
				free(safe);
				return -EINVAL;
			}
			o->budget = ms;
			break;
		}
		case 't':
			o->theme = optarg;
			break;
		case 'r':
			o->readonly = true;
			break;
		case 'd':
			if (!*optarg) {
				snprintf(err, errsize, "--db: the path is empty");
				return -EINVAL;
			}
			o->db = optarg;
			break;
		case 'h':
			o->help = true;
			break;
		case ':':
			snprintf(err, errsize, "option %s needs a value", argv[optind - 1]);
			return -EINVAL;
		default: {
			char *safe = sanitize_strdup(argv[optind - 1], 0);
			snprintf(err, errsize, "unknown option '%s'", safe);
			free(safe);
			return -EINVAL;
		}
		}
	}
	if (optind < argc) {
		char *safe = sanitize_strdup(argv[optind], 0);
		snprintf(err, errsize, "unexpected argument '%s' (modes are 'call' and 'listen')",
		         safe);
		free(safe);
		return -EINVAL;
	}
	if (o->uri) {
		struct vici_uri u;
		if (vici_uri_parse(o->uri, &u) < 0) {
			char *safe = sanitize_strdup(o->uri, 0);
			snprintf(err, errsize,
			         "--uri: '%s' is not a VICI URI (unix:///path or tcp://host:port)",
			         safe);
			free(safe);
			return -EINVAL;
		}
	}
	return 0;
}

/*
 * swantop's entry point: picks the mode from the first argument. `call`,
 * `listen`, `history`, `why` and `record` are the non-interactive modes
 * (call.c, listen.c, history.c, why.c, record.c); anything else, including
 * no argument at all, belongs to the interactive monitor, which parses its own options
 * (--uri, --interval, --theme, --readonly).
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "main/cli.h"
#include "app/batch.h"
#include "app/monitor.h"

/* The modes, by first argument. The monitor takes everything else. */
static const struct {
	const char *name;
	int (*main)(int argc, char **argv);
} modes[] = {
        {"call", cli_call_main},
        {"listen", cli_listen_main},
        {"history", cli_history_main},
        {"why", cli_why_main},
        {"record", cli_record_main},
        {"__complete", cli_complete_main},
};

int main(int argc, char **argv)
{
	const char *first = argc > 1 ? argv[1] : "";

	if (!strcmp(first, "--help") || !strcmp(first, "-h")) {
		cli_usage(stdout);
		return CLI_EXIT_OK;
	}
	if (!strcmp(first, "--version") || !strcmp(first, "-V")) {
		printf("swantop %s\n", SWANTOP_VERSION);
		return CLI_EXIT_OK;
	}
	/* -b: batch mode, like top -b (app/batch.h) */
	if (batch_wanted(argc, argv))
		return batch_main(argc, argv);
	for (size_t i = 0; i < sizeof(modes) / sizeof(modes[0]); i++)
		if (!strcmp(first, modes[i].name))
			return modes[i].main(argc - 1, argv + 1);
	return monitor_main(argc, argv);
}

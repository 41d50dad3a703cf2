/*
 * `swantop record [--uri URI] [--db PATH] [--budget MS] [--interval S]
 * [--max-size MIB]`: the history recorder (app/record.h) as a mode: the
 * arguments, the store's default path and the exit codes.
 */
#include "main/cli.h"

#include <stdlib.h>
#include <unistd.h>

#include "app/insight.h"
#include "app/record.h"
#include "model/store.h"

int cli_record_main(int argc, char **argv)
{
	struct cli_record_args a;
	char err[400];
	if (cli_record_parse(argc, argv, &a, err, sizeof(err))) {
		cli_warn("%s", err);
		fprintf(stderr, "Try 'swantop record --help'.\n");
		return CLI_EXIT_USAGE;
	}
	if (a.help) {
		cli_usage(stdout);
		return CLI_EXIT_OK;
	}
	char path[4096];
	if (!a.db) {
		if (insight_store_path(path, sizeof(path))) {
			cli_warn("record: no default history store path (HOME is not set): use "
			         "--db PATH");
			return CLI_EXIT_USAGE;
		}
		a.db = path;
	}
	struct record_config c = {.uri = a.uri,
	                          .db = a.db,
	                          .budget = a.budget,
	                          .interval_ms = a.interval_ms,
	                          .max_bytes = a.max_bytes};
	return record_run(&c) == RECORD_EXIT_OK ? CLI_EXIT_OK : CLI_EXIT_FAILED;
}

/*
 * `swantop __complete WHAT [--uri URI]`: the candidates the shell
 * completions (contrib/completion) offer, one per line: the VICI commands
 * `call` knows (commands), the events `listen` knows (events), the themes
 * (themes), and the names of the loaded connections and their children from
 * a live list-conns (conns; nothing, quietly, when the socket cannot be
 * read within a second). Not meant for people: it never fails loudly.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "main/cli.h"
#include "ui/theme.h"
#include "vici/vici.h"

/* Only what a shell can offer as a word: printable, no blanks or quotes
 * (a name charon accepted but that would need quoting is left out rather
 * than written to the terminal raw). */
static bool plain(const uint8_t *s, size_t len)
{
	if (!len)
		return false;
	for (size_t i = 0; i < len; i++)
		if (s[i] <= ' ' || s[i] == 0x7f || strchr("'\"\\$`", s[i]) || s[i] >= 0x80)
			return false;
	return true;
}

/* Section names at depth 1 (connections) and 3 (their children) of a
 * list-conn event. */
static void conn_names(void *ctx, int err, const struct vici_msg *m)
{
	(void)ctx;
	if (err < 0 || m->final)
		return;
	struct vici_parser p;
	struct vici_element e;
	int depth = 0;
	bool children = false;
	vici_parser_init(&p, m->data, m->len);
	while (vici_parser_next(&p, &e) > 0) {
		if (e.type == VICI_SECTION_START) {
			depth++;
			if ((depth == 1 || (depth == 3 && children)) &&
			    plain((const uint8_t *)e.name, e.name_len))
				printf("%.*s\n", (int)e.name_len, (const char *)e.name);
			if (depth == 2)
				children = e.name_len == 8 && !memcmp(e.name, "children", 8);
		} else if (e.type == VICI_SECTION_END) {
			depth--;
		}
	}
}

static int conns(const char *uri)
{
	struct vici_session_config c = {0};
	c.uri = uri;
	c.no_reconnect = true;
	c.request_timeout_ms = 1000;
	c.connect_timeout_ms = 1000;
	struct vici_session *s = vici_session_new(&c);
	vici_session_call_sync(s, "list-conns", NULL, 0, NULL, conn_names, NULL);
	vici_session_free(s);
	return 0;
}

int cli_complete_main(int argc, char **argv)
{
	const char *what = argc > 1 ? argv[1] : "";
	const char *uri = NULL;
	for (int i = 2; i + 1 < argc; i++)
		if (!strcmp(argv[i], "--uri") || !strcmp(argv[i], "-u"))
			uri = argv[i + 1];
	size_t n;
	if (!strcmp(what, "commands")) {
		const struct vici_command_info *c = vici_commands(&n);
		for (size_t i = 0; i < n; i++)
			printf("%s\n", c[i].name);
	} else if (!strcmp(what, "events")) {
		const struct vici_event_info *e = vici_events(&n);
		for (size_t i = 0; i < n; i++)
			printf("%s\n", e[i].name);
	} else if (!strcmp(what, "themes")) {
		char **t = theme_list(&n);
		for (size_t i = 0; i < n; i++)
			printf("%s\n", t[i]);
		theme_strv_free(t);
	} else if (!strcmp(what, "conns")) {
		return conns(uri);
	}
	return 0;
}

/*
 * libFuzzer target for the command line (src/ui/cmdline.c) and the line
 * editor (src/ui/lineedit.c):
 *  - the input as a command line: cmdline_parse() either gives a command
 *    whose arguments fit the command's table row, or a one-line printable
 *    error; completion at any cursor position keeps its word inside the line;
 *  - the input as key presses fed to the line editor: the text stays valid,
 *    printable UTF-8 and the view stays inside the width.
 * Crashes, sanitizer reports and aborts are the findings.
 */
#define _XOPEN_SOURCE 700
#include <errno.h>
#include <locale.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "ui/cmdline.h"
#include "ui/lineedit.h"
#include "util/sanitize.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The harness's own code is not what is being fuzzed: its checks would
 * count as features (and cost libFuzzer a lookup each, every run). */
#pragma clang attribute push(__attribute__((no_sanitize("coverage"))), apply_to = function)

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	setlocale(LC_ALL, "C.UTF-8");
	return 0;
}

static void check_printable(const char *s)
{
	for (; *s; s++)
		if ((uint8_t)*s < 0x20 || *s == 0x7f)
			abort();
}

static void candidates(void *ctx, enum cmdline_arg_kind kind, struct cmdline_completion *c)
{
	static const char *const names[] = {"gw", "gw-moon", "net net", "it's", "\xc3\xa9t\xc3\xa9",
	                                    "#1", "#c2",     "bad\x1b", "x\xff"};
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		cmdline_completion_add(c, names[i]);
}

static void check_parse(const char *line, size_t len)
{
	struct cmdline_result r;
	char err[256];
	int rc = cmdline_parse(line, &r, err, sizeof(err));
	if (rc == 0) {
		if (r.cmd != CMDLINE_NONE) {
			if (!r.def || r.def->cmd != r.cmd || r.argc > r.def->max_args)
				abort();
			if (r.argc < r.def->min_args)
				abort();
			for (size_t i = 0; i < r.argc; i++)
				if (!r.argv[i].text || r.argv[i].kind != r.def->arg[i])
					abort();
		}
	} else {
		if (rc != -EINVAL || err[0] == '\0' || r.argc != 0)
			abort();
		check_printable(err);
	}
	cmdline_result_free(&r);

	struct cmdline_completion c;
	size_t cursor = len ? (uint8_t)line[0] % (len + 1) : 0;
	cmdline_complete(line, cursor, candidates, NULL, &c);
	if (c.start > c.end || c.end > len)
		abort();
	for (size_t i = 0; i < c.count; i++)
		check_printable(c.items[i]);
	char *t = cmdline_completion_text(&c);
	if (t)
		check_printable(t);
	free(t);
	cmdline_completion_free(&c);
}

static void check_editor(const uint8_t *data, size_t size)
{
	struct lineedit *le = lineedit_new(4);
	lineedit_history_add(le, "initiate gw");
	lineedit_history_add(le, "quit");
	for (size_t i = 0; i < size; i++) {
		uint8_t b = data[i];
		if (b >= 0xf0 && i + 1 < size) {
			/* a key from the enum */
			lineedit_key(le, (enum lineedit_key)(data[++i] % (LINEEDIT_KEY_TAB + 1)),
			             0);
		} else if (b >= 0xe0 && i + 2 < size) {
			/* a code point anywhere in Unicode and beyond */
			uint32_t cp = ((uint32_t)(b & 0x0f) << 16) | ((uint32_t)data[i + 1] << 8) |
			              data[i + 2];
			i += 2;
			lineedit_key(le, LINEEDIT_KEY_CHAR, cp);
		} else {
			lineedit_key(le, LINEEDIT_KEY_CHAR, b);
		}
		if (i % 7 == 0) {
			const char *text = lineedit_text(le);
			size_t n = strlen(text);
			/* only safe characters get in: the text sanitised is
			 * the text (LINEEDIT_MAX characters of UTF-8 fit) */
			static char s[4 * LINEEDIT_MAX + 1];
			if (n >= sizeof(s) || sanitize_buf(s, sizeof(s), text, n, 0) != n ||
			    memcmp(s, text, n) != 0)
				abort();
			if (lineedit_cursor_byte(le) > n)
				abort();
			struct lineedit_view v;
			size_t width = 1 + b % 20;
			lineedit_view(le, width, &v);
			if (v.cols > width || v.cursor_col >= width || v.text < text ||
			    v.text + v.len > text + n)
				abort();
		}
		if (b == 0x0d)
			lineedit_history_add(le, lineedit_text(le));
	}
	lineedit_free(le);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *line = malloc(size + 1);
	memcpy(line, data, size);
	line[size] = '\0';
	check_parse(line, strlen(line));
	free(line);
	check_editor(data, size);
	return 0;
}
#pragma clang attribute pop

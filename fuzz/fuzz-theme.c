/*
 * libFuzzer target for the theme parser (src/ui/theme.c) and the sanitiser
 * it uses for its messages (src/util/sanitize.c):
 *  - theme_parse() either accepts the input, leaving every role with colours
 *    in -1..255 and known attribute bits, or refuses it with a one-line,
 *    printable message that names the theme and the line;
 *  - the input as a hostile string: sanitize_dup() output holds no control
 *    byte and is valid as sanitiser input again with the same result, and
 *    sanitize_fit() stays within its width and buffer.
 * Crashes, sanitizer reports and aborts are the findings.
 */
#define _XOPEN_SOURCE 700
#include <errno.h>
#include <locale.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "util/sanitize.h"
#include "ui/theme.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

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

static void check_theme(const uint8_t *data, size_t size)
{
	struct theme t;
	char err[256];
	int r = theme_parse(&t, "fuzz", (const char *)data, size, err, sizeof(err));
	if (r == 0) {
		const unsigned all = THEME_ATTR_BOLD | THEME_ATTR_UNDERLINE | THEME_ATTR_REVERSE |
		                     THEME_ATTR_DIM | THEME_ATTR_ITALIC;
		for (int i = 0; i < THEME_ROLE_COUNT; i++) {
			const struct theme_style *st = &t.style[i];
			if (st->fg < -1 || st->fg > 255 || st->bg < -1 || st->bg > 255 ||
			    (st->attrs & ~all))
				abort();
		}
		return;
	}
	if (r != -EINVAL || strncmp(err, "theme fuzz: line ", 17) != 0)
		abort();
	check_printable(err);
}

static void check_sanitize(const uint8_t *data, size_t size)
{
	unsigned flags = size > 0 && (data[0] & 1) ? SANITIZE_ASCII : 0;
	char *s = sanitize_dup(data, size, flags);
	check_printable(s);
	char *again = sanitize_strdup(s, flags);
	if (strcmp(s, again) != 0)
		abort();
	if (sanitize_width(data, size, flags) != sanitize_width(s, strlen(s), flags))
		abort();
	free(again);
	free(s);

	size_t width = size > 1 ? data[1] % 64 : 10;
	char buf[SANITIZE_FIT_BUFSIZE(64)];
	size_t cols = sanitize_fit(buf, sizeof(buf), data, size, width, flags | SANITIZE_PAD);
	if (cols != width || strlen(buf) >= sizeof(buf))
		abort();
	check_printable(buf);
	if (sanitize_width(buf, strlen(buf), flags) != width)
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	check_theme(data, size);
	check_sanitize(data, size);
	return 0;
}

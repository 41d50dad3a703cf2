/*
 * Tests for src/ui/theme: the parser (valid files, every error with its line
 * number), lookup order through XDG_CONFIG_HOME / HOME and the source tree,
 * NO_COLOR, glyphs, and that every shipped theme file parses.
 */
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <locale.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include <curses.h>

#include "util/sanitize.h"
#include "ui/theme.h"
#include "ui/theme_curses.h"

static char tmpdir[512];

static const char *source_dir(void)
{
	const char *s = getenv("SWANTOP_SOURCE_DIR");
	return s ? s : ".";
}

static void write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	assert_int_equal(fclose(f), 0);
}

static void mkdirs(const char *path)
{
	char buf[PATH_MAX];
	snprintf(buf, sizeof(buf), "%s", path);
	for (char *p = buf + 1; *p; p++) {
		if (*p == '/') {
			*p = '\0';
			mkdir(buf, 0700);
			*p = '/';
		}
	}
	mkdir(buf, 0700);
}

static int parse(struct theme *t, const char *text, char *err, size_t errsize)
{
	return theme_parse(t, "t", text, strlen(text), err, errsize);
}

static void test_roles(void **state)
{
	for (int i = 0; i < THEME_ROLE_COUNT; i++) {
		const char *n = theme_role_name(i);
		assert_non_null(n);
		assert_int_equal(theme_role_from_name(n), i);
		for (int j = 0; j < i; j++)
			assert_string_not_equal(theme_role_name(j), n);
	}
	assert_null(theme_role_name(THEME_ROLE_COUNT));
	assert_int_equal(theme_role_from_name("nope"), -1);
	assert_int_equal(theme_role_from_name("state-up"), THEME_STATE_UP);
}

static void test_parse_valid(void **state)
{
	struct theme t;
	char err[256];
	const char *text = "# comment\n"
	                   "  \t\n"
	                   "state-up = bright-green default bold underline # trailing\n"
	                   "state-down=red 17\n"
	                   "selected = 255 0 reverse italic dim\n"
	                   "title = default default none\n"
	                   "border = brightblue\n"
	                   "dim = grey\n"
	                   "header = bold\r\n"
	                   "rekeying = cyan";
	assert_int_equal(parse(&t, text, err, sizeof(err)), 0);
	assert_string_equal(err, "");
	assert_string_equal(t.name, "t");
	assert_int_equal(t.style[THEME_STATE_UP].fg, 10);
	assert_int_equal(t.style[THEME_STATE_UP].bg, THEME_COLOR_DEFAULT);
	assert_int_equal(t.style[THEME_STATE_UP].attrs, THEME_ATTR_BOLD | THEME_ATTR_UNDERLINE);
	assert_int_equal(t.style[THEME_STATE_DOWN].fg, 1);
	assert_int_equal(t.style[THEME_STATE_DOWN].bg, 17);
	assert_int_equal(t.style[THEME_STATE_DOWN].attrs, 0);
	assert_int_equal(t.style[THEME_SELECTED].fg, 255);
	assert_int_equal(t.style[THEME_SELECTED].bg, 0);
	assert_int_equal(t.style[THEME_SELECTED].attrs,
	                 THEME_ATTR_REVERSE | THEME_ATTR_ITALIC | THEME_ATTR_DIM);
	assert_int_equal(t.style[THEME_TITLE].fg, THEME_COLOR_DEFAULT);
	assert_int_equal(t.style[THEME_TITLE].attrs, 0);
	assert_int_equal(t.style[THEME_BORDER].fg, 12);
	assert_int_equal(t.style[THEME_DIM].fg, 8);
	assert_int_equal(t.style[THEME_HEADER].fg, THEME_COLOR_DEFAULT);
	assert_int_equal(t.style[THEME_HEADER].attrs, THEME_ATTR_BOLD);
	assert_int_equal(t.style[THEME_REKEYING].fg, 6);
	/* unset roles keep the built-in default */
	struct theme def;
	theme_init_default(&def);
	assert_memory_equal(&t.style[THEME_ERROR], &def.style[THEME_ERROR], sizeof(def.style[0]));
	assert_false(t.mono);
	/* empty text: the default theme */
	assert_int_equal(parse(&t, "", err, sizeof(err)), 0);
	assert_memory_equal(t.style, def.style, sizeof(def.style));
}

/* A broken text leaves t untouched and gives the exact message. */
static void expect_error(const char *text, const char *want)
{
	struct theme t, before;
	char err[256];
	memset(&t, 0x5a, sizeof(t));
	before = t;
	assert_int_equal(theme_parse(&t, "dark", text, strlen(text), err, sizeof(err)), -EINVAL);
	assert_string_equal(err, want);
	assert_memory_equal(&t, &before, sizeof(t));
	for (const char *p = err; *p; p++)
		assert_true((unsigned char)*p >= 0x20 && *p != 0x7f);
}

static void test_parse_errors(void **state)
{
	expect_error("title = cyan\n\nstat-up = green\n",
	             "theme dark: line 3: unknown role 'stat-up' (did you mean 'state-up'?)");
	expect_error("frobnicate = green", "theme dark: line 1: unknown role 'frobnicate'");
	expect_error(
	        "state-up = grene",
	        "theme dark: line 1: unknown colour or attribute 'grene' (did you mean 'green'?)");
	expect_error("x\n\nstate-up = green", "theme dark: line 1: expected 'role = colours and "
	                                      "attributes', got 'x'");
	expect_error("state-up = 256", "theme dark: line 1: bad colour number '256' (0-255)");
	expect_error("state-up = 99999999999999999999",
	             "theme dark: line 1: bad colour number '99999999999999999999' (0-255)");
	expect_error("state-up = 1x", "theme dark: line 1: bad colour number '1x' (0-255)");
	expect_error("state-up = red green blue",
	             "theme dark: line 1: 'state-up': too many colours (a foreground and a "
	             "background at most)");
	expect_error("state-up =   ",
	             "theme dark: line 1: 'state-up': missing colours or attributes");
	expect_error("= red", "theme dark: line 1: missing role name before '='");
	expect_error("a = b\n", "theme dark: line 1: unknown role 'a'");
	expect_error("title = red\ntitle = blue\n",
	             "theme dark: line 2: role 'title' already set on line 1");
	expect_error("\x1b[2J = red", "theme dark: line 1: unknown role '\\x1b[2J'");
	char big[2000];
	memset(big, ' ', sizeof(big));
	memcpy(big, "title", 5);
	big[sizeof(big) - 1] = '\0';
	expect_error(big, "theme dark: line 1: line longer than 1024 bytes");
	/* a NUL byte inside the text */
	struct theme t;
	char err[128];
	assert_int_equal(theme_parse(&t, "dark", "title = red\0x", 13, err, sizeof(err)), -EINVAL);
	assert_string_equal(err, "theme dark: line 1: NUL byte in line");
	/* err may be NULL */
	assert_int_equal(theme_parse(&t, "dark", "x", 1, NULL, 0), -EINVAL);
}

/* The broken fixtures: each error with its line number. */
static void test_broken_files(void **state)
{
	static const struct {
		const char *file;
		const char *want;
	} cases[] = {
	        {"unknown-role", "line 4: unknown role 'stat-up' (did you mean 'state-up'?)"},
	        {"unknown-color", "line 2: unknown colour or attribute 'grene'"},
	        {"too-many-colors", "line 1: 'state-up': too many colours"},
	        {"bad-number", "line 4: bad colour number '256' (0-255)"},
	        {"missing-equals", "line 2: expected 'role = colours and attributes'"},
	        {"duplicate", "line 4: role 'state-up' already set on line 2"},
	        {"missing-value", "line 2: 'state-up': missing colours or attributes"},
	        {"escape-in-role", "line 2: unknown role '\\x1b[31m'"},
	        {"nul-byte", "line 2: NUL byte in line"},
	        {"missing-role", "line 2: missing role name before '='"},
	        {"bad-attribute", "line 1: unknown colour or attribute 'blink'"},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char path[PATH_MAX], err[512], prefix[64];
		struct theme t;
		snprintf(path, sizeof(path), "%s/tests/data/themes/%s.theme", source_dir(),
		         cases[i].file);
		int r = theme_load_file(&t, cases[i].file, path, err, sizeof(err));
		assert_int_equal(r, -EINVAL);
		snprintf(prefix, sizeof(prefix), "theme %s: ", cases[i].file);
		assert_memory_equal(err, prefix, strlen(prefix));
		if (!strstr(err, cases[i].want))
			fail_msg("%s: got \"%s\", want \"%s\"", cases[i].file, err, cases[i].want);
		/* and the file is named */
		assert_non_null(strstr(err, path));
	}
}

static void test_file_errors(void **state)
{
	struct theme t;
	char err[512], path[PATH_MAX];

	assert_int_equal(theme_load_file(&t, "x", "/nonexistent/x.theme", err, sizeof(err)),
	                 -ENOENT);
	assert_non_null(strstr(err, "/nonexistent/x.theme"));
	assert_int_equal(theme_load_file(&t, "x", tmpdir, err, sizeof(err)), -EISDIR);
	/* too big */
	snprintf(path, sizeof(path), "%s/big.theme", tmpdir);
	FILE *f = fopen(path, "w");
	assert_non_null(f);
	for (int i = 0; i < 70000; i++)
		fputc(i % 80 == 79 ? '\n' : '#', f);
	fclose(f);
	assert_int_equal(theme_load_file(&t, "big", path, err, sizeof(err)), -EFBIG);
	assert_non_null(strstr(err, "larger than 64 KiB"));
	unlink(path);
}

static void test_builtin_match_files(void **state)
{
	struct theme t, b;
	char path[PATH_MAX], err[512];

	snprintf(path, sizeof(path), "%s/themes/default.theme", source_dir());
	assert_int_equal(theme_load_file(&t, "default", path, err, sizeof(err)), 0);
	theme_init_default(&b);
	for (int i = 0; i < THEME_ROLE_COUNT; i++) {
		if (memcmp(&t.style[i], &b.style[i], sizeof(b.style[i])) != 0)
			fail_msg("default.theme and the built-in theme differ in '%s'",
			         theme_role_name(i));
	}
	assert_false(t.mono);
	snprintf(path, sizeof(path), "%s/themes/mono.theme", source_dir());
	assert_int_equal(theme_load_file(&t, "mono", path, err, sizeof(err)), 0);
	theme_init_mono(&b);
	for (int i = 0; i < THEME_ROLE_COUNT; i++) {
		if (memcmp(&t.style[i], &b.style[i], sizeof(b.style[i])) != 0)
			fail_msg("mono.theme and the built-in theme differ in '%s'",
			         theme_role_name(i));
	}
	assert_true(t.mono);
	assert_true(b.mono);
}

/* Every shipped theme parses, sets every role itself, and the ones that
 * must be distinguishable are. */
static void test_shipped_themes(void **state)
{
	char dirpath[PATH_MAX];
	snprintf(dirpath, sizeof(dirpath), "%s/themes", source_dir());
	DIR *d = opendir(dirpath);
	assert_non_null(d);
	struct dirent *e;
	int count = 0;
	while ((e = readdir(d))) {
		size_t n = strlen(e->d_name);
		if (n < 7 || strcmp(e->d_name + n - 6, ".theme") != 0)
			continue;
		char path[PATH_MAX + 256], err[512], name[256];
		snprintf(path, sizeof(path), "%s/%s", dirpath, e->d_name);
		snprintf(name, sizeof(name), "%.*s", (int)(n - 6), e->d_name);
		struct theme t;
		if (theme_load_file(&t, name, path, err, sizeof(err)) != 0)
			fail_msg("%s", err);
		assert_true(theme_name_valid(name));
		/* every role named in the file (so that a theme does not rely on
		 * the dark default for a light background) */
		FILE *f = fopen(path, "r");
		assert_non_null(f);
		char text[65536];
		size_t len = fread(text, 1, sizeof(text) - 1, f);
		fclose(f);
		text[len] = '\0';
		for (int i = 0; i < THEME_ROLE_COUNT; i++) {
			char pat[64];
			snprintf(pat, sizeof(pat), "\n%s ", theme_role_name(i));
			if (!strstr(text, pat))
				fail_msg("%s does not set '%s'", e->d_name, theme_role_name(i));
		}
		/* the selection must be visible */
		assert_true(memcmp(&t.style[THEME_SELECTED], &t.style[THEME_DEFAULT],
		                   sizeof(t.style[0])) != 0);
		count++;
	}
	closedir(d);
	assert_true(count >= 4);
}

static void test_colorblind(void **state)
{
	char path[PATH_MAX], err[512];
	struct theme t;
	snprintf(path, sizeof(path), "%s/themes/colorblind.theme", source_dir());
	assert_int_equal(theme_load_file(&t, "colorblind", path, err, sizeof(err)), 0);
	/* no red or green for up/down */
	static const int redgreen[] = {1, 2, 9, 10, 22, 28, 34, 40, 46, 88, 124, 160, 196};
	static const enum theme_role roles[] = {THEME_STATE_UP,   THEME_STATE_DOWN, THEME_EVENT_UP,
	                                        THEME_EVENT_DOWN, THEME_STATUS_OK,  THEME_ERROR};
	for (size_t r = 0; r < sizeof(roles) / sizeof(roles[0]); r++)
		for (size_t k = 0; k < sizeof(redgreen) / sizeof(redgreen[0]); k++)
			assert_int_not_equal(t.style[roles[r]].fg, redgreen[k]);
	assert_int_not_equal(t.style[THEME_STATE_UP].fg, t.style[THEME_STATE_DOWN].fg);
}

static void setenv_path(const char *var, const char *sub)
{
	char p[PATH_MAX];
	snprintf(p, sizeof(p), "%s/%s", tmpdir, sub);
	setenv(var, p, 1);
}

static void test_lookup_order(void **state)
{
	struct theme t;
	char err[512], path[PATH_MAX];

	unsetenv("NO_COLOR");
	setenv_path("XDG_CONFIG_HOME", "xdg");
	snprintf(path, sizeof(path), "%s/xdg/swantop/themes", tmpdir);
	mkdirs(path);
	/* a user copy of "light" shadows the shipped one */
	snprintf(path, sizeof(path), "%s/xdg/swantop/themes/light.theme", tmpdir);
	write_file(path, "title = 123 default\n");
	assert_int_equal(theme_load(&t, "light", err, sizeof(err)), 0);
	assert_string_equal(t.name, "light");
	assert_int_equal(t.style[THEME_TITLE].fg, 123);
	/* one the user does not have comes from the source tree */
	assert_int_equal(theme_load(&t, "colorblind", err, sizeof(err)), 0);
	assert_int_equal(t.style[THEME_STATE_UP].fg, 39);
	/* a user theme with an error is reported, not skipped */
	snprintf(path, sizeof(path), "%s/xdg/swantop/themes/broken.theme", tmpdir);
	write_file(path, "title = cyan\nstat-up = red\n");
	assert_int_equal(theme_load(&t, "broken", err, sizeof(err)), -EINVAL);
	assert_memory_equal(err, "theme broken: line 2: unknown role 'stat-up'", 44);
	/* default and mono work with no file anywhere (the XDG copy of default
	 * wins when there is one) */
	snprintf(path, sizeof(path), "%s/xdg/swantop/themes/default.theme", tmpdir);
	write_file(path, "title = 77\n");
	assert_int_equal(theme_load(&t, "default", err, sizeof(err)), 0);
	assert_int_equal(t.style[THEME_TITLE].fg, 77);
	unlink(path);
	/* theme_list: user, shipped and built-in themes, sorted, unique */
	size_t n;
	char **names = theme_list(&n);
	assert_true(n >= 5);
	int seen = 0;
	for (size_t i = 0; i < n; i++) {
		if (i > 0)
			assert_true(strcmp(names[i - 1], names[i]) < 0);
		if (!strcmp(names[i], "broken") || !strcmp(names[i], "light") ||
		    !strcmp(names[i], "mono") || !strcmp(names[i], "default") ||
		    !strcmp(names[i], "colorblind"))
			seen++;
	}
	assert_null(names[n]);
	assert_int_equal(seen, 5);
	theme_strv_free(names);
	/* the search path starts with the XDG directory */
	char **dirs = theme_search_path();
	snprintf(path, sizeof(path), "%s/xdg/swantop/themes", tmpdir);
	assert_string_equal(dirs[0], path);
	theme_strv_free(dirs);
}

static void test_lookup_home(void **state)
{
	struct theme t;
	char err[512], path[PATH_MAX];

	unsetenv("NO_COLOR");
	/* a relative XDG_CONFIG_HOME is ignored (XDG spec): HOME/.config */
	setenv("XDG_CONFIG_HOME", "relative/dir", 1);
	setenv_path("HOME", "home");
	snprintf(path, sizeof(path), "%s/home/.config/swantop/themes", tmpdir);
	mkdirs(path);
	snprintf(path, sizeof(path), "%s/home/.config/swantop/themes/mine.theme", tmpdir);
	write_file(path, "state-up = 200\n");
	assert_int_equal(theme_load(&t, "mine", err, sizeof(err)), 0);
	assert_int_equal(t.style[THEME_STATE_UP].fg, 200);
	unsetenv("XDG_CONFIG_HOME");
	assert_int_equal(theme_load(&t, "mine", err, sizeof(err)), 0);
	/* nothing set: the XDG directory is left out, built-ins still work */
	unsetenv("HOME");
	char **dirs = theme_search_path();
	for (size_t i = 0; dirs[i]; i++)
		assert_null(strstr(dirs[i], "/.config/"));
	theme_strv_free(dirs);
	assert_int_equal(theme_load(&t, "mine", err, sizeof(err)), -ENOENT);
	assert_int_equal(theme_load(&t, "mono", err, sizeof(err)), 0);
	assert_true(t.mono);
}

static void test_lookup_errors(void **state)
{
	struct theme t;
	char err[512];

	unsetenv("NO_COLOR");
	setenv_path("XDG_CONFIG_HOME", "xdg-empty");
	assert_int_equal(theme_load(&t, "ligth", err, sizeof(err)), -ENOENT);
	assert_string_equal(err, "theme 'ligth' not found (did you mean 'light'?)");
	assert_int_equal(theme_load(&t, "zzzzzzzz", err, sizeof(err)), -ENOENT);
	assert_string_equal(err, "theme 'zzzzzzzz' not found");
	assert_int_equal(theme_load(&t, "../../etc/passwd", err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "invalid name"));
	assert_int_equal(theme_load(&t, "a\x1b[2Jb", err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "\\x1b"));
	assert_int_equal(theme_load(&t, "", err, sizeof(err)), -EINVAL);
	assert_int_equal(theme_load(&t, ".hidden", err, sizeof(err)), -EINVAL);
	assert_true(theme_name_valid("my-theme_2.x"));
	assert_false(theme_name_valid("a/b"));
	assert_false(theme_name_valid("a b"));
}

static void test_no_color(void **state)
{
	struct theme t;
	char err[512];

	setenv_path("XDG_CONFIG_HOME", "xdg-empty");
	setenv("NO_COLOR", "", 1);
	assert_false(theme_no_color());
	assert_int_equal(theme_load(&t, "default", err, sizeof(err)), 0);
	assert_false(t.mono);
	setenv("NO_COLOR", "1", 1);
	assert_true(theme_no_color());
	static const char *const names[] = {"default", "light", "colorblind", "mono"};
	for (size_t k = 0; k < 4; k++) {
		assert_int_equal(theme_load(&t, names[k], err, sizeof(err)), 0);
		assert_true(t.mono);
		for (int i = 0; i < THEME_ROLE_COUNT; i++) {
			assert_int_equal(t.style[i].fg, THEME_COLOR_DEFAULT);
			assert_int_equal(t.style[i].bg, THEME_COLOR_DEFAULT);
		}
		/* still readable: selection by attribute */
		assert_int_not_equal(t.style[THEME_SELECTED].attrs, 0);
	}
	unsetenv("NO_COLOR");
	theme_init_default(&t);
	theme_strip_colors(&t);
	assert_true(t.mono);
	assert_int_equal(t.style[THEME_STATE_UP].fg, THEME_COLOR_DEFAULT);
	assert_int_equal(t.style[THEME_STATE_UP].attrs, THEME_ATTR_BOLD);
}

static void test_glyphs(void **state)
{
	static const enum theme_role need[] = {
	        THEME_STATE_UP,      THEME_STATE_DOWN, THEME_CONNECTING,  THEME_REKEYING,
	        THEME_DELETING,      THEME_STATUS_OK,  THEME_STATUS_WARN, THEME_STATUS_ERROR,
	        THEME_EVENT_UP,      THEME_EVENT_DOWN, THEME_EVENT_REKEY, THEME_EVENT_UPDATE,
	        THEME_EVENT_CONTROL, THEME_WARNING,    THEME_ERROR,
	};
	static const enum theme_role states[] = {THEME_STATE_UP, THEME_STATE_DOWN, THEME_CONNECTING,
	                                         THEME_REKEYING, THEME_DELETING};
	for (size_t i = 0; i < sizeof(need) / sizeof(need[0]); i++) {
		const char *u = theme_glyph(NULL, need[i], true);
		const char *a = theme_glyph(NULL, need[i], false);
		assert_int_equal(sanitize_width(u, strlen(u), 0), 1);
		char *s = sanitize_strdup(u, 0);
		assert_string_equal(s, u); /* printable as it is */
		free(s);
		assert_int_equal(strlen(a), 1);
		assert_true(a[0] > 0x20 && a[0] < 0x7f);
	}
	/* the states are told apart in both modes */
	for (size_t i = 0; i < 5; i++)
		for (size_t j = 0; j < i; j++) {
			assert_string_not_equal(theme_glyph(NULL, states[i], true),
			                        theme_glyph(NULL, states[j], true));
			assert_string_not_equal(theme_glyph(NULL, states[i], false),
			                        theme_glyph(NULL, states[j], false));
		}
	assert_string_equal(theme_glyph(NULL, THEME_BORDER, true), "");
	assert_string_equal(theme_glyph(NULL, THEME_ROLE_COUNT, false), "");
}

/* Applies t on a curses screen for terminal type term (output discarded). */
static SCREEN *curses_on(const char *term, FILE *out, FILE *in)
{
	SCREEN *s = newterm(term, out, in);
	if (s && has_colors()) {
		start_color();
		use_default_colors();
	}
	return s;
}

static void pair_of(enum theme_role r, short *fg, short *bg)
{
	assert_int_equal(pair_content(theme_curses_pair(r), fg, bg), OK);
}

static void test_curses(void **state)
{
	FILE *out = fopen("/dev/null", "w"), *in = fopen("/dev/null", "r");
	struct theme t;
	short fg, bg;
	assert_non_null(out);
	assert_non_null(in);

	/* 256 colours: taken as they are */
	SCREEN *s = curses_on("xterm-256color", out, in);
	if (!s) {
		fclose(out);
		fclose(in);
		skip();
	}
	theme_init_default(&t);
	t.style[THEME_STALE] = (struct theme_style){208, 21, THEME_ATTR_ITALIC | THEME_ATTR_DIM};
	assert_int_equal(theme_curses_apply(&t), 0);
	pair_of(THEME_SELECTED, &fg, &bg);
	assert_int_equal(fg, 0);
	assert_int_equal(bg, 6);
	pair_of(THEME_STALE, &fg, &bg);
	assert_int_equal(fg, 208);
	assert_int_equal(bg, 21);
	assert_true(theme_curses_attrs(THEME_STALE) & A_DIM);
	assert_int_equal(theme_curses_attr(THEME_STATE_UP),
	                 (unsigned long)(A_BOLD | COLOR_PAIR(theme_curses_pair(THEME_STATE_UP))));
	/* every role has its own pair */
	for (int i = 0; i < THEME_ROLE_COUNT; i++)
		for (int j = 0; j < i; j++)
			assert_int_not_equal(theme_curses_pair(i), theme_curses_pair(j));
	endwin();
	delscreen(s);

	/* 8 colours: bright -> base + bold, 256 -> nearest base colour */
	s = curses_on("xterm", out, in);
	assert_non_null(s);
	assert_int_equal(theme_curses_apply(&t), 0);
	pair_of(THEME_HEADER_VALUE, &fg, &bg); /* bright-white */
	assert_int_equal(fg, 7);
	assert_true(theme_curses_attrs(THEME_HEADER_VALUE) & A_BOLD);
	pair_of(THEME_DIM, &fg, &bg); /* bright-black: default + dim, never black */
	assert_int_equal(fg, -1);
	assert_true(theme_curses_attrs(THEME_DIM) & A_DIM);
	pair_of(THEME_STALE, &fg, &bg); /* orange 208 -> yellow, blue 21 -> blue */
	assert_int_equal(fg, 3);
	assert_int_equal(bg, 4);
	/* the mono theme uses no colour pair at all */
	theme_init_mono(&t);
	assert_int_equal(theme_curses_apply(&t), 0);
	assert_int_equal(theme_curses_pair(THEME_SELECTED), 0);
	assert_true(theme_curses_attr(THEME_SELECTED) & A_REVERSE);
	endwin();
	delscreen(s);

	/* no colours at all: attributes only */
	s = curses_on("vt100", out, in);
	assert_non_null(s);
	theme_init_default(&t);
	assert_int_equal(theme_curses_apply(&t), -ENOTSUP);
	assert_int_equal(theme_curses_pair(THEME_STATE_UP), 0);
	assert_true(theme_curses_attr(THEME_STATE_UP) & A_BOLD);
	endwin();
	delscreen(s);
	fclose(out);
	fclose(in);
}

static int setup(void **state)
{
	snprintf(tmpdir, sizeof(tmpdir), "%s/swantop-test-theme-XXXXXX",
	         getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
	if (!mkdtemp(tmpdir))
		return -1;
	return 0;
}

static int teardown(void **state)
{
	char cmd[PATH_MAX + 16];
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
	return system(cmd) == 0 ? 0 : -1;
}

int main(void)
{
	setlocale(LC_ALL, "C.UTF-8");
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_roles),          cmocka_unit_test(test_parse_valid),
	        cmocka_unit_test(test_parse_errors),   cmocka_unit_test(test_broken_files),
	        cmocka_unit_test(test_file_errors),    cmocka_unit_test(test_builtin_match_files),
	        cmocka_unit_test(test_shipped_themes), cmocka_unit_test(test_colorblind),
	        cmocka_unit_test(test_lookup_order),   cmocka_unit_test(test_lookup_home),
	        cmocka_unit_test(test_lookup_errors),  cmocka_unit_test(test_no_color),
	        cmocka_unit_test(test_glyphs),         cmocka_unit_test(test_curses),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}

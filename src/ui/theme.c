/*
 * Themes: role table, built-in themes, the theme file parser, lookup.
 *
 * The parser is strict on purpose: an operator who mistypes a role or a
 * colour gets the line and a suggestion instead of a silently ignored line.
 * Every error is one line, and any text from the file that appears in it is
 * sanitised first (a theme file is not trusted to be printable).
 */
#include "ui/theme.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "config.h"
#include "util/sanitize.h"
#include "util/text.h"
#include "vici/xmalloc.h"

#define THEME_FILE_MAX (64 * 1024)
#define THEME_LINE_MAX 1024

static const char *const role_names[THEME_ROLE_COUNT] = {
        [THEME_DEFAULT] = "default",
        [THEME_TITLE] = "title",
        [THEME_HEADER] = "header",
        [THEME_HEADER_VALUE] = "header-value",
        [THEME_TABLE_HEADER] = "table-header",
        [THEME_BORDER] = "border",
        [THEME_STATUS_OK] = "status-ok",
        [THEME_STATUS_WARN] = "status-warn",
        [THEME_STATUS_ERROR] = "status-error",
        [THEME_STATE_UP] = "state-up",
        [THEME_STATE_DOWN] = "state-down",
        [THEME_CONNECTING] = "connecting",
        [THEME_REKEYING] = "rekeying",
        [THEME_DELETING] = "deleting",
        [THEME_INFO] = "info",
        [THEME_WARNING] = "warning",
        [THEME_ERROR] = "error",
        [THEME_SELECTED] = "selected",
        [THEME_SELECTED_INACTIVE] = "selected-inactive",
        [THEME_DIM] = "dim",
        [THEME_STALE] = "stale",
        [THEME_HINT_KEY] = "hint-key",
        [THEME_HINT_TEXT] = "hint-text",
        [THEME_EVENT_UP] = "event-up",
        [THEME_EVENT_DOWN] = "event-down",
        [THEME_EVENT_REKEY] = "event-rekey",
        [THEME_EVENT_UPDATE] = "event-update",
        [THEME_EVENT_CONTROL] = "event-control",
        [THEME_LOG_0] = "log-0",
        [THEME_LOG_1] = "log-1",
        [THEME_LOG_2] = "log-2",
        [THEME_LOG_3] = "log-3",
        [THEME_LOG_4] = "log-4",
        [THEME_FILTER_MATCH] = "filter-match",
        [THEME_CMDLINE] = "cmdline",
        [THEME_PROMPT] = "prompt",
};

/* clang-format off */
/* Glyphs: UTF-8 (one column each) and ASCII. */
static const char *const glyphs[THEME_ROLE_COUNT][2] = {
	[THEME_STATUS_OK] = {"\xe2\x9c\x93", "+"},	 /* ✓ */
	[THEME_STATUS_WARN] = {"!", "!"},
	[THEME_STATUS_ERROR] = {"\xe2\x9c\x97", "E"},	 /* ✗ */
	[THEME_STATE_UP] = {"\xe2\x96\xb2", "U"},	 /* ▲ */
	[THEME_STATE_DOWN] = {"\xe2\x96\xbc", "D"},	 /* ▼ */
	[THEME_CONNECTING] = {"\xe2\x97\x90", "C"},	 /* ◐ */
	[THEME_REKEYING] = {"\xe2\x86\xbb", "R"},	 /* ↻ */
	[THEME_DELETING] = {"\xe2\x9c\x95", "X"},	 /* ✕ */
	[THEME_INFO] = {"i", "i"},
	[THEME_WARNING] = {"!", "!"},
	[THEME_ERROR] = {"\xe2\x9c\x97", "E"},		 /* ✗ */
	[THEME_STALE] = {"?", "?"},
	[THEME_EVENT_UP] = {"\xe2\x96\xb2", "+"},	 /* ▲ */
	[THEME_EVENT_DOWN] = {"\xe2\x96\xbc", "-"},	 /* ▼ */
	[THEME_EVENT_REKEY] = {"\xe2\x86\xbb", "R"},	 /* ↻ */
	[THEME_EVENT_UPDATE] = {"\xe2\x86\x94", "~"},	 /* ↔ */
	[THEME_EVENT_CONTROL] = {"\xc2\xbb", ">"},	 /* » */
};
/* clang-format on */

enum { BLACK, RED, GREEN, YELLOW, BLUE, MAGENTA, CYAN, WHITE, BRIGHT };
#define DEF THEME_COLOR_DEFAULT
#define B THEME_ATTR_BOLD
#define U THEME_ATTR_UNDERLINE
#define R THEME_ATTR_REVERSE
#define D THEME_ATTR_DIM

/* The built-in themes. themes/default.theme and themes/mono.theme say the
 * same (a unit test checks that they agree). */
/* clang-format off */
static const struct theme_style builtin_default[THEME_ROLE_COUNT] = {
	[THEME_DEFAULT] = {DEF, DEF, 0},
	[THEME_TITLE] = {CYAN, DEF, B},
	[THEME_HEADER] = {CYAN, DEF, 0},
	[THEME_HEADER_VALUE] = {BRIGHT + WHITE, DEF, B},
	[THEME_TABLE_HEADER] = {BLACK, GREEN, 0},
	[THEME_BORDER] = {BLUE, DEF, 0},
	[THEME_STATUS_OK] = {GREEN, DEF, B},
	[THEME_STATUS_WARN] = {YELLOW, DEF, B},
	[THEME_STATUS_ERROR] = {BRIGHT + WHITE, RED, B},
	[THEME_STATE_UP] = {GREEN, DEF, B},
	[THEME_STATE_DOWN] = {RED, DEF, B},
	[THEME_CONNECTING] = {YELLOW, DEF, 0},
	[THEME_REKEYING] = {CYAN, DEF, 0},
	[THEME_DELETING] = {MAGENTA, DEF, 0},
	[THEME_INFO] = {DEF, DEF, 0},
	[THEME_WARNING] = {YELLOW, DEF, B},
	[THEME_ERROR] = {RED, DEF, B},
	[THEME_SELECTED] = {BLACK, CYAN, 0},
	[THEME_SELECTED_INACTIVE] = {BLACK, WHITE, 0},
	[THEME_DIM] = {BRIGHT + BLACK, DEF, 0},
	[THEME_STALE] = {YELLOW, DEF, D},
	[THEME_HINT_KEY] = {BLACK, CYAN, 0},
	[THEME_HINT_TEXT] = {DEF, DEF, 0},
	[THEME_EVENT_UP] = {GREEN, DEF, 0},
	[THEME_EVENT_DOWN] = {RED, DEF, 0},
	[THEME_EVENT_REKEY] = {CYAN, DEF, 0},
	[THEME_EVENT_UPDATE] = {BRIGHT + BLUE, DEF, 0},
	[THEME_EVENT_CONTROL] = {YELLOW, DEF, 0},
	[THEME_LOG_0] = {DEF, DEF, B},
	[THEME_LOG_1] = {DEF, DEF, 0},
	[THEME_LOG_2] = {DEF, DEF, 0},
	[THEME_LOG_3] = {BRIGHT + BLACK, DEF, 0},
	[THEME_LOG_4] = {BRIGHT + BLACK, DEF, D},
	[THEME_FILTER_MATCH] = {BLACK, YELLOW, 0},
	[THEME_CMDLINE] = {DEF, DEF, 0},
	[THEME_PROMPT] = {BLACK, YELLOW, B},
};
/* clang-format on */

/* clang-format off */
static const struct theme_style builtin_mono[THEME_ROLE_COUNT] = {
	[THEME_DEFAULT] = {DEF, DEF, 0},
	[THEME_TITLE] = {DEF, DEF, B},
	[THEME_HEADER] = {DEF, DEF, 0},
	[THEME_HEADER_VALUE] = {DEF, DEF, B},
	[THEME_TABLE_HEADER] = {DEF, DEF, B | U},
	[THEME_BORDER] = {DEF, DEF, 0},
	[THEME_STATUS_OK] = {DEF, DEF, B},
	[THEME_STATUS_WARN] = {DEF, DEF, B | U},
	[THEME_STATUS_ERROR] = {DEF, DEF, B | R},
	[THEME_STATE_UP] = {DEF, DEF, B},
	[THEME_STATE_DOWN] = {DEF, DEF, U},
	[THEME_CONNECTING] = {DEF, DEF, 0},
	[THEME_REKEYING] = {DEF, DEF, 0},
	[THEME_DELETING] = {DEF, DEF, D},
	[THEME_INFO] = {DEF, DEF, 0},
	[THEME_WARNING] = {DEF, DEF, B},
	[THEME_ERROR] = {DEF, DEF, B | R},
	[THEME_SELECTED] = {DEF, DEF, R},
	[THEME_SELECTED_INACTIVE] = {DEF, DEF, U},
	[THEME_DIM] = {DEF, DEF, D},
	[THEME_STALE] = {DEF, DEF, D},
	[THEME_HINT_KEY] = {DEF, DEF, R},
	[THEME_HINT_TEXT] = {DEF, DEF, 0},
	[THEME_EVENT_UP] = {DEF, DEF, B},
	[THEME_EVENT_DOWN] = {DEF, DEF, U},
	[THEME_EVENT_REKEY] = {DEF, DEF, 0},
	[THEME_EVENT_UPDATE] = {DEF, DEF, 0},
	[THEME_EVENT_CONTROL] = {DEF, DEF, 0},
	[THEME_LOG_0] = {DEF, DEF, B},
	[THEME_LOG_1] = {DEF, DEF, 0},
	[THEME_LOG_2] = {DEF, DEF, 0},
	[THEME_LOG_3] = {DEF, DEF, D},
	[THEME_LOG_4] = {DEF, DEF, D},
	[THEME_FILTER_MATCH] = {DEF, DEF, B | U},
	[THEME_CMDLINE] = {DEF, DEF, 0},
	[THEME_PROMPT] = {DEF, DEF, B | R},
};
/* clang-format on */

/* clang-format off */
static const char *const color_names[16] = {
	"black",	"red",	      "green",	      "yellow",	      "blue",	     "magenta",
	"cyan",		"white",      "bright-black", "bright-red",   "bright-green", "bright-yellow",
	"bright-blue", "bright-magenta", "bright-cyan", "bright-white",
};
/* clang-format on */

/* clang-format off */
static const struct {
	const char *name;
	unsigned bit;
} attr_names[] = {
	{"bold", THEME_ATTR_BOLD},   {"underline", THEME_ATTR_UNDERLINE},
	{"reverse", THEME_ATTR_REVERSE}, {"dim", THEME_ATTR_DIM},
	{"italic", THEME_ATTR_ITALIC}, {"none", 0},
};
/* clang-format on */

const char *theme_role_name(enum theme_role role)
{
	return (unsigned)role < THEME_ROLE_COUNT ? role_names[role] : NULL;
}

int theme_role_from_name(const char *name)
{
	for (int i = 0; i < THEME_ROLE_COUNT; i++)
		if (strcmp(role_names[i], name) == 0)
			return i;
	return -1;
}

static bool all_default_colors(const struct theme *t)
{
	for (int i = 0; i < THEME_ROLE_COUNT; i++)
		if (t->style[i].fg != DEF || t->style[i].bg != DEF)
			return false;
	return true;
}

void theme_init_default(struct theme *t)
{
	memset(t, 0, sizeof(*t));
	strcpy(t->name, "default");
	memcpy(t->style, builtin_default, sizeof(t->style));
}

void theme_init_mono(struct theme *t)
{
	memset(t, 0, sizeof(*t));
	strcpy(t->name, "mono");
	memcpy(t->style, builtin_mono, sizeof(t->style));
	t->mono = true;
}

void theme_strip_colors(struct theme *t)
{
	for (int i = 0; i < THEME_ROLE_COUNT; i++)
		t->style[i].fg = t->style[i].bg = DEF;
	t->mono = true;
}

bool theme_no_color(void)
{
	const char *v = getenv("NO_COLOR");
	return v && *v;
}

bool theme_name_valid(const char *name)
{
	size_t n = 0;

	if (!name || name[0] == '.' || name[0] == '\0')
		return false;
	for (; name[n]; n++) {
		char c = name[n];
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		      c == '.' || c == '_' || c == '-'))
			return false;
	}
	return n < THEME_NAME_MAX;
}

const char *theme_glyph(const struct theme *t, enum theme_role role, bool utf8)
{
	if ((unsigned)role >= THEME_ROLE_COUNT || !glyphs[role][0])
		return "";
	return glyphs[role][utf8 ? 0 : 1];
}

/* --- suggestions --- */

/* --- parsing --- */

struct parser {
	const char *name;
	char *err;
	size_t errsize;
	unsigned line;
};

__attribute__((format(printf, 2, 3))) static int perr(struct parser *p, const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (p->err && p->errsize > 0)
		snprintf(p->err, p->errsize, "theme %s: line %u: %s", p->name, p->line, msg);
	return -EINVAL;
}

/* A word from the file, made safe to quote in a message. */
static const char *quote(char *buf, size_t size, const char *s, size_t n)
{
	sanitize_fit(buf, size, s, n, 40, 0);
	return buf;
}

static bool is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\f' || c == '\v';
}

/* Parses a colour word: 0 with *color set, 1 if the word is no colour. */
static int parse_color(struct parser *p, const char *w, size_t n, int16_t *color)
{
	char buf[48];

	if (n == 7 && memcmp(w, "default", 7) == 0) {
		*color = DEF;
		return 0;
	}
	if (w[0] >= '0' && w[0] <= '9') {
		unsigned v = 0;
		for (size_t i = 0; i < n; i++) {
			if (w[i] < '0' || w[i] > '9' || v > 255)
				return perr(p, "bad colour number '%s' (0-255)",
				            quote(buf, sizeof(buf), w, n));
			v = v * 10 + (unsigned)(w[i] - '0');
		}
		if (v > 255)
			return perr(p, "bad colour number '%s' (0-255)",
			            quote(buf, sizeof(buf), w, n));
		*color = (int16_t)v;
		return 0;
	}
	for (int i = 0; i < 16; i++) {
		if (strlen(color_names[i]) == n && memcmp(color_names[i], w, n) == 0) {
			*color = (int16_t)i;
			return 0;
		}
	}
	/* tolerated spellings: brightred, grey/gray */
	if (n > 6 && memcmp(w, "bright", 6) == 0) {
		for (int i = 0; i < 8; i++) {
			if (strlen(color_names[i]) == n - 6 &&
			    memcmp(color_names[i], w + 6, n - 6) == 0) {
				*color = (int16_t)(8 + i);
				return 0;
			}
		}
	}
	if ((n == 4 && (memcmp(w, "grey", 4) == 0 || memcmp(w, "gray", 4) == 0))) {
		*color = 8;
		return 0;
	}
	return 1;
}

static int parse_value(struct parser *p, const char *role, const char *s, size_t len,
                       struct theme_style *st)
{
	int ncolors = 0, words = 0;
	size_t i = 0;
	char buf[64];

	*st = (struct theme_style){DEF, DEF, 0};
	while (i < len) {
		while (i < len && is_space(s[i]))
			i++;
		if (i == len)
			break;
		size_t start = i;
		while (i < len && !is_space(s[i]))
			i++;
		const char *w = s + start;
		size_t n = i - start;
		int16_t c = DEF;
		words++;
		int r = parse_color(p, w, n, &c);
		if (r < 0)
			return r;
		if (r == 0) {
			if (ncolors == 2)
				return perr(
				        p,
				        "'%s': too many colours (a foreground and a background at "
				        "most)",
				        role);
			if (ncolors++ == 0)
				st->fg = c;
			else
				st->bg = c;
			continue;
		}
		size_t k;
		for (k = 0; k < sizeof(attr_names) / sizeof(attr_names[0]); k++) {
			if (strlen(attr_names[k].name) == n &&
			    memcmp(attr_names[k].name, w, n) == 0)
				break;
		}
		if (k == sizeof(attr_names) / sizeof(attr_names[0])) {
			const char *cands[16 + 6 + 1];
			size_t nc = 0;
			for (int j = 0; j < 16; j++)
				cands[nc++] = color_names[j];
			for (size_t j = 0; j < sizeof(attr_names) / sizeof(attr_names[0]); j++)
				cands[nc++] = attr_names[j].name;
			cands[nc++] = "default";
			quote(buf, sizeof(buf), w, n);
			const char *s2 = text_suggest(buf, cands, nc);
			if (s2)
				return perr(p,
				            "unknown colour or attribute '%s' (did you mean '%s'?)",
				            buf, s2);
			return perr(p, "unknown colour or attribute '%s'", buf);
		}
		st->attrs |= attr_names[k].bit;
	}
	if (words == 0)
		return perr(p, "'%s': missing colours or attributes", role);
	return 0;
}

static int parse_line(struct parser *p, const char *s, size_t len, struct theme *t,
                      unsigned *set_on)
{
	char buf[64];

	/* comments: '#' at the start of a word */
	for (size_t i = 0; i < len; i++) {
		if (s[i] == '#' && (i == 0 || is_space(s[i - 1]))) {
			len = i;
			break;
		}
	}
	while (len > 0 && is_space(s[len - 1]))
		len--;
	while (len > 0 && is_space(*s))
		s++, len--;
	if (len == 0)
		return 0;
	if (memchr(s, '\0', len))
		return perr(p, "NUL byte in line");
	const char *eq = memchr(s, '=', len);
	if (!eq)
		return perr(p, "expected 'role = colours and attributes', got '%s'",
		            quote(buf, sizeof(buf), s, len));
	size_t klen = (size_t)(eq - s);
	while (klen > 0 && is_space(s[klen - 1]))
		klen--;
	if (klen == 0)
		return perr(p, "missing role name before '='");
	char key[64];
	quote(key, sizeof(key), s, klen);
	int role = -1;
	if (klen < sizeof(key) && strlen(key) == klen)
		role = theme_role_from_name(key);
	if (role < 0) {
		const char *sug = text_suggest(key, role_names, THEME_ROLE_COUNT);
		if (sug)
			return perr(p, "unknown role '%s' (did you mean '%s'?)", key, sug);
		return perr(p, "unknown role '%s'", key);
	}
	if (set_on[role])
		return perr(p, "role '%s' already set on line %u", key, set_on[role]);
	set_on[role] = p->line;
	const char *v = eq + 1;
	return parse_value(p, key, v, len - (size_t)(v - s), &t->style[role]);
}

int theme_parse(struct theme *t, const char *name, const char *text, size_t len, char *err,
                size_t errsize)
{
	struct parser p = {.name = name ? name : "?", .err = err, .errsize = errsize};
	unsigned set_on[THEME_ROLE_COUNT] = {0};
	struct theme tmp;
	size_t i = 0;

	if (err && errsize)
		err[0] = '\0';
	theme_init_default(&tmp);
	snprintf(tmp.name, sizeof(tmp.name), "%s", p.name);
	while (i < len) {
		const char *nl = memchr(text + i, '\n', len - i);
		size_t end = nl ? (size_t)(nl - text) : len;
		p.line++;
		if (end - i > THEME_LINE_MAX)
			return perr(&p, "line longer than %d bytes", THEME_LINE_MAX);
		int r = parse_line(&p, text + i, end - i, &tmp, set_on);
		if (r < 0)
			return r;
		i = end + 1;
	}
	tmp.mono = all_default_colors(&tmp);
	*t = tmp;
	return 0;
}

/* Reads a whole file of at most THEME_FILE_MAX bytes. */
static int read_file(const char *path, char **data, size_t *len)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	struct stat st;
	if (fstat(fd, &st) < 0) {
		int e = -errno;
		close(fd);
		return e;
	}
	if (!S_ISREG(st.st_mode)) {
		close(fd);
		return S_ISDIR(st.st_mode) ? -EISDIR : -EINVAL;
	}
	char *buf = xmalloc(THEME_FILE_MAX + 1);
	size_t n = 0;
	for (;;) {
		ssize_t r = read(fd, buf + n, THEME_FILE_MAX + 1 - n);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			int e = -errno;
			close(fd);
			free(buf);
			return e;
		}
		if (r == 0)
			break;
		n += (size_t)r;
		if (n > THEME_FILE_MAX) {
			close(fd);
			free(buf);
			return -EFBIG;
		}
	}
	close(fd);
	*data = buf;
	*len = n;
	return 0;
}

int theme_load_file(struct theme *t, const char *name, const char *path, char *err, size_t errsize)
{
	char *data = NULL, safe_path[PATH_MAX];
	size_t len = 0;

	sanitize_buf(safe_path, sizeof(safe_path), path, strlen(path), 0);
	int r = read_file(path, &data, &len);
	if (r < 0) {
		if (err && errsize)
			snprintf(err, errsize, "theme %s: %s: %s", name, safe_path,
			         r == -EFBIG ? "larger than 64 KiB" : strerror(-r));
		return r;
	}
	r = theme_parse(t, name, data, len, err, errsize);
	free(data);
	if (r < 0 && err && errsize) {
		size_t n = strlen(err);
		snprintf(err + n, errsize - n, " (%s)", safe_path);
	}
	return r;
}

static char *xdg_dir(const char *var, const char *fallback, const char *sub)
{
	const char *x = getenv(var);
	if (x && x[0] == '/')
		return xasprintf("%s/%s", x, sub);
	const char *home = getenv("HOME");
	if (home && home[0] == '/')
		return xasprintf("%s/%s/%s", home, fallback, sub);
	return NULL;
}

char **theme_search_path(void)
{
	char **v = xcalloc(4, sizeof(*v));
	size_t n = 0;
	char *x = xdg_dir("XDG_CONFIG_HOME", ".config", "swantop/themes");

	if (x)
		v[n++] = x;
	v[n++] = xstrdup(SWANTOP_DATADIR "/themes");
	v[n++] = xstrdup(SWANTOP_SOURCE_DIR "/themes");
	return v;
}

void theme_strv_free(char **v)
{
	if (!v)
		return;
	for (size_t i = 0; v[i]; i++)
		free(v[i]);
	free(v);
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

char **theme_list(size_t *count)
{
	char **dirs = theme_search_path();
	size_t n = 0, alloc = 8;
	char **v = xcalloc(alloc, sizeof(*v));

	v[n++] = xstrdup("default");
	v[n++] = xstrdup("mono");
	for (size_t d = 0; dirs[d]; d++) {
		DIR *dir = opendir(dirs[d]);
		if (!dir)
			continue;
		struct dirent *e;
		while ((e = readdir(dir))) {
			size_t len = strlen(e->d_name);
			if (len <= 6 || strcmp(e->d_name + len - 6, ".theme") != 0)
				continue;
			char *name = xstrndup(e->d_name, len - 6);
			if (!theme_name_valid(name)) {
				free(name);
				continue;
			}
			if (n + 2 > alloc) {
				alloc *= 2;
				v = xreallocarray(v, alloc, sizeof(*v));
			}
			v[n++] = name;
		}
		closedir(dir);
	}
	theme_strv_free(dirs);
	qsort(v, n, sizeof(*v), cmp_str);
	size_t u = 0;
	for (size_t i = 0; i < n; i++) {
		if (u > 0 && strcmp(v[u - 1], v[i]) == 0)
			free(v[i]);
		else
			v[u++] = v[i];
	}
	v[u] = NULL;
	if (count)
		*count = u;
	return v;
}

static int load_unforced(struct theme *t, const char *name, char *err, size_t errsize)
{
	char safe[64];

	if (!theme_name_valid(name)) {
		sanitize_fit(safe, sizeof(safe), name ? name : "", name ? strlen(name) : 0, 40, 0);
		if (err && errsize)
			snprintf(err, errsize,
			         "theme '%s': invalid name (letters, digits, '.', '_', '-')", safe);
		return -EINVAL;
	}
	char **dirs = theme_search_path();
	int r = -ENOENT;
	for (size_t d = 0; dirs[d] && r == -ENOENT; d++) {
		char *path = xasprintf("%s/%s.theme", dirs[d], name);
		r = theme_load_file(t, name, path, err, errsize);
		free(path);
	}
	theme_strv_free(dirs);
	if (r != -ENOENT)
		return r;
	if (strcmp(name, "default") == 0) {
		theme_init_default(t);
		return 0;
	}
	if (strcmp(name, "mono") == 0) {
		theme_init_mono(t);
		return 0;
	}
	size_t n;
	char **names = theme_list(&n);
	const char *sug = text_suggest(name, (const char *const *)names, n);
	if (err && errsize) {
		if (sug)
			snprintf(err, errsize, "theme '%s' not found (did you mean '%s'?)", name,
			         sug);
		else
			snprintf(err, errsize, "theme '%s' not found", name);
	}
	theme_strv_free(names);
	return -ENOENT;
}

int theme_load(struct theme *t, const char *name, char *err, size_t errsize)
{
	if (err && errsize)
		err[0] = '\0';
	int r = load_unforced(t, name, err, errsize);
	/* Stripping the colours of a colour theme could leave roles that differ
	 * only by colour (a selection drawn black on cyan) indistinguishable:
	 * NO_COLOR takes the mono theme, whose roles differ by attributes. */
	if (r == 0 && theme_no_color() && !t->mono) {
		r = load_unforced(t, "mono", err, errsize);
		if (r < 0)
			theme_init_mono(t);
		theme_strip_colors(t);
		return 0;
	}
	return r;
}

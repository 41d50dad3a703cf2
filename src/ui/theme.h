/*
 * Themes: what every piece of the screen looks like, by meaning.
 *
 * Panes never pick colours. They tag text with a semantic role
 * (THEME_STATE_UP, THEME_SELECTED, ...) and the current theme says how that
 * role is drawn: foreground, background and attributes. Themes are small
 * text files (format in themes/README.md):
 *
 *   # comment
 *   state-up      = green default bold
 *   selected      = black bright-cyan
 *   hint-key      = default default reverse
 *
 * A colour is `default` (the terminal's own), one of the eight names
 * black red green yellow blue magenta cyan white, their bright-NAME
 * variants (8-15), or a number 0-255. Attributes: bold underline reverse dim
 * italic, or `none`. Roles a file does not set keep the built-in default
 * theme's style, so a theme can be short.
 *
 * Colour must never be the only way a state is told apart (NO_COLOR,
 * monochrome terminals, colour-blind operators): theme_glyph() gives every
 * state role a glyph in UTF-8 (▲ ▼ ↻ ...) and a letter/ASCII fallback.
 *
 * Loading by name searches, in order: $XDG_CONFIG_HOME/swantop/themes
 * (default ~/.config/swantop/themes), SWANTOP_DATADIR/themes (the installed
 * copies) and SWANTOP_SOURCE_DIR/themes (running from the build tree), for
 * NAME.theme. The themes "default" and "mono" are also compiled in, so
 * swantop works with no files at all. NO_COLOR (set and non-empty) forces
 * mono whatever colour theme is asked for.
 *
 * Nothing here touches curses; theme_curses.h applies a theme to curses.
 * Errors: 0 or a negative errno, plus a one-line message in the caller's
 * buffer of the form "theme dark: line 12: unknown role 'stat-up' (did you
 * mean 'state-up'?)".
 */
#ifndef SWANTOP_UI_THEME_H
#define SWANTOP_UI_THEME_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Semantic roles. Names in theme files are given by theme_role_name(). New
 * roles are added before THEME_ROLE_COUNT; existing ones keep their names. */
enum theme_role {
	THEME_DEFAULT,           /* "default": ordinary text, screen background */
	THEME_TITLE,             /* "title": pane titles */
	THEME_HEADER,            /* "header": top summary bar labels */
	THEME_HEADER_VALUE,      /* "header-value": values in the summary bar */
	THEME_TABLE_HEADER,      /* "table-header": column headings */
	THEME_BORDER,            /* "border": pane borders and separators */
	THEME_STATUS_OK,         /* "status-ok": connected to charon, all good */
	THEME_STATUS_WARN,       /* "status-warn": degraded (reconnecting, lagging) */
	THEME_STATUS_ERROR,      /* "status-error": disconnected, failed */
	THEME_STATE_UP,          /* "state-up": ESTABLISHED / INSTALLED */
	THEME_STATE_DOWN,        /* "state-down": down, not installed, failed */
	THEME_CONNECTING,        /* "connecting": CONNECTING / CREATED / INSTALLING */
	THEME_REKEYING,          /* "rekeying": REKEYING / REKEYED */
	THEME_DELETING,          /* "deleting": DELETING / DESTROYING */
	THEME_INFO,              /* "info": neutral messages */
	THEME_WARNING,           /* "warning": warnings */
	THEME_ERROR,             /* "error": errors */
	THEME_SELECTED,          /* "selected": the cursor row in the focused pane */
	THEME_SELECTED_INACTIVE, /* "selected-inactive": cursor row, unfocused pane */
	THEME_DIM,               /* "dim": de-emphasised text */
	THEME_STALE,             /* "stale": data not refreshed recently */
	THEME_HINT_KEY,          /* "hint-key": key names in the hint bar */
	THEME_HINT_TEXT,         /* "hint-text": their descriptions */
	THEME_EVENT_UP,          /* "event-up": ike/child up events */
	THEME_EVENT_DOWN,        /* "event-down": ike/child down events */
	THEME_EVENT_REKEY,       /* "event-rekey": rekey events */
	THEME_EVENT_UPDATE,      /* "event-update": ike-update (address changes) */
	THEME_EVENT_CONTROL,     /* "event-control": our own control requests */
	THEME_LOG_0,             /* "log-0": charon log level 0 (basic) */
	THEME_LOG_1,             /* "log-1": level 1 (audit) */
	THEME_LOG_2,             /* "log-2": level 2 (control) */
	THEME_LOG_3,             /* "log-3": level 3 (controlmore) */
	THEME_LOG_4,             /* "log-4": level 4 (raw) */
	THEME_FILTER_MATCH,      /* "filter-match": text matching the filter */
	THEME_CMDLINE,           /* "cmdline": the command line */
	THEME_PROMPT,            /* "prompt": confirmation questions */
	THEME_ROLE_COUNT
};

/* Attribute bits. */
enum theme_attr {
	THEME_ATTR_BOLD = 1 << 0,
	THEME_ATTR_UNDERLINE = 1 << 1,
	THEME_ATTR_REVERSE = 1 << 2,
	THEME_ATTR_DIM = 1 << 3,
	THEME_ATTR_ITALIC = 1 << 4,
};

/* A colour value: the terminal's default colour, or 0..255. 0-7 are the
 * ANSI colours, 8-15 their bright variants. */
#define THEME_COLOR_DEFAULT (-1)

struct theme_style {
	int16_t fg;     /* THEME_COLOR_DEFAULT or 0..255 */
	int16_t bg;     /* THEME_COLOR_DEFAULT or 0..255 */
	unsigned attrs; /* enum theme_attr bits */
};

#define THEME_NAME_MAX 64

struct theme {
	char name[THEME_NAME_MAX];                  /* e.g. "default", "light" */
	bool mono;                                  /* no colour at all: every fg/bg is default */
	struct theme_style style[THEME_ROLE_COUNT]; /* indexed by enum theme_role */
};

/* The name of a role as written in theme files ("state-up"), or NULL for an
 * out-of-range value. */
const char *theme_role_name(enum theme_role role);
/* The role with that name, or -1 if there is none. */
int theme_role_from_name(const char *name);

/* Fills t with the compiled-in default (dark) theme / monochrome theme. */
void theme_init_default(struct theme *t);
void theme_init_mono(struct theme *t);

/* Removes every colour from t (fg = bg = default), keeps the attributes and
 * sets t->mono. Used for NO_COLOR and terminals without colours. */
void theme_strip_colors(struct theme *t);

/* true if NO_COLOR is set to a non-empty value (https://no-color.org). */
bool theme_no_color(void);

/* true if name is a plain theme name: 1..63 bytes of [A-Za-z0-9._-], not
 * starting with '.'. Anything else is refused by theme_load(). */
bool theme_name_valid(const char *name);

/* Parses theme text text[0..len) on top of the built-in default theme into
 * t, named `name` (also used in error messages: "theme NAME: line N: ...").
 * Returns 0, or -EINVAL with a one-line message in err (errsize bytes; err may
 * be NULL). t is only written on success. */
int theme_parse(struct theme *t, const char *name, const char *text, size_t len, char *err,
                size_t errsize);

/* Reads and parses the file at path (at most 64 KiB). Returns 0, -EINVAL on a
 * syntax error or a negative errno if the file cannot be read; err names the
 * theme and the file. */
int theme_load_file(struct theme *t, const char *name, const char *path, char *err, size_t errsize);

/* Loads the theme called name from the search path (see above); "default"
 * and "mono" fall back to the compiled-in themes when no file exists.
 * With NO_COLOR set, a theme that has colours is replaced by "mono" (a theme
 * without any colour is kept).
 * Returns 0, -EINVAL (bad name or syntax), -ENOENT (no such theme) or another
 * negative errno, with a message in err. */
int theme_load(struct theme *t, const char *name, char *err, size_t errsize);

/* The directories searched by theme_load(), in order, NULL-terminated, in a
 * newly allocated array of allocated strings: free with theme_strv_free().
 * The XDG directory is omitted when neither XDG_CONFIG_HOME nor HOME is set. */
char **theme_search_path(void);

/* The names of all themes found in the search path plus the built-in ones,
 * sorted and without duplicates, NULL-terminated; *count (if not NULL) gets
 * their number. Free with theme_strv_free(). For completion and listings. */
char **theme_list(size_t *count);

void theme_strv_free(char **v);

/* A glyph that tells role apart without colour, for roles that are states
 * or events (state-up "▲" / "U", state-down "▼" / "D", rekeying "↻" / "R",
 * ...): UTF-8 when utf8 is true (each one column wide), otherwise a single
 * ASCII character. "" for roles without one. t may be NULL; it is reserved
 * for themes that override glyphs. The returned string is static. */
const char *theme_glyph(const struct theme *t, enum theme_role role, bool utf8);

#endif

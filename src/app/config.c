/*
 * The configuration file (see config.h). A statement is checked by the same
 * code that checks it when it is typed: a setting by the option table
 * (app/options.c), a key by termkeys_parse(), a bound command by the
 * command line's parser, so the file cannot hold what :set or :bind would
 * refuse.
 */
#include "app/config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ui/cmdline.h"
#include "ui/keys.h"
#include "ui/termkeys.h"
#include "util/sanitize.h"
#include "util/text.h"
#include "vici/xmalloc.h"

/* Files larger than this are not configuration files. */
#define CONFIG_MAX (1024 * 1024)

char *config_default_path(void)
{
	const char *x = getenv("XDG_CONFIG_HOME"), *home = getenv("HOME");
	if (x && x[0] == '/')
		return xasprintf("%s/swantop/config", x);
	if (home && home[0])
		return xasprintf("%s/.config/swantop/config", home);
	return NULL;
}

const struct monitor_option *config_setting(const char *name, char *err, size_t errsize)
{
	const struct monitor_option *d = monitor_option_find(name);
	char q[SANITIZE_FIT_BUFSIZE(40)];
	sanitize_fit(q, sizeof(q), name, strlen(name), 40, 0);
	if (d && d->kind == MOPT_CLI) {
		snprintf(err, errsize, "\"%s\" is a command-line option, not a setting", q);
		return NULL;
	}
	if (d)
		return d;
	size_t n, k = 0;
	const struct monitor_option *t = monitor_options_table(&n);
	const char *names[64];
	for (size_t i = 0; i < n && k < 64; i++)
		if (t[i].kind != MOPT_CLI)
			names[k++] = t[i].name;
	const char *sug = text_suggest(name, names, k);
	if (sug)
		snprintf(err, errsize, "unknown setting \"%s\" (did you mean \"%s\"?)", q, sug);
	else
		snprintf(err, errsize, "unknown setting \"%s\" (settings: %s%s%s%s%s%s%s)", q,
		         k > 0 ? names[0] : "", k > 1 ? ", " : "", k > 1 ? names[1] : "",
		         k > 2 ? ", " : "", k > 2 ? names[2] : "", k > 3 ? ", " : "",
		         k > 3 ? "..." : "");
	return NULL;
}

/* The line's first word: *w points at it, its length is returned, *rest
 * points past the blanks after it. */
static size_t word_at(const char *s, const char **w, const char **rest)
{
	s += strspn(s, " \t");
	size_t n = strcspn(s, " \t");
	*w = s;
	*rest = s + n + strspn(s + n, " \t");
	return n;
}

int config_bind_check(const char *command, enum verb *verb, char *err, size_t errsize)
{
	struct cmdline_result res;
	*verb = VERB_NONE;
	int r = cmdline_parse(command, &res, err, errsize);
	if (r == 0 && res.cmd == CMDLINE_NONE) {
		snprintf(err, errsize, "no command to bind");
		r = -EINVAL;
	}
	/* a verb alone acts like its key (on the marked rows or the selection) */
	if (r == 0 && res.cmd == CMDLINE_VERB && res.argc == 0) {
		*verb = res.def->verb;
		cmdline_result_free(&res);
		return 0;
	}
	cmdline_result_free(&res);
	if (r == 0)
		return 0;
	/* "terminate" alone: the verb on the selection, like its key */
	const char *w, *rest;
	size_t n = word_at(command, &w, &rest);
	if (n && n < 64 && !*rest) {
		char word[64];
		memcpy(word, w, n);
		word[n] = '\0';
		const struct cmdline_command *c = cmdline_resolve(word, NULL, 0);
		if (c && c->cmd == CMDLINE_VERB) {
			*verb = c->verb;
			return 0;
		}
	}
	return r;
}

__attribute__((format(printf, 5, 6))) static int
line_err(char *err, size_t errsize, const char *name, size_t line, const char *fmt, ...)
{
	char msg[1200];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	snprintf(err, errsize, "%s:%zu: %s", name, line, msg);
	return -EINVAL;
}

/* A value as written: surrounding blanks and one pair of quotes go. */
static char *value_of(const char *s)
{
	size_t n = strlen(s);
	while (n && (s[n - 1] == ' ' || s[n - 1] == '\t'))
		n--;
	if (n >= 2 && (s[0] == '"' || s[0] == '\'') && s[n - 1] == s[0])
		s++, n -= 2;
	return xstrndup(s, n);
}

static int stmt_set(const char *rest, struct monitor_options *o, char *msg, size_t size)
{
	const char *w, *value;
	size_t n = word_at(rest, &w, &value);
	if (!n) {
		snprintf(msg, size, "set: which setting? (set NAME VALUE)");
		return -EINVAL;
	}
	char *name = xstrndup(w, n), why[256];
	int r = -EINVAL;
	const struct monitor_option *d = config_setting(name, why, sizeof(why));
	if (!d) {
		snprintf(msg, size, "%s", why);
	} else if (!*value) {
		snprintf(msg, size, "set %s: no value (set %s %s)", d->name, d->name,
		         d->arg ? d->arg : "on|off");
	} else {
		char *v = value_of(value);
		r = monitor_option_set(o, d, v, why, sizeof(why));
		if (r < 0)
			snprintf(msg, size, "set %s: %s", d->name, why);
		free(v);
	}
	free(name);
	return r;
}

static int key_of(const char *stmt, const char *w, size_t n, uint32_t *key, char *msg, size_t size)
{
	char *name = xstrndup(w, n);
	int r = termkeys_parse(name, key);
	if (r < 0) {
		char q[SANITIZE_FIT_BUFSIZE(40)];
		sanitize_fit(q, sizeof(q), name, n, 40, 0);
		if (n)
			snprintf(msg, size,
			         "%s: unknown key \"%s\" (keys are named like a, A, C-x, M-x, F5, "
			         "PgUp, S-Tab, Space)",
			         stmt, q);
		else
			snprintf(msg, size, "%s: which key?", stmt);
	}
	free(name);
	return r < 0 ? -EINVAL : 0;
}

static int stmt_bind(const char *rest, struct keymap *km, bool unbind, char *msg, size_t size)
{
	const char *w, *command;
	uint32_t key;
	size_t n = word_at(rest, &w, &command);
	if (key_of(unbind ? "unbind" : "bind", w, n, &key, msg, size) < 0)
		return -EINVAL;
	if (unbind) {
		if (*command) {
			snprintf(msg, size, "unbind: one key only (unbind KEY)");
			return -EINVAL;
		}
		keymap_unbind(km, key);
		return 0;
	}
	char why[256];
	enum verb verb;
	if (!*command) {
		snprintf(msg, size, "bind: no command (bind KEY COMMAND)");
		return -EINVAL;
	}
	if (config_bind_check(command, &verb, why, sizeof(why)) < 0) {
		snprintf(msg, size, "bind: %s", why);
		return -EINVAL;
	}
	if (keymap_bind(km, key, command) < 0) {
		snprintf(msg, size,
		         "bind: %.*s cannot be rebound (it opens the command line or "
		         "quits)",
		         (int)n, w);
		return -EINVAL;
	}
	return 0;
}

static int statement(const char *line, struct monitor_options *o, struct keymap *km, char *msg,
                     size_t size)
{
	static const char *const stmts[] = {"set", "bind", "unbind"};
	const char *w, *rest;
	size_t n = word_at(line, &w, &rest);
	if (n == 3 && !strncmp(w, "set", 3))
		return stmt_set(rest, o, msg, size);
	if ((n == 4 && !strncmp(w, "bind", 4)) || (n == 6 && !strncmp(w, "unbind", 6)))
		return stmt_bind(rest, km, n == 6, msg, size);
	char *word = xstrndup(w, n), q[SANITIZE_FIT_BUFSIZE(40)];
	sanitize_fit(q, sizeof(q), word, n, 40, 0);
	const char *sug = text_suggest(word, stmts, 3);
	if (sug)
		snprintf(msg, size, "unknown statement \"%s\" (did you mean \"%s\"?)", q, sug);
	else
		snprintf(msg, size, "unknown statement \"%s\" (set, bind or unbind)", q);
	free(word);
	return -EINVAL;
}

int config_parse(const char *text, size_t len, const char *name, struct monitor_options *o,
                 struct keymap *km, char *err, size_t errsize)
{
	size_t lineno = 0;
	for (size_t pos = 0; pos < len;) {
		const char *s = text + pos;
		const char *nl = memchr(s, '\n', len - pos);
		size_t n = nl ? (size_t)(nl - s) : len - pos;
		pos += n + 1;
		lineno++;
		if (n && s[n - 1] == '\r')
			n--;
		if (n > CMDLINE_MAX)
			return line_err(err, errsize, name, lineno, "line longer than %d bytes",
			                CMDLINE_MAX);
		char *line = xstrndup(s, n);
		if (strlen(line) != n) {
			free(line);
			return line_err(err, errsize, name, lineno, "a NUL byte in the line");
		}
		for (size_t i = 0; i < n; i++) {
			unsigned char c = (unsigned char)line[i];
			if ((c < 0x20 && c != '\t') || c == 0x7f) {
				free(line);
				return line_err(err, errsize, name, lineno,
				                "a control character (byte 0x%02x) in the line", c);
			}
		}
		const char *t = line + strspn(line, " \t");
		char msg[1200];
		int r = *t && *t != '#' ? statement(t, o, km, msg, sizeof(msg)) : 0;
		free(line);
		if (r < 0)
			return line_err(err, errsize, name, lineno, "%s", msg);
	}
	return 0;
}

/* How messages call a file under $HOME: "~/.config/swantop/config". */
static char *shown_path(const char *path)
{
	const char *home = getenv("HOME");
	size_t h = home ? strlen(home) : 0;
	if (h > 1 && !strncmp(path, home, h) && path[h] == '/')
		return xasprintf("~%s", path + h);
	return xstrdup(path);
}

int config_load(const char *path, bool must_exist, struct monitor_options *o, struct keymap *km,
                char *err, size_t errsize)
{
	char *shown = shown_path(path), *safe = sanitize_strdup(shown, 0);
	free(shown);
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	int r = 0;
	struct stat st;
	if (fd < 0) {
		r = -errno;
		if (r == -ENOENT && !must_exist)
			r = 0;
		else
			snprintf(err, errsize, "%s: %s", safe, strerror(-r));
	} else if (fstat(fd, &st) == 0 && S_ISDIR(st.st_mode)) {
		r = -EISDIR;
		snprintf(err, errsize, "%s: a directory, not a configuration file", safe);
	} else {
		char *buf = xmalloc(CONFIG_MAX + 1);
		size_t len = 0;
		ssize_t k;
		while (len <= CONFIG_MAX && (k = read(fd, buf + len, CONFIG_MAX + 1 - len)) != 0) {
			if (k < 0 && errno == EINTR)
				continue;
			if (k < 0) {
				r = -errno;
				snprintf(err, errsize, "%s: %s", safe, strerror(errno));
				break;
			}
			len += (size_t)k;
		}
		if (!r && len > CONFIG_MAX) {
			r = -EFBIG;
			snprintf(err, errsize, "%s: larger than %d bytes", safe, CONFIG_MAX);
		}
		if (!r)
			r = config_parse(buf, len, safe, o, km, err, errsize);
		free(buf);
	}
	if (fd >= 0)
		close(fd);
	free(safe);
	return r;
}

int config_options(int argc, char **argv, struct monitor_options *o, struct keymap *km, char *err,
                   size_t errsize)
{
	struct monitor_options cli;
	int r = monitor_parse_args(argc, argv, &cli, err, errsize);
	if (r < 0 || cli.help) {
		*o = cli;
		return r;
	}
	monitor_options_init(o);
	if (!cli.no_config) {
		char *def = cli.config ? NULL : config_default_path();
		const char *path = cli.config ? cli.config : def;
		if (path)
			r = config_load(path, cli.config != NULL, o, km, err, errsize);
		free(def);
		if (r < 0) {
			monitor_options_free(o);
			return r;
		}
	}
	return monitor_parse_args_over(argc, argv, o, err, errsize);
}

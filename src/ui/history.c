/*
 * The command line's persistent history: libedit's history(3), mirrored
 * for random access, saved atomically with mode 0600 after every accepted
 * line.
 */
#include <errno.h>
#include <histedit.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ui/cmdline.h"
#include "util/sanitize.h"
#include "vici/xmalloc.h"

struct cmdline_history {
	History *h;
	char *path;
	size_t max;
	char **items; /* mirror of h, oldest first, for random access */
	size_t n;
};

char *cmdline_history_default_path(void)
{
	const char *x = getenv("XDG_STATE_HOME");
	if (x && x[0] == '/')
		return xasprintf("%s/swantop/history", x);
	const char *home = getenv("HOME");
	if (home && home[0] == '/')
		return xasprintf("%s/.local/state/swantop/history", home);
	return NULL;
}

/* mkdir -p of the directory holding path, new directories 0700. */
static int make_parent(const char *path)
{
	char *dir = xstrdup(path);
	char *slash = strrchr(dir, '/');
	int r = 0;

	if (!slash || slash == dir) {
		free(dir);
		return 0;
	}
	*slash = '\0';
	for (char *p = dir + 1;; p++) {
		if (*p == '/' || *p == '\0') {
			char c = *p;
			*p = '\0';
			if (mkdir(dir, 0700) < 0 && errno != EEXIST) {
				r = -errno;
				break;
			}
			*p = c;
			if (c == '\0')
				break;
		}
	}
	free(dir);
	return r;
}

static void mirror_rebuild(struct cmdline_history *h)
{
	HistEvent ev;
	for (size_t i = 0; i < h->n; i++)
		free(h->items[i]);
	h->n = 0;
	h->items = xreallocarray(h->items, h->max ? h->max : 1, sizeof(*h->items));
	for (int r = history(h->h, &ev, H_LAST); r != -1 && h->n < h->max;
	     r = history(h->h, &ev, H_PREV))
		h->items[h->n++] = xstrdup(ev.str);
}

static char *safe_path(const char *p)
{
	return sanitize_strdup(p, 0);
}

struct cmdline_history *cmdline_history_open(const char *path, size_t max, char **err)
{
	struct cmdline_history *h = xcalloc(1, sizeof(*h));
	HistEvent ev;

	*err = NULL;
	h->max = max ? max : 1;
	h->h = history_init();
	history(h->h, &ev, H_SETSIZE, (int)(h->max > INT_MAX ? INT_MAX : h->max));
	history(h->h, &ev, H_SETUNIQUE, 1);
	h->path = path ? xstrdup(path) : cmdline_history_default_path();
	if (!h->path) {
		*err = xstrdup("history: neither XDG_STATE_HOME nor HOME is set; history is not "
		               "saved");
		return h;
	}
	int r = make_parent(h->path);
	char *sp = safe_path(h->path);
	if (r < 0) {
		*err = xasprintf("history: cannot create the directory of %s: %s", sp,
		                 strerror(-r));
	} else if (access(h->path, F_OK) == 0) {
		if (history(h->h, &ev, H_LOAD, h->path) < 0)
			*err = xasprintf("history: cannot read %s%s", sp,
			                 access(h->path, R_OK) == 0 ? " (not a history file)" : "");
	}
	free(sp);
	mirror_rebuild(h);
	return h;
}

void cmdline_history_close(struct cmdline_history *h)
{
	if (!h)
		return;
	history_end(h->h);
	for (size_t i = 0; i < h->n; i++)
		free(h->items[i]);
	free(h->items);
	free(h->path);
	free(h);
}

/* Writes the history to a temporary file next to path and renames it, so a
 * crash never leaves a truncated history and the mode is always 0600. */
static int save(struct cmdline_history *h)
{
	HistEvent ev;
	char *tmp = xasprintf("%s.XXXXXX", h->path);
	int fd = mkstemp(tmp);
	if (fd < 0) {
		int e = -errno;
		free(tmp);
		return e;
	}
	int r = 0;
	FILE *f = fdopen(fd, "w");
	if (!f) {
		r = -errno;
		close(fd);
	} else {
		if (fchmod(fd, 0600) < 0 || history(h->h, &ev, H_SAVE_FP, f) < 0)
			r = errno ? -errno : -EIO;
		if (fflush(f) != 0 && r == 0)
			r = -errno;
		if (fclose(f) != 0 && r == 0)
			r = -errno;
	}
	if (r == 0 && rename(tmp, h->path) < 0)
		r = -errno;
	if (r < 0)
		unlink(tmp);
	free(tmp);
	return r;
}

int cmdline_history_add(struct cmdline_history *h, const char *line, char **err)
{
	HistEvent ev;

	*err = NULL;
	if (!line || !*line || (h->n > 0 && strcmp(h->items[h->n - 1], line) == 0))
		return 0;
	history(h->h, &ev, H_ENTER, line);
	mirror_rebuild(h);
	if (!h->path)
		return 0;
	errno = 0;
	int r = save(h);
	if (r < 0) {
		char *sp = safe_path(h->path);
		*err = xasprintf("history: cannot save %s: %s", sp, strerror(-r));
		free(sp);
	}
	return r;
}

size_t cmdline_history_count(const struct cmdline_history *h)
{
	return h->n;
}

const char *cmdline_history_get(const struct cmdline_history *h, size_t i)
{
	return i < h->n ? h->items[i] : NULL;
}

/*
 * The configuration file: $XDG_CONFIG_HOME/swantop/config (default
 * ~/.config/swantop/config), or the file --config names. One statement a
 * line:
 *
 *   set NAME VALUE     a setting of the option table (app/monitor.h):
 *                      the command line's options by their long names
 *   bind KEY COMMAND   run the command line COMMAND when KEY is pressed
 *                      (KEY as ui/termkeys.h names keys: F, C-x, M-t, F5);
 *                      a verb without its SA (bind C-t terminate) acts on
 *                      the selection, as the verb's own key does
 *   unbind KEY         drop a binding made earlier
 *
 * Blank lines and lines whose first non-blank character is '#' are
 * ignored ('#' elsewhere is part of the line: "#3" names an SA). Every
 * error names the file and the line and stops the monitor before it
 * touches the terminal. What the command line says wins over the file.
 */
#ifndef SWANTOP_APP_CONFIG_H
#define SWANTOP_APP_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "action/action.h"
#include "app/monitor.h"

struct keymap;

/* The default file: $XDG_CONFIG_HOME/swantop/config, else
 * $HOME/.config/swantop/config; NULL when neither is set. Newly allocated. */
char *config_default_path(void);

/* Runs the statements of text[0..len) (a file's contents; name is how
 * errors call the file) over o and km. Returns 0, or -EINVAL with
 * "NAME:LINE: what is wrong" in err; what the lines before it set stays. */
int config_parse(const char *text, size_t len, const char *name, struct monitor_options *o,
                 struct keymap *km, char *err, size_t errsize);
/* Reads the file at path and runs it as config_parse() does. A file that
 * does not exist is no error unless must_exist. Returns 0, or a negative
 * errno with the message in err. */
int config_load(const char *path, bool must_exist, struct monitor_options *o, struct keymap *km,
                char *err, size_t errsize);

/* The monitor's options in order of precedence: the defaults, then the
 * configuration file (--config PATH, none with --no-config or --config
 * /dev/null, else the default file if there is one), then the command
 * line. Bindings go to km. Returns 0, or -EINVAL with the message in err
 * (the command line's own errors come first). Release o with
 * monitor_options_free(). */
int config_options(int argc, char **argv, struct monitor_options *o, struct keymap *km, char *err,
                   size_t errsize);

/* Whether command can be bound to a key: a command line cmdline_parse()
 * takes, or a verb's name alone (then *verb is the verb, to act on the
 * selection; else VERB_NONE). Returns 0, or -EINVAL with the reason. */
int config_bind_check(const char *command, enum verb *verb, char *err, size_t errsize);

/* `set NAME VALUE`'s name, checked: the row, or NULL with "unknown setting
 * "intervall" (did you mean "interval"?)" or "config: a command-line
 * option, not a setting" in err. */
const struct monitor_option *config_setting(const char *name, char *err, size_t errsize);

#endif

#!/usr/bin/env bash
# End-to-end test of the configuration file, live settings and the mouse
# against vicisim (suite fake):
#   - an error in the configuration file stops the monitor with exit 2 and
#     the file:line message before it writes a byte to the terminal;
#   - a binding from the file runs its filter; :bind and :set work live;
#     the ? help lists the bindings; the command line wins over the file;
#   - the monitor asks for SGR mouse reports (and --no-mouse / :set mouse
#     off do not); a click (the exact bytes a terminal sends) selects the
#     row under it, a double-click opens its detail view, the wheel
#     scrolls; mouse reports are off again after q.
set -uo pipefail
. "$(dirname "$0")/monitor-lib.sh"
mon_need_sim
trap 'sim_stop; mon_cleanup' EXIT

sim_start none
cfgdir=$MON_WORK/.config/swantop
mkdir -p "$cfgdir"

# sgr B X Y [m]: a mouse report for cell (X, Y), 1-based, as a terminal
# sends it in mode 1006 (M press, m release).
sgr() {
	local hex
	hex=$(printf '\033[<%s;%s;%s%s' "$1" "$2" "$3" "${4:-M}" | od -An -tx1)
	# shellcheck disable=SC2086
	tmux_send_hex $hex
}

# The title of the focused pane or overlay (the third line).
title() {
	screen | sed -n 3p | sed -E 's/^─▶ //; s/ ─.*//'
}

# --- an error in the file: exit 2, the message, the terminal untouched ---
printf '# swantop\nset interval 2\nset intervall 3\n' >"$cfgdir/config"
mon_start 100 30 --uri "$uri"
[ "$(mon_exit_code 10)" = 2 ] || fail "a bad configuration file did not exit 2"
grep -qxF 'swantop: ~/.config/swantop/config:3: unknown setting "intervall" (did you mean "interval"?)' \
	"$MON_WORK/stderr" || fail "wrong message: $(cat "$MON_WORK/stderr")"
[ ! -s "$E2E_RAW" ] || fail "the terminal was written to: $(od -c "$E2E_RAW" | head -3)"
# the same with --config, and a bad binding
printf 'bind F filtre x\n' >"$MON_WORK/other"
mon_start 100 30 --uri "$uri" --config "$MON_WORK/other"
[ "$(mon_exit_code 10)" = 2 ] || fail "a bad --config file did not exit 2"
grep -qF "other:1: bind: unknown command 'filtre' (did you mean 'filter'?)" "$MON_WORK/stderr" ||
	fail "wrong message: $(cat "$MON_WORK/stderr")"
# --no-config does not read it
mon_start 100 30 --uri "$uri" --no-config --interval 0.5
mon_wait 'ESTABLISHED' 10
mon_keys q
[ "$(mon_exit_code 10)" = 0 ] || fail "--no-config did not run"
grep -qF $'\e[?1006h' "$E2E_RAW" || fail "SGR mouse reports were not asked for"
tail -c 200 "$E2E_RAW" | grep -qF $'\e[?1006l' || fail "mouse reports not turned off at the end"

# --- a binding from the file; :bind, :set and the help live ---
cat >"$cfgdir/config" <<'CFG'
# what the operator wants
set interval 0.5
set theme mono
bind F filter state=CONNECTING
CFG
mon_start 120 36 --uri "$uri" --theme default
mon_wait 'ESTABLISHED' 10
[ "$(pane_flag mouse_sgr_flag)" = 1 ] || fail "mouse reports are not on"
mon_keys F
mon_wait 'filter: state=CONNECTING' 5
screen | grep -q 'ESTABLISHED' && fail "the bound filter left ESTABLISHED rows"
screen | grep -q 'CONNECTING' || fail "the bound filter hid the CONNECTING SA"
mon_keys Escape
mon_wait 'ESTABLISHED' 5
tmux_type ':bind G filter state=ESTABLISHED'
mon_keys Enter
mon_wait 'G: filter state=ESTABLISHED' 5
mon_keys G
mon_wait 'filter: state=ESTABLISHED' 5
screen | grep -q 'CONNECTING  ' && fail "the :bind filter left CONNECTING rows"
mon_keys Escape
tmux_type ':set interval 3'
mon_keys Enter
mon_wait 'interval 3' 5
# the command line's --theme won over the file's
tmux_type ':set theme'
mon_keys Enter
mon_wait 'theme default' 5
tmux_type ':set intervall 3'
mon_keys Enter
mon_wait 'unknown setting "intervall" \(did you mean "interval"\?\)' 5
mon_keys '?'
mon_wait 'Your bindings' 5
screen | grep -Eq '^ *F +:filter state=CONNECTING' || fail "the help does not list F"
mon_keys Escape
mon_wait_gone 'Your bindings' 5
tmux_type ':unbind G'
mon_keys Enter
mon_wait 'G: unbound' 5
tmux_type ':set mouse off'
mon_keys Enter
mon_wait 'mouse off' 5
[ "$(pane_flag mouse_sgr_flag)" = 0 ] || fail ":set mouse off left mouse reports on"
tmux_type ':set mouse on'
mon_keys Enter
mon_wait 'mouse on' 5
[ "$(pane_flag mouse_sgr_flag)" = 1 ] || fail ":set mouse on did not turn them on"

# --- the mouse: click, double-click, wheel ---
# The SA pane: title on line 3, heading on 4, rows from 5.
row_name() { # LINE: the first name on that screen line
	screen | sed -n "$1p" | grep -oE '[a-z][a-z0-9_-]*[0-9]' | head -1
}
name=$(row_name 7)
[ -n "$name" ] || fail "no row on line 7: $(screen)"
sgr 0 10 7
sgr 0 10 7 m
sleep 0.5 # past the double-click time
mon_keys Enter
mon_wait "^─▶ (IKE|CHILD) SA .*$name" 5
mon_keys Escape
mon_wait '^─▶ 1 SAs' 5
# a double-click on another row opens its detail view
name=$(row_name 5)
sgr 0 10 5
sgr 0 10 5 m
sgr 0 10 5
sgr 0 10 5 m
mon_wait "^─▶ (IKE|CHILD) SA .*$name" 5
mon_keys Escape
mon_wait '^─▶ 1 SAs' 5
# a click in the event pane focuses it
evline=$(screen | grep -n '4 events' | head -1 | cut -d: -f1)
[ -n "$evline" ] || fail "no event pane"
sgr 0 10 $((evline + 1))
mon_wait '^─▶ 4 events' 5
# the wheel over the SA pane focuses and scrolls it
sgr 65 10 6
mon_wait '^─▶ 1 SAs' 5
mon_keys q
[ "$(mon_exit_code 10)" = 0 ] || fail "q did not exit 0"
[ "$(pane_flag mouse_sgr_flag)" = 0 ] || fail "mouse reports still on after q"

# --- --no-mouse: never asked for ---
mon_start 100 30 --uri "$uri" --no-mouse
mon_wait 'ESTABLISHED' 10
[ "$(pane_flag mouse_sgr_flag)" = 0 ] || fail "--no-mouse turned mouse reports on"
mon_keys q
[ "$(mon_exit_code 10)" = 0 ] || fail "q did not exit 0"
grep -qF $'\e[?1000h' "$E2E_RAW" && fail "--no-mouse asked for mouse reports"
echo "PASS"

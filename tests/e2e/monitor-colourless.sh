#!/usr/bin/env bash
# The selected row is visible without colours (suite fake): on a vt100 and
# with NO_COLOR the cursor row is drawn in reverse video, the column heading
# is not, and moving the selection moves the reverse row.
set -uo pipefail
. "$(dirname "$0")/monitor-lib.sh"
mon_need_sim

trap 'sim_stop; mon_cleanup' EXIT
sim_start none 0 --ike 4 --children 1

# reverse_rows: the screen's lines that carry reverse video (SGR 7)
reverse_rows() {
	screen_attrs | grep -n $'\e\\[[0-9;]*7[;m]' | cut -d: -f1
}

check() { # what
	mon_wait 'ESTABLISHED' 10
	mon_keys g
	sleep 0.5
	local rows heading first second
	rows=$(reverse_rows)
	heading=$(screen | grep -n '^NAME' | head -1 | cut -d: -f1)
	first=$(screen | grep -n '#1 ' | head -1 | cut -d: -f1)
	[ -n "$heading" ] && [ -n "$first" ] || fail "$1: no heading or first row"
	grep -qx "$first" <<<"$rows" || fail "$1: the selected row (line $first) is not reverse: $rows"
	grep -qx "$heading" <<<"$rows" && fail "$1: the heading is reverse like the selection"
	mon_keys j
	sleep 0.5
	second=$((first + 1))
	rows=$(reverse_rows)
	grep -qx "$second" <<<"$rows" || fail "$1: the selection did not move to line $second"
	grep -qx "$first" <<<"$rows" && fail "$1: the old row still looks selected"
	mon_keys q
	[ "$(mon_exit_code 10)" = 0 ] || fail "$1: exit status"
	echo "ok: $1"
}

tmux_start -x 100 -y 30 -e "HOME=$E2E_WORK" -e TERM=vt100 "$SWANTOP" --uri "$uri" --readonly
check "TERM=vt100, default theme"
tmux_start -x 100 -y 30 -e "HOME=$E2E_WORK" -e NO_COLOR=1 "$SWANTOP" --uri "$uri" --readonly
check "NO_COLOR"
mon_start 100 30 --uri "$uri" --readonly --theme mono
check "mono theme"
exit 0

#!/usr/bin/env bash
# screenshots/make.sh: PNGs of the running monitor for the README.
# Runs swantop on a lab gateway in tmux, captures the screen with colours
# (tmux capture-pane -e), turns it into HTML (aha) and renders that with
# headless Chromium. Needs a running lab (scripts/lab up; traffic helps:
# scripts/lab traffic --forever) and the packages aha and chromium. A
# recorder (swantop record) runs on the lab for RECORD seconds first
# (default 240) so that the history views have something to show, and
# scripts/lab fail badpsk puts a verdict into the history. The monitor
# watches from the start, so its event and log panes hold what happened.
#
# The monitor judges what it sees live; it does not read the verdicts in
# the store, so one started after a failure shows none. The verdict
# (why.png) is shot last, from a second monitor on the lab's peer:
# started first, it watches scripts/lab fail badpsk once more, and the
# peer is the side that refuses the wrong pre-shared key, with charon's
# own words for it. badpsk adds no connections, so the lab needs no
# restoring afterwards.
#
#   screenshots/make.sh [BUILD_DIR]      (default build)
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:-build}
# scripts/deps installs tmux, not aha and chromium: only this script needs them
for t in aha chromium tmux; do
	command -v "$t" >/dev/null ||
		{ echo "make.sh: $t missing (scripts/deps does not install it: apt-get install aha chromium tmux)" >&2; exit 1; }
done
eval "$(scripts/lab env)"
work=$(mktemp -d)
sock="shots-$$"
T="tmux -L $sock -f /dev/null"
trap '$T kill-server 2>/dev/null; rm -rf "$work"' EXIT
cols=150 rows=42

monitor() { # session uri [options...]
	local s=$1 uri=$2
	shift 2
	$T new-session -d -s "$s" -x $cols -y $rows \
		"env TERM=xterm-256color LANG=C.UTF-8 LC_ALL=C.UTF-8 HOME=$work $build/src/swantop --uri $uri --interval 1 $*"
}

# screen SESSION REGEX SECONDS: wait until that monitor's screen matches, or stop
screen() {
	local i
	for ((i = 0; i < $3 * 5; i++)); do
		$T capture-pane -p -t "$1" | grep -Eq -- "$2" && return 0
		sleep 0.2
	done
	{
		echo "make.sh: /$2/ not on the screen of $1 after $3 s:"
		$T capture-pane -p -t "$1"
	} >&2
	exit 1
}

shot() { # name [session]
	$T capture-pane -e -p -t "${2:-s}" >"$work/$1.ans"
	{
		echo '<!DOCTYPE html><html><head><meta charset="utf-8"><style>'
		echo 'body{background:#101418;margin:0;padding:10px}'
		echo 'pre{font-family:"DejaVu Sans Mono",monospace;font-size:14px;line-height:1.2;color:#d8dee4;margin:0}'
		echo '</style></head><body><pre>'
		aha --black --no-header <"$work/$1.ans"
		echo '</pre></body></html>'
	} >"$work/$1.html"
	chromium --headless --no-sandbox --disable-gpu --hide-scrollbars \
		--disable-background-networking --no-first-run --user-data-dir="$work/chrome" \
		--window-size=1400,760 --screenshot="$PWD/screenshots/$1.png" "file://$work/$1.html" \
		>/dev/null 2>&1
	echo "screenshots/$1.png"
}

db=$work/history.db
record=${RECORD:-240}
$build/src/swantop record --uri "$SWANTOP_LAB_URI" --db "$db" --interval 10 >"$work/record.log" 2>&1 &
rec=$!
trap 'kill $rec 2>/dev/null; $T kill-server 2>/dev/null; rm -rf "$work"' EXIT
monitor s "$SWANTOP_LAB_URI" --db "$db"
screen s 'site1 .*ESTABLISHED' 20
sleep 5
scripts/lab fail badpsk >/dev/null 2>&1 || true
# a few outages for the timeline and the flap counts
for i in 1 2; do
	swanctl --terminate --ike site2 --uri "$SWANTOP_LAB_URI" >/dev/null 2>&1
	sleep 3
	swanctl --initiate --child site2-lan --uri "$SWANTOP_LAB_URI" >/dev/null 2>&1
	sleep 3
done
sleep "$record"

# the SA tree with its rates and the last hour of traffic
shot sas
# the timeline of a connection that flapped, from the store
$T send-keys -t s 2 / site2 Enter g Enter Tab
sleep 2
shot timeline
# only what needs attention
$T send-keys -t s Escape Escape Escape 1 '!'
sleep 2
shot problems
# the log, filtered to the IKE group
$T send-keys -t s '!' 5 z / 'group=IKE' Enter
sleep 2
shot log
$T send-keys -t s q

# why is it down: the peer's monitor runs before the failure (WHY empty),
# sees the verdict come, and its detail view shows the verdict, charon's
# lines, what to check next and the retry command
monitor p "$SWANTOP_LAB_PEER_URI"
$T send-keys -t p 2 / badpsk Enter
screen p '^badpsk +. down +IKEv2' 20
scripts/lab fail badpsk >"$work/fail.log" 2>&1 || { cat "$work/fail.log" >&2; exit 1; }
screen p '^badpsk +. down +auth-failed' 30
$T send-keys -t p g Enter
screen p '^ +retry: swanctl ' 10
shot why p
$T send-keys -t p q
kill $rec
wait $rec 2>/dev/null

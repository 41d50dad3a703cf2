#!/usr/bin/env bash
# screenshots/make.sh: PNGs of the running monitor for the README.
# Runs swantop on a lab gateway in tmux, captures the screen with colours
# (tmux capture-pane -e), turns it into HTML (aha) and renders that with
# headless Chromium. Needs a running lab (scripts/lab up; traffic helps:
# scripts/lab traffic --forever) and the packages aha and chromium.
#
#   screenshots/make.sh [BUILD_DIR]      (default build)
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:-build}
for t in aha chromium tmux; do
	command -v "$t" >/dev/null || { echo "make.sh: $t missing (apt-get install aha chromium)" >&2; exit 1; }
done
eval "$(scripts/lab env)"
work=$(mktemp -d)
sock="shots-$$"
T="tmux -L $sock -f /dev/null"
trap '$T kill-server 2>/dev/null; rm -rf "$work"' EXIT
cols=150 rows=42

$T new-session -d -s s -x $cols -y $rows \
	"env TERM=xterm-256color LANG=C.UTF-8 LC_ALL=C.UTF-8 HOME=$work $build/src/swantop --uri $SWANTOP_LAB_URI --interval 1"
sleep 4

shot() { # name
	$T capture-pane -e -p -t s >"$work/$1.ans"
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

# some life in the event and log panes: rekey the IKE SA site1 and a CHILD SA
$T send-keys -t s g j j j r
sleep 1
$T send-keys -t s j r
sleep 3
shot sas
$T send-keys -t s 2
sleep 1
shot conns
$T send-keys -t s 1 5 z
sleep 1
shot log
$T send-keys -t s z 1 ':' 'initiate dead' Enter
sleep 4
shot action
$T send-keys -t s q

# Helpers for the monitor's end-to-end tests: the real binary in a private
# tmux server (own socket, so tests can run in parallel), its raw terminal
# output recorded with pipe-pane, waiting for text on the screen.
# Source it; set SWANTOP (the binary) first. Exit codes: 0 pass, 1 fail,
# 77 skip.

: "${SWANTOP:?}"
command -v tmux >/dev/null || { echo "SKIP: tmux missing"; exit 77; }
MON_WORK=$(mktemp -d /tmp/swantop-mon.XXXXXX)
MON_TMUX="tmux -L mon-$$-$RANDOM -f /dev/null"
MON_RAW=$MON_WORK/raw.out

mon_cleanup() {
	$MON_TMUX kill-server 2>/dev/null || true
	rm -rf "$MON_WORK"
}

fail() {
	echo "FAIL: $*" >&2
	echo "---- screen ----" >&2
	mon_screen >&2 || true
	echo "---- stderr ----" >&2
	cat "$MON_WORK/stderr" >&2 2>/dev/null || true
	exit 1
}

# mon_start COLS ROWS ARGS...: runs swantop ARGS in a fresh tmux session.
mon_start() {
	local cols=$1 rows=$2
	shift 2
	local q=""
	for a in "$@"; do q="$q $(printf '%q' "$a")"; done
	$MON_TMUX new-session -d -s mon -x "$cols" -y "$rows" \
		"env LANG=C.UTF-8 LC_ALL=C.UTF-8 TERM=tmux-256color \
		HOME=$MON_WORK $SWANTOP$q 2>$MON_WORK/stderr; echo \$? >$MON_WORK/exit; sleep 600"
	$MON_TMUX pipe-pane -o -t mon "cat >>$MON_RAW"
}

mon_screen() {
	$MON_TMUX capture-pane -p -t mon
}

mon_keys() {
	$MON_TMUX send-keys -t mon "$@"
}

# mon_wait PATTERN [SECONDS]: waits until the screen matches (grep -E).
mon_wait() {
	local pat=$1 t=${2:-10} i=0
	while [ "$i" -lt $((t * 10)) ]; do
		mon_screen | grep -Eq -- "$pat" && return 0
		sleep 0.1
		i=$((i + 1))
	done
	fail "timed out after ${t}s waiting for /$pat/"
}

# mon_wait_gone PATTERN [SECONDS]
mon_wait_gone() {
	local pat=$1 t=${2:-10} i=0
	while [ "$i" -lt $((t * 10)) ]; do
		mon_screen | grep -Eq -- "$pat" || return 0
		sleep 0.1
		i=$((i + 1))
	done
	fail "timed out after ${t}s waiting for /$pat/ to go away"
}

# mon_exit_code [SECONDS]: waits for the monitor to exit, prints its status.
mon_exit_code() {
	local t=${1:-10} i=0
	while [ ! -s "$MON_WORK/exit" ] && [ "$i" -lt $((t * 10)) ]; do
		sleep 0.1
		i=$((i + 1))
	done
	cat "$MON_WORK/exit" 2>/dev/null || echo none
}

mon_resize() {
	$MON_TMUX resize-window -t mon -x "$1" -y "$2"
}

# Helpers for the monitor's end-to-end tests, on top of the shared tmux
# harness (tests/e2e/tmux.sh: private tmux server, raw output recorded,
# waits that fail with a screen dump). Source it after setting SWANTOP (the
# binary). Exit codes: 0 pass, 1 fail, 77 skip.

: "${SWANTOP:?}"
. "$(dirname "${BASH_SOURCE[0]}")/tmux.sh"
MON_WORK=$E2E_WORK
MON_TMUX=$E2E_TMUX

mon_cleanup() {
	e2e_cleanup
}

fail() {
	e2e_fail "$@"
}

# mon_start COLS ROWS ARGS...: runs swantop ARGS (history kept in the work
# directory, not in the real home).
mon_start() {
	local cols=$1 rows=$2
	shift 2
	tmux_start -x "$cols" -y "$rows" -e "HOME=$E2E_WORK" "$SWANTOP" "$@"
}

mon_screen() {
	screen
}

mon_keys() {
	tmux_send "$@"
}

# mon_wait REGEX [SECONDS]
mon_wait() {
	wait_for_re "$1" "${2:-10}"
}

# mon_wait_gone REGEX [SECONDS]
mon_wait_gone() {
	local pat=$1 t=${2:-10} i=0
	while [ "$i" -lt $((t * 10)) ]; do
		screen | grep -Eq -- "$pat" || return 0
		sleep 0.1
		i=$((i + 1))
	done
	e2e_fail "timed out after ${t}s waiting for /$pat/ to go away"
}

mon_exit_code() {
	tmux_exit_status "${1:-10}"
}

mon_resize() {
	tmux_resize "$1" "$2"
}

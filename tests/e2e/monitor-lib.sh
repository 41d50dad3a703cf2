# Helpers for the monitor's end-to-end tests, on top of the shared tmux
# harness (tests/e2e/tmux.sh: private tmux server, raw output recorded,
# waits that fail with a screen dump). Source it after setting SWANTOP (the
# binary) and, for sim_start, VICISIM. Exit codes: 0 pass, 1 fail, 77 skip.

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

# sim_start [FAULTS [CHURN]]: vicisim on $MON_WORK/sim.vici with 6 IKE SAs
# (default faults: hostile; "none" for none; default churn 0, so that what a
# test selects stays there). sim_stop stops it.
sim_pid=
sim_start() {
	local faults=()
	[ "${1:-hostile}" != none ] && faults=(--fault "${1:-hostile}")
	"$VICISIM" --socket "$MON_WORK/sim.vici" --ike 6 --children 2 --connecting 1 \
		--log-rate 20 --churn "${2:-0}" "${faults[@]}" >"$MON_WORK/sim.out" 2>&1 &
	sim_pid=$!
	for _ in $(seq 50); do
		grep -q ready "$MON_WORK/sim.out" && return 0
		sleep 0.1
	done
	echo "vicisim did not start" >&2
	exit 1
}
sim_stop() {
	[ -n "$sim_pid" ] && kill "$sim_pid" 2>/dev/null && wait "$sim_pid" 2>/dev/null
	sim_pid=
}

# sa_listed IKE-ID: does charon at $uri list the IKE SA? A call that fails
# says nothing either way: it is tried again, and fails the test. (The reply
# is read whole: a reader that stopped early would fail the call.)
sa_listed() {
	local out rc i
	for i in 1 2 3 4 5; do
		out=$("$SWANTOP" call list-sas ike-id="$1" --uri "$uri" 2>&1)
		rc=$?
		[ "$rc" = 0 ] && break
		echo "swantop call list-sas: exit $rc: $out" >&2
		sleep 0.2
	done
	[ "$rc" = 0 ] || e2e_fail "swantop call list-sas failed $i times"
	grep -q '"uniqueid"' <<<"$out"
}

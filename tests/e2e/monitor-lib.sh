# Helpers for the monitor's end-to-end tests, on top of the shared tmux
# harness (tests/e2e/tmux.sh: private tmux server, raw output recorded,
# waits that fail with a screen dump). SWANTOP (the binary) and VICISIM
# default to the build in $SWANTOP_BUILD_DIR (meson sets it; else build/).
# Exit codes: 0 pass, 1 fail, 77 skip.

src=${SWANTOP_SOURCE_DIR:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}
build=${SWANTOP_BUILD_DIR:-$src/build}
SWANTOP=${SWANTOP:-$build/src/swantop}
VICISIM=${VICISIM:-$build/src/sim/vicisim}
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

# mon_need_sim: skip (77) when vicisim is not built.
mon_need_sim() {
	[ -x "$VICISIM" ] || { echo "SKIP: vicisim not built"; exit 77; }
}

# mon_lab_up NAME: skip (77) without root, charon or network namespaces;
# else starts a private lab (scripts/lab) named NAME$$, taken down on exit,
# with its variables (SWANTOP_LAB_URI ...) set and uri its gateway's socket.
mon_lab_up() {
	[ "$(id -u)" = 0 ] || { echo "SKIP: needs root"; exit 77; }
	command -v swanctl >/dev/null || { echo "SKIP: swanctl missing"; exit 77; }
	[ -x /usr/lib/ipsec/charon ] || { echo "SKIP: charon missing"; exit 77; }
	ip netns add "swantop-probe-$$" 2>/dev/null || { echo "SKIP: no network namespaces"; exit 77; }
	ip netns del "swantop-probe-$$"
	export SWANTOP_LAB_NAME=$1$$
	export SWANTOP_LAB_DIR=/tmp/$1$$
	lab=$src/scripts/lab
	trap '"$lab" down >/dev/null 2>&1; rm -rf "$SWANTOP_LAB_DIR"; mon_cleanup' EXIT
	"$lab" up >"$MON_WORK/lab.out" 2>&1 || { cat "$MON_WORK/lab.out" >&2; echo "FAIL: lab up"; exit 1; }
	eval "$("$lab" env)"
	uri=$SWANTOP_LAB_URI
}

# sim_start [FAULTS [CHURN [VICISIM-ARGS...]]]: vicisim on
# $MON_WORK/sim.vici, by default with 6 IKE SAs (default faults: hostile;
# "none" for none; default churn 0, so that what a test selects stays
# there); uri is its socket. sim_stop stops it.
sim_pid=
sim_start() {
	local faults=() churn=${2:-0}
	[ "${1:-hostile}" != none ] && faults=(--fault "${1:-hostile}")
	shift $(($# < 2 ? $# : 2))
	[ $# -gt 0 ] || set -- --ike 6 --children 2 --connecting 1 --log-rate 20
	"$VICISIM" --socket "$MON_WORK/sim.vici" "$@" --churn "$churn" "${faults[@]}" \
		>"$MON_WORK/sim.out" 2>&1 &
	sim_pid=$!
	uri=unix://$MON_WORK/sim.vici
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

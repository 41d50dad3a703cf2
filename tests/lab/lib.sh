# Helpers for the lab suite, sourced by tests/lab/*.sh.
# The caller sets $test (a short name); lib.sh picks the swantop binary from
# $1, skips (exit 77) without root or network namespaces, gives the test its
# own lab (SWANTOP_LAB_NAME/DIR) and takes it down on exit, also on failure.

src=${SWANTOP_SOURCE_DIR:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}
lab=$src/scripts/lab
swantop=${1:-${SWANTOP_BUILD_DIR:-$src/build}/src/swantop}

if [ "$(id -u)" -ne 0 ]; then
	echo "skipped: needs root"
	exit 77
fi
probe=swt-probe-$$
if ! ip netns add "$probe" 2>/dev/null; then
	echo "skipped: needs root and network namespaces (ip netns add failed)"
	exit 77
fi
ip netns del "$probe"
[ -x "$swantop" ] || {
	echo "FAIL: swantop binary not found: $swantop" >&2
	exit 1
}

work=$(mktemp -d "/tmp/swt-$test.XXXXXX")
export SWANTOP_LAB_NAME=swt-$test-$$
export SWANTOP_LAB_DIR=$work/lab
bg_pids=()

cleanup() {
	local p
	for p in "${bg_pids[@]}"; do
		kill "$p" 2>/dev/null || true
	done
	"$lab" down >/dev/null 2>&1 || echo "$test: scripts/lab down failed" >&2
	wait 2>/dev/null
	rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 1' INT TERM

fail() {
	echo "FAIL: $*" >&2
	exit 1
}
step() { echo "--- $*"; }
# alive PID: the process runs (a zombie waiting for its reaper has ended; in
# a container nothing may reap a daemon whose parent has gone)
alive() {
	kill -0 "$1" 2>/dev/null && [ "$(awk '{ print $3 }' "/proc/$1/stat" 2>/dev/null)" != Z ]
}

# wait_for SECONDS CMD...: polls CMD every 0.2 s until it succeeds
wait_for() {
	local t=$1 i
	shift
	for ((i = 0; i < t * 5; i++)); do
		"$@" && return 0
		sleep 0.2
	done
	return 1
}

lab_up() { # args for scripts/lab up
	"$lab" up "$@" >"$work/up.out" 2>&1 || {
		cat "$work/up.out" >&2
		fail "scripts/lab up $* failed"
	}
	eval "$("$lab" env)"
	[ -S "${SWANTOP_LAB_URI#unix://}" ] || fail "no VICI socket at $SWANTOP_LAB_URI"
}

# call COMMAND ARGS...: swantop call against the gateway; stdout in
# $work/call.out, stderr in $work/call.err, exit code in $rc
call() {
	rc=0
	"$swantop" call "$@" -u "$SWANTOP_LAB_URI" >"$work/call.out" 2>"$work/call.err" || rc=$?
}

show_call() {
	echo "--- stdout:" >&2
	head -c 4000 "$work/call.out" >&2
	echo "--- stderr:" >&2
	head -c 2000 "$work/call.err" >&2
}

# the gateway's SAs as seen by swanctl (reference)
swanctl_sas() {
	STRONGSWAN_CONF=$SWANTOP_LAB_STRONGSWAN_CONF swanctl --list-sas --uri "$SWANTOP_LAB_URI" 2>/dev/null
}

# child_state NAME: state of the gateway's CHILD SA NAME per swanctl
child_state() {
	swanctl_sas | awk -v n="$1:" '$1 == n && $3 == "reqid" { s=$5; sub(/,$/, "", s); print s; exit }'
}

# start_listen OUT ERR EVENT...: swantop listen in the background, returns
# once it demonstrably receives events (a load-conn logs a line)
start_listen() {
	local out=$1 err=$2
	shift 2
	"$swantop" listen "$@" log -u "$SWANTOP_LAB_URI" >"$out" 2>"$err" &
	listen_pid=$!
	bg_pids+=("$listen_pid")
	listen_ready "$out" || {
		cat "$err" >&2
		fail "swantop listen $* log: no log event within 20 s"
	}
}

# listen_ready OUT: makes charon log until the listener shows it
listen_ready() {
	local i
	for ((i = 0; i < 20; i++)); do
		"$swantop" call load-conn -u "$SWANTOP_LAB_URI" \
			--json '{"lab-ready": {"remote_addrs": ["192.0.2.250"], "local": {"auth": "psk"}, "remote": {"auth": "psk"}}}' \
			>/dev/null 2>&1 || true
		sleep 0.5
		# unloaded each time, so the next load logs "added" again
		"$swantop" call unload-conn name=lab-ready -u "$SWANTOP_LAB_URI" >/dev/null 2>&1 || true
		grep -q 'lab-ready' "$1" 2>/dev/null && return 0
		sleep 0.5
	done
	return 1
}

# jqany FILTER FILE: true when FILTER yields true for any JSON line of FILE
# (jq 1.6 -e looks only at the last output, so lines are slurped)
jqany() {
	jq -e -s "[.[] | ($1)] | any" "$2" >/dev/null 2>&1
}

# why_start SIDE: swantop why --json --wait in the background on gw or peer,
# its output in $work/why.SIDE.json; why_stop SIDE: SIGINT (judge now), then
# it must exit 0 with a JSON array
why_start() {
	local uri=$SWANTOP_LAB_URI
	[ "$1" = peer ] && uri=$SWANTOP_LAB_PEER_URI
	"$swantop" why --json --wait 120 -u "$uri" >"$work/why.$1.json" 2>"$work/why.$1.err" &
	eval "why_$1=$!"
	bg_pids+=($!)
}

why_stop() {
	local pid rc=0
	eval "pid=\$why_$1"
	kill -INT "$pid" 2>/dev/null
	wait "$pid" || rc=$?
	[ "$rc" -eq 0 ] || { cat "$work/why.$1.err" >&2; fail "why on $1 exited $rc"; }
	jq -e 'type == "array"' "$work/why.$1.json" >/dev/null ||
		{ cat "$work/why.$1.json" >&2; fail "why --json on $1: not a JSON array"; }
}

# why_provoke SCENARIO: swantop why listening on both sides (why_start),
# then scripts/lab fail SCENARIO; $scenario names it for messages
why_provoke() {
	scenario=$1
	step "fail $1"
	why_start gw
	why_start peer
	# both have loaded the tables and listen once the lab's own log shows
	# their list-sas; a second is plenty
	sleep 1.5
	"$lab" fail "$1" >"$work/fail.out" 2>&1 || { cat "$work/fail.out" >&2; fail "scripts/lab fail $1"; }
}

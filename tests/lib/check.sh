# Shared helpers for the shell test scripts. Source it:
#   . "$src/tests/lib/check.sh"
# fail MSG: record a failure and go on; pass MSG: note a passed check;
# wait_for SECONDS CMD...: poll CMD every 0.1 s until it succeeds (status 1
# when SECONDS pass first); finish: exit 1 with the count if anything failed,
# else 0; sim [vicisim options...]: (re)start vicisim ($vicisim) on
# $tmp/vici.sock, stop_sim: stop it.

failures=0
fail() {
	echo "FAIL: $*"
	failures=$((failures + 1))
}
pass() { echo "ok: $*"; }

wait_for() {
	local n=$(($1 * 10))
	shift
	while [ "$n" -gt 0 ]; do
		"$@" && return 0
		sleep 0.1
		n=$((n - 1))
	done
	return 1
}

finish() {
	if [ "$failures" -gt 0 ]; then
		echo "$failures failure(s)"
		exit 1
	fi
	exit 0
}

stop_sim() {
	if [ -n "${sim_pid:-}" ]; then
		kill "$sim_pid" 2>/dev/null
		wait "$sim_pid" 2>/dev/null
		sim_pid=
	fi
}
sim() {
	stop_sim
	"$vicisim" --socket "$tmp/vici.sock" "$@" >"$tmp/sim.out" 2>"$tmp/sim.err" &
	sim_pid=$!
	wait_for 5 grep -q '^ready' "$tmp/sim.out" ||
		{ echo "vicisim did not start: $(cat "$tmp/sim.err")"; exit 1; }
}

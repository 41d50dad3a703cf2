#!/usr/bin/env bash
# `swantop call` and `swantop listen` against vicisim (a VICI server playing
# charon 5.9.8, with fault modes): exit codes for every failure class,
# streamed output, escaping of hostile strings, argument and JSON errors,
# listen's reconnect and --no-reconnect, listen's registration deadline.
# Exit 0 pass, 1 fail, 77 skip.
set -uo pipefail

src=${SWANTOP_SOURCE_DIR:-$(cd "$(dirname "$0")/../.." && pwd)}
build=${SWANTOP_BUILD_DIR:?}
swantop=$build/src/swantop
vicisim=$build/src/sim/vicisim
command -v jq >/dev/null || { echo "jq missing (scripts/deps)"; exit 77; }
[ -x "$vicisim" ] || { echo "no vicisim in $build"; exit 77; }

tmp=$(mktemp -d /tmp/swantop-cli-fake.XXXXXX)
sim_pid=
listen_pid=
cleanup() {
	[ -n "$listen_pid" ] && kill "$listen_pid" 2>/dev/null
	[ -n "$sim_pid" ] && kill "$sim_pid" 2>/dev/null
	wait 2>/dev/null
	rm -rf "$tmp"
}
trap cleanup EXIT
uri=unix://$tmp/vici.sock

. "$src/tests/lib/check.sh"

# run NAME WANT_RC swantop-args...: runs swantop (bounded), checks the exit code;
# output in $tmp/out, $tmp/err
run() {
	local name=$1 want=$2
	shift 2
	timeout 30 "$swantop" "$@" >"$tmp/out" 2>"$tmp/err" </dev/null
	local rc=$?
	if [ "$rc" -ne "$want" ]; then
		fail "$name: exit $rc, want $want; stderr: $(head -c 500 "$tmp/err")"
		return 1
	fi
	# nothing from the daemon may reach a terminal raw
	if LC_ALL=C grep -q $'[\x01-\x08\x0b-\x1f\x7f]' "$tmp/out" "$tmp/err"; then
		fail "$name: raw control characters in the output"
		return 1
	fi
	pass "$name"
}

# --- success, streams ---
sim --ike 3 --children 1
run "version" 0 call version -u "$uri" &&
	{ [ "$(jq -r .daemon "$tmp/out")" = charon ] || fail "version: daemon is not charon"; }
run "list-sas streams one line per SA, then the reply" 0 call list-sas noblock=yes --uri="$uri" && {
	[ "$(jq -r 'select(.event == "list-sa") | .data | keys[0]' "$tmp/out" | wc -l)" -eq 3 ] ||
		fail "list-sas: want 3 list-sa lines: $(cat "$tmp/out")"
	[ "$(tail -1 "$tmp/out")" = "{}" ] || fail "list-sas: last line is not the empty reply"
	[ "$(wc -l <"$tmp/out")" -eq 4 ] || fail "list-sas: want 4 lines"
}
run "stats --pretty" 0 call stats --pretty -u "$uri" && {
	[ "$(wc -l <"$tmp/out")" -gt 5 ] || fail "stats --pretty is not indented"
	jq -e '.workers.total | tonumber > 0' "$tmp/out" >/dev/null || fail "stats: no workers.total"
}

# --- command failure: reply printed, errmsg on stderr, sanitised ---
run "command failure" 1 call initiate "child="$'\e[2J\e]0;x\a' -u "$uri" && {
	jq -e '.success == "no"' "$tmp/out" >/dev/null || fail "failure: reply not printed"
	grep -qF "swantop: initiate failed: CHILD_SA config '\\x1b[2J\\x1b]0;x\\x07' not found" "$tmp/err" ||
		fail "failure: errmsg not escaped once: $(cat "$tmp/err")"
}

# --- unknown command ---
run "unknown command" 6 call no-such-command -u "$uri" &&
	{ grep -q "unknown command 'no-such-command'" "$tmp/err" || fail "unknown: message"; }

# --- usage errors ---
run "usage: no command" 2 call -u "$uri"
run "usage: bad JSON" 2 call load-conn --json '{"a":' -u "$uri"
run "usage: nested arrays" 2 call load-conn --json '{"a":[["x"]]}' -u "$uri" &&
	{ grep -q "nested arrays" "$tmp/err" || fail "nested arrays: message"; }
run "usage: key given twice" 2 call initiate ike=a --json '{"ike":"b"}' -u "$uri" &&
	{ grep -q "given twice" "$tmp/err" || fail "key twice: message"; }
run "usage: --timeout 0 on a command without its own timeout" 2 call version --timeout 0 -u "$uri"
run "usage: unknown option" 2 call version --bogus
run "usage: invalid URI" 2 call version -u "bogus://x"
run "usage: listen without events" 2 listen -u "$uri"

# --- JSON input from stdin and a file ---
echo '{"child": "nope"}' >"$tmp/args.json"
timeout 10 "$swantop" call initiate --json - -u "$uri" <"$tmp/args.json" >"$tmp/out" 2>"$tmp/err"
[ $? -eq 1 ] && grep -q "'nope' not found" "$tmp/err" && pass "--json -" ||
	fail "--json - : $(cat "$tmp/err")"
run "--json @file" 1 call initiate --json "@$tmp/args.json" -u "$uri" &&
	{ grep -q "'nope' not found" "$tmp/err" || fail "@file: $(cat "$tmp/err")"; }
run "--json @missing" 2 call initiate --json "@$tmp/missing.json" -u "$uri"

# --- connection failure ---
run "no socket" 3 call version -u "unix://$tmp/nothing.sock" &&
	{ grep -q "nothing.sock" "$tmp/err" || fail "no socket: message"; }
run "listen: no socket" 3 listen log -u "unix://$tmp/nothing.sock"

# --- timeout: the server never answers ---
sim --fault hang=version
start=$(date +%s%N)
run "timeout" 4 call version --timeout 1 -u "$uri"
ms=$((($(date +%s%N) - start) / 1000000))
[ "$ms" -lt 5000 ] || fail "timeout took ${ms} ms"
sim --fault hang
run "timeout, silent server" 4 call stats -t 0.5 -u "$uri"

# --- listen: a daemon that accepts but never confirms a registration ---
sim --fault hang=register
start=$(date +%s%N)
run "listen: registration never confirmed" 4 listen log ike-updown --timeout 0.5 -u "$uri" &&
	{ grep -qx "swantop: charon did not confirm the registration of log within 0.5 s (--timeout)" \
		"$tmp/err" || fail "listen timeout: message: $(cat "$tmp/err")"; }
ms=$((($(date +%s%N) - start) / 1000000))
[ "$ms" -lt 5000 ] || fail "listen timeout took ${ms} ms"
[ -s "$tmp/out" ] && fail "listen timeout: printed events: $(head -c 200 "$tmp/out")"
# only the second registration hangs: the first is confirmed, listen still gives up
sim --fault hang=register:ike-updown --log-rate 50
run "listen: second registration never confirmed" 4 listen log ike-updown -t 0.5 -u "$uri" &&
	{ grep -q "registration of ike-updown within 0.5 s" "$tmp/err" ||
		fail "listen timeout (ike-updown): message: $(cat "$tmp/err")"; }
run "usage: listen --timeout 0" 2 listen log --timeout 0 -u "$uri"

# --- protocol violations ---
sim --fault oversized=version
run "oversized frame" 5 call version -u "$uri"
sim --fault malformed=version
run "malformed reply" 5 call version -u "$uri"
sim --fault malformed=list-sas --ike 2
run "malformed stream event" 5 call list-sas -u "$uri"

# --- the daemon closes the connection in the middle of a stream ---
sim --fault close-after=2 --ike 5
run "connection lost mid-stream" 3 call list-sas -u "$uri" &&
	{ [ "$(grep -c '"event":"list-sa"' "$tmp/out")" -eq 2 ] || fail "mid-stream: want the 2 events before the close"; }

# --- hostile strings come out escaped, and losslessly ---
sim --fault hostile --ike 2
run "hostile strings" 0 call list-sas -u "$uri" && {
	jq -e . "$tmp/out" >/dev/null || fail "hostile: output is not JSON"
	# the escapes are still there once decoded: nothing was lost
	jq -r '.. | strings' "$tmp/out" >"$tmp/decoded"
	LC_ALL=C grep -q $'\e' "$tmp/decoded" || fail "hostile: escape sequences lost"
}

# --- listen: unknown events, event lines, reconnect ---
sim --log-rate 20
run "listen: no supported event" 6 listen alert -u "$uri" &&
	{ grep -q "event 'alert' is not supported by this daemon" "$tmp/err" || fail "alert: message"; }

lines() { wc -l <"$1"; }
more_lines() { [ "$(lines "$1")" -gt "$2" ]; }

"$swantop" listen alert log -u "$uri" >"$tmp/lout" 2>"$tmp/lerr" &
listen_pid=$!
wait_for 10 more_lines "$tmp/lout" 2 || fail "listen: no log events"
kill -0 "$listen_pid" 2>/dev/null || fail "listen alert log exited although log is supported"
grep -q "event 'alert' is not supported" "$tmp/lerr" || fail "listen: no alert warning"
now=$(date +%s)
jq -se --argjson now "$now" 'length > 0 and all(.[]; .event == "log" and .time > $now - 60 and
	.time < $now + 60 and (.data.msg | type == "string"))' "$tmp/lout" >/dev/null ||
	fail "listen: bad event line: $(head -1 "$tmp/lout")"
grep -Eq '^\{"event":"log","time":[0-9]{10}\.[0-9]{3},"data":\{' "$tmp/lout" ||
	fail "listen: time is not seconds.milliseconds: $(head -1 "$tmp/lout")"
# the daemon goes away and comes back
sim --log-rate 20
wait_for 10 grep -q "reconnected, listening again" "$tmp/lerr" ||
	fail "listen: no 'reconnected' notice: $(cat "$tmp/lerr")"
grep -q "connection lost: .*; reconnecting" "$tmp/lerr" ||
	fail "listen: no 'connection lost' notice: $(cat "$tmp/lerr")"
n=$(lines "$tmp/lout")
wait_for 10 more_lines "$tmp/lout" "$n" || fail "listen: no events after the reconnect"
kill -TERM "$listen_pid"
wait "$listen_pid"
rc=$?
listen_pid=
[ "$rc" -eq 0 ] && pass "listen survives a restart, exits 0 on SIGTERM" || fail "listen: exit $rc on SIGTERM"

# empty it first: the background job truncates it only when it gets to run,
# and the old lines would satisfy the wait below at once
: >"$tmp/lout"
"$swantop" listen log --no-reconnect -u "$uri" >"$tmp/lout" 2>"$tmp/lerr" &
listen_pid=$!
wait_for 10 more_lines "$tmp/lout" 0 || fail "listen --no-reconnect: no events"
stop_sim
if wait_for 10 eval '! kill -0 "$listen_pid" 2>/dev/null'; then
	wait "$listen_pid"
	rc=$?
	[ "$rc" -eq 3 ] && grep -q "connection lost" "$tmp/lerr" && pass "listen --no-reconnect exits 3" ||
		fail "listen --no-reconnect: exit $rc: $(cat "$tmp/lerr")"
else
	fail "listen --no-reconnect still runs after the daemon went away"
fi
listen_pid=

# --- help and version ---
run "--help" 0 --help && { grep -q "6 unknown command" "$tmp/out" || fail "--help text"; }
run "--version" 0 --version && { grep -Eq '^swantop [0-9]' "$tmp/out" || fail "--version text"; }
run "call --help" 0 call --help && { grep -q "swantop listen" "$tmp/out" || fail "call --help text"; }

finish

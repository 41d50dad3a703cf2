#!/usr/bin/env bash
# `swantop listen` against a real private charon: log events triggered by
# commands arrive as JSON lines; `alert` (unknown to 5.9.8) only warns; a
# --timeout shorter than the test does not end it (charon confirms); the
# listener survives a charon crash and restart (stderr notices, events keep
# coming); SIGTERM ends it with 0; --no-reconnect exits 3 when charon stops.
# Exit 0 pass, 1 fail, 77 skip (not root, no charon, no jq).
set -uo pipefail

src=${SWANTOP_SOURCE_DIR:-$(cd "$(dirname "$0")/../.." && pwd)}
build=${SWANTOP_BUILD_DIR:?}
swantop=$build/src/swantop
helper=$src/tests/charon/private-charon.sh
[ "$(id -u)" -eq 0 ] || { echo "not root: skipped"; exit 77; }
[ -x /usr/lib/ipsec/charon ] || { echo "no charon: skipped"; exit 77; }
command -v jq >/dev/null || { echo "no jq: skipped"; exit 77; }

dir=$(mktemp -d /tmp/swantop-charon-listen.XXXXXX)
listen_pid=
cleanup() {
	[ -n "$listen_pid" ] && kill "$listen_pid" 2>/dev/null && wait "$listen_pid" 2>/dev/null
	"$helper" stop "$dir"
	rm -rf "$dir"
}
trap cleanup EXIT
uri=$("$helper" start "$dir") || exit 1

. "$src/tests/lib/check.sh"
# log lines whose msg matches a regex
count_msg() {
	jq -r 'select(.event == "log") | .data.msg' "$dir/lout" 2>/dev/null | grep -c -- "$1"
}
has_msg() { [ "$(count_msg "$1")" -gt 0 ]; }
call() { timeout 30 "$swantop" call "$@" -u "$uri" >/dev/null 2>&1; }

# --timeout 2: charon confirms every registration well within it
started=$(date +%s%N)
"$swantop" listen log ike-updown alert --timeout 2 -u "$uri" >"$dir/lout" 2>"$dir/lerr" &
listen_pid=$!
wait_for 5 grep -q "event 'alert' is not supported by this daemon" "$dir/lerr" &&
	pass "alert: warning on 5.9.8" || fail "alert: no warning: $(cat "$dir/lerr")"
kill -0 "$listen_pid" 2>/dev/null || fail "listen exited although log is supported"

# give the registration a moment, then make charon log something
sleep 0.3
call reload-settings
wait_for 5 has_msg "loaded .* entries for attr plugin" &&
	pass "log events arrive (reload-settings)" ||
	fail "no log event after reload-settings: $(head -c 600 "$dir/lout")"
call load-conn --json '{"swantop-listen": {"remote_addrs": ["127.0.0.1"]}}'
wait_for 5 has_msg "added vici connection: swantop-listen" &&
	pass "log events arrive (load-conn)" || fail "no log event after load-conn"

# past the registration deadline: confirmed registrations do not expire
while [ $((($(date +%s%N) - started) / 1000000)) -lt 2600 ]; do sleep 0.1; done
kill -0 "$listen_pid" 2>/dev/null && ! grep -q "did not confirm" "$dir/lerr" &&
	pass "registrations confirmed within --timeout 2" ||
	fail "listen ended or warned past its registration deadline: $(cat "$dir/lerr")"

# every line is one JSON object of the documented shape
now=$(date +%s)
jq -se --argjson now "$now" 'length > 0 and all(.[]; (.event | type == "string") and
	(.time | type == "number") and .time > $now - 120 and .time < $now + 120 and
	(.data | type == "object"))' "$dir/lout" >/dev/null &&
	pass "event lines: {event, time, data}" || fail "event lines: $(head -3 "$dir/lout")"
grep -Eq '^\{"event":"log","time":[0-9]{10}\.[0-9]{3},"data":\{' "$dir/lout" ||
	fail "time is not unix seconds with milliseconds: $(head -1 "$dir/lout")"

# charon crashes and comes back: listen reconnects and keeps printing
"$helper" kill "$dir"
wait_for 5 grep -q "connection lost: .*; reconnecting" "$dir/lerr" &&
	pass "notice: connection lost" || fail "no 'connection lost' notice: $(cat "$dir/lerr")"
kill -0 "$listen_pid" 2>/dev/null || fail "listen exited when charon went away"
"$helper" start "$dir" >/dev/null || exit 1
wait_for 20 grep -q "reconnected, listening again" "$dir/lerr" &&
	pass "notice: reconnected" || fail "no 'reconnected' notice: $(cat "$dir/lerr")"
before=$(count_msg "added vici connection: swantop-after-restart")
call load-conn --json '{"swantop-after-restart": {"remote_addrs": ["127.0.0.1"]}}'
wait_for 5 has_msg "added vici connection: swantop-after-restart" && [ "$before" -eq 0 ] &&
	pass "log events keep coming after the restart" ||
	fail "no log event after the restart: $(tail -3 "$dir/lout")"
[ "$(grep -c "not supported by this daemon" "$dir/lerr")" -eq 1 ] ||
	fail "the alert warning was repeated: $(cat "$dir/lerr")"
if LC_ALL=C grep -q $'[\x01-\x08\x0b-\x1f\x7f]' "$dir/lout" "$dir/lerr"; then
	fail "raw control characters in listen's output"
fi

kill -TERM "$listen_pid"
wait "$listen_pid"
rc=$?
listen_pid=
[ "$rc" -eq 0 ] && pass "SIGTERM: exit 0" || fail "SIGTERM: exit $rc"

# --no-reconnect: exit 3 when charon stops
"$swantop" listen log --no-reconnect -u "$uri" >/dev/null 2>"$dir/lerr2" &
listen_pid=$!
sleep 0.5
"$helper" stop "$dir"
if wait_for 5 eval '! kill -0 "$listen_pid" 2>/dev/null'; then
	wait "$listen_pid"
	rc=$?
	[ "$rc" -eq 3 ] && grep -q "connection lost" "$dir/lerr2" &&
		pass "--no-reconnect: exit 3 when charon stops" ||
		fail "--no-reconnect: exit $rc: $(cat "$dir/lerr2")"
else
	fail "--no-reconnect: still running after charon stopped"
fi
listen_pid=

finish

#!/usr/bin/env bash
# Lab suite: `swantop record` on the gateway of a real lab. Terminate /
# initiate cycles: the store's ike-down/child-down rows (the monitor's flap
# counts) equal the ike-updown/child-updown events `swantop listen` saw and
# the cycles made; the counters of the tunnels carrying traffic are
# sampled; a charon restart is a gap, a reconnect and a charon-restart row,
# and recording goes on after it; a failed initiate (wrong PSK) is an
# auth-failed verdict in the store, which `swantop why` then shows for the
# connection that is down, with the time it was recorded; SIGTERM: exit 0.
# usage: record.sh SWANTOP_BINARY
set -uo pipefail
test=record
. "$(dirname "$0")/lib.sh"
command -v jq >/dev/null || { echo "skipped: jq missing"; exit 77; }

db=$work/history.db
hist() { "$swantop" history --db "$db" --limit 0 --json "$@"; }
# rows [jq select]: how many records match
rows() { hist | jq -c "select($1)" | wc -l; }
# events EVENT UPDOWN CONN: listen lines of that event, up or down, for CONN
events() {
	jq -c --arg e "$1" --arg c "$3" --arg u "$2" 'select(.event == $e) | .data |
		select(has($c)) | select(($u == "up") == has("up"))' "$work/listen.out" | wc -l
}
child_events() { # UPDOWN CONN: CHILD SAs named in child-updown events of CONN
	jq -r --arg c "$2" --arg u "$1" 'select(.event == "child-updown") | .data |
		select(has($c)) | select(($u == "up") == has("up")) | .[$c]["child-sas"] | length' \
		"$work/listen.out" | awk '{ n += $1 } END { print n + 0 }'
}

step "scripts/lab up 1, traffic, the recorder"
lab_up 1
"$lab" traffic --forever 0.2 >"$work/traffic.out" 2>&1 || fail "traffic --forever failed"
"$swantop" record -u "$SWANTOP_LAB_URI" --db "$db" --interval 2 2>"$work/rec.err" &
rec_pid=$!
bg_pids+=("$rec_pid")
wait_for 20 grep -q 'connected to charon' "$work/rec.err" || { cat "$work/rec.err" >&2; fail "recorder did not connect"; }
start_listen "$work/listen.out" "$work/listen.err" ike-updown child-updown

step "three terminate / initiate cycles of site1"
for i in 1 2 3; do
	call terminate ike=site1 timeout=10000
	[ "$rc" -eq 0 ] || { show_call; fail "cycle $i: terminate site1 exited $rc"; }
	call initiate child=site1-lan timeout=20000
	[ "$rc" -eq 0 ] || { show_call; fail "cycle $i: initiate site1-lan exited $rc"; }
done
call initiate child=site1-voip timeout=20000
[ "$rc" -eq 0 ] || { show_call; fail "initiate site1-voip exited $rc"; }
# the store is written once a second
wait_for 10 eval '[ "$(rows '"'"'.kind == "ike-down" and .conn == "site1"'"'"')" -ge 3 ]' ||
	fail "the store has $(rows '.kind == "ike-down" and .conn == "site1"') ike-down rows of site1, want 3"
sleep 2
for k in down up; do
	want=$(events ike-updown $k site1)
	got=$(rows ".kind == \"ike-$k\" and .conn == \"site1\"")
	[ "$want" -eq 3 ] || fail "listen saw $want ike-updown $k events of site1, the cycles made 3"
	[ "$got" -eq "$want" ] || fail "ike-$k rows of site1: $got, listen saw $want"
	want=$(child_events $k site1)
	got=$(rows ".kind == \"child-$k\" and .conn == \"site1\"")
	[ "$got" -eq "$want" ] || fail "child-$k rows of site1: $got, listen saw $want CHILD SAs"
done
echo "site1: $(rows '.kind == "ike-down" and .conn == "site1"') ike-down, $(rows '.kind == "child-down" and .conn == "site1"') child-down, as listen saw"
# every row names a live uniqueid charon used
hist | jq -e -s '[.[] | select(.kind | test("^(ike|child)-(up|down)$")) | .ike_id] | all(. > 0)' >/dev/null ||
	fail "SA rows without their IKE SA's uniqueid"

step "samples of the tunnels that carry traffic"
samples() { sqlite3 -readonly "$db" "SELECT count(*) FROM samples s JOIN series r ON r.id = s.series WHERE r.conn = '$1'"; }
if command -v sqlite3 >/dev/null; then
	wait_for 20 eval '[ "$(samples site1)" -ge 2 ]' || fail "no traffic samples of site1: $(sqlite3 -readonly "$db" 'SELECT * FROM series')"
fi

step "charon restarts while the recorder runs"
"$lab" restart >"$work/restart.out" 2>&1 || { cat "$work/restart.out" >&2; fail "scripts/lab restart failed"; }
wait_for 30 eval '[ "$(rows '"'"'.kind == "charon-restart"'"'"')" -ge 1 ]' ||
	{ cat "$work/rec.err" >&2; fail "no charon-restart row after the restart"; }
[ "$(rows '.kind == "reconnect"')" -ge 1 ] || fail "no reconnect row after the restart"
gap=$(hist | jq -s '[.[] | select(.kind == "gap")] | last')
[ "$gap" != null ] && [ "$(jq '.end_ms > .time_ms' <<<"$gap")" = true ] ||
	fail "no gap for the time charon was away: $gap"
echo "gap: $(jq -r '"\(.end_ms - .time_ms) ms: \(.detail)"' <<<"$gap")"
alive "$rec_pid" || fail "the recorder exited with charon's restart"
# recording goes on: the tunnels come back with events
downs=$(rows '.kind == "ike-down" and .conn == "site1"')
call terminate ike=site1 timeout=10000
[ "$rc" -eq 0 ] || { show_call; fail "terminate after restart exited $rc"; }
wait_for 10 eval '[ "$(rows '"'"'.kind == "ike-down" and .conn == "site1"'"'"')" -gt "$downs" ]' ||
	fail "no ike-down row for a terminate after the restart"
call initiate child=site1-lan timeout=20000

step "a failed initiate (wrong PSK) is a verdict in the store"
"$lab" fail badpsk >"$work/fail.out" 2>&1 || { cat "$work/fail.out" >&2; fail "scripts/lab fail badpsk"; }
wait_for 20 eval '[ "$(rows '"'"'.kind == "verdict" and .conn == "badpsk" and .code == "auth-failed"'"'"')" -ge 1 ]' ||
	{ hist | jq -c 'select(.kind == "verdict")' >&2; fail "no auth-failed verdict of badpsk in the store"; }
v=$(hist | jq -c -s '[.[] | select(.kind == "verdict" and .conn == "badpsk")] | last')
jq -e '.evidence | test("AUTHENTICATION_FAILED")' <<<"$v" >/dev/null || fail "verdict without charon's line: $v"
[ "$(rows '.kind == "verdict" and .conn == "badpsk"')" -eq 1 ] ||
	fail "the same failure recorded $(rows '.kind == "verdict" and .conn == "badpsk"') times"

step "SIGTERM: exit 0, everything written"
before=$(rows true)
kill -TERM "$rec_pid"
rc=0
wait "$rec_pid" || rc=$?
[ "$rc" -eq 0 ] || { cat "$work/rec.err" >&2; fail "recorder exited $rc on SIGTERM"; }
[ "$(rows true)" -ge "$before" ] || fail "records lost at SIGTERM"

step "swantop why explains the connection that is down from the store"
"$swantop" why badpsk -u "$SWANTOP_LAB_URI" --db "$db" >"$work/why.txt" 2>"$work/why.err" ||
	{ cat "$work/why.err" >&2; fail "swantop why exited non-zero"; }
grep -q 'auth-failed' "$work/why.txt" && grep -q 'recorded' "$work/why.txt" ||
	{ cat "$work/why.txt" >&2; fail "why does not show the recorded verdict"; }
"$swantop" why badpsk --json -u "$SWANTOP_LAB_URI" --db "$db" >"$work/why.json" ||
	fail "swantop why --json exited non-zero"
jq -e '.[0].verdict != null or .[0].recorded.code == "auth-failed"' "$work/why.json" >/dev/null ||
	{ cat "$work/why.json" >&2; fail "why --json: no verdict"; }
echo "PASS"

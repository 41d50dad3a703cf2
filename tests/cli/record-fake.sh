#!/usr/bin/env bash
# `swantop record` against vicisim (a VICI server playing charon, with SA
# churn): events become rows of the store; SIGTERM ends it with exit 0 and
# everything written; kill -9 leaves a store that opens and passes SQLite's
# integrity check with at most the last second lost; a second recorder on
# one store is refused; charon going away and coming back is a gap, a
# reconnect and a restart; an unwritable store path, a wrong socket and bad
# arguments get clear messages.
# Exit 0 pass, 1 fail, 77 skip.
set -uo pipefail

src=${SWANTOP_SOURCE_DIR:-$(cd "$(dirname "$0")/../.." && pwd)}
build=${SWANTOP_BUILD_DIR:?}
swantop=$build/src/swantop
vicisim=$build/src/sim/vicisim
command -v jq >/dev/null || { echo "jq missing (scripts/deps)"; exit 77; }
[ -x "$vicisim" ] || { echo "no vicisim in $build"; exit 77; }

tmp=$(mktemp -d /tmp/swantop-record-fake.XXXXXX)
sim_pid=
rec_pid=
cleanup() {
	[ -n "$rec_pid" ] && kill -9 "$rec_pid" 2>/dev/null
	[ -n "$sim_pid" ] && kill "$sim_pid" 2>/dev/null
	wait 2>/dev/null
	rm -rf "$tmp"
}
trap cleanup EXIT
uri=unix://$tmp/vici.sock
db=$tmp/state/history.db

. "$src/tests/lib/check.sh"

# record [args]: a recorder in the background on $db, stderr in $tmp/rec.err
record() {
	"$swantop" record --uri "$uri" --db "$db" --interval 1 "$@" 2>"$tmp/rec.err" &
	rec_pid=$!
}
# stop_record SIGNAL: the exit code in $rc
stop_record() {
	kill -"$1" "$rec_pid"
	rc=0
	wait "$rec_pid" || rc=$?
	rec_pid=
}
count() { # [jq select]: records in the store
	"$swantop" history --db "$db" --limit 0 --json 2>/dev/null |
		jq -c "select(${1:-true})" 2>/dev/null | wc -l
}
kinds() { "$swantop" history --db "$db" --limit 0 --json | jq -r .kind | sort | uniq -c; }

# --- events into the store, SIGTERM ---
sim --ike 20 --children 2 --churn 20
record
wait_for 10 eval '[ "$(count '"'"'.kind == "child-up"'"'"')" -ge 5 ]' ||
	fail "no child-up rows after 10 s: $(kinds) $(cat "$tmp/rec.err")"
"$swantop" record --uri "$uri" --db "$db" >"$tmp/second.out" 2>"$tmp/second.err"
rc=$?
[ "$rc" -eq 1 ] && grep -q "another recorder is writing this store (pid $rec_pid)" "$tmp/second.err" &&
	pass "a second recorder is refused, naming the first" ||
	fail "second recorder: exit $rc, $(cat "$tmp/second.err")"
sleep 1.5
stop_record TERM
[ "$rc" -eq 0 ] && pass "SIGTERM: exit 0" || fail "SIGTERM: exit $rc: $(cat "$tmp/rec.err")"
said=$(sed -n 's/.*stopped: \([0-9]*\) SA events.*/\1/p' "$tmp/rec.err")
stored=$(count '.kind | test("^(ike|child)-")')
[ -n "$said" ] && [ "$said" -eq "$stored" ] && pass "every SA event it saw is in the store ($stored)" ||
	fail "recorder said '$said' SA events, the store has $stored"
for k in ike-up ike-down child-up child-down child-rekey; do
	[ "$(count ".kind == \"$k\"")" -gt 0 ] || fail "no $k rows: $(kinds)"
done
[ "$(count '.kind | test("^(ike|child)-") and (.conn | test("^conn[0-9]+$") | not)')" -eq 0 ] ||
	fail "SA rows without their connection name"
[ "$(count '.kind == "child-up" and .child_id == 0')" -eq 0 ] || fail "child-up rows without uniqueid"
"$swantop" history --db "$db" conn1 --json | jq -e -s 'length > 0 and all(.conn == "conn1" or .conn == "")' >/dev/null ||
	fail "history CONN does not select the recorder's rows"
[ "$(stat -c %a "$(dirname "$db")")" = 700 ] || fail "store directory mode $(stat -c %a "$(dirname "$db")")"

# --- kill -9: at most the last second lost, the store intact ---
record
wait_for 10 grep -q 'connected to charon' "$tmp/rec.err" || fail "no connection: $(cat "$tmp/rec.err")"
sleep 2
before=$(count)
sleep 1.5
stop_record KILL
after=$(count)
[ "$after" -ge "$before" ] && pass "kill -9: the store has everything of 1.5 s before ($before <= $after)" ||
	fail "kill -9 lost committed records: $before before, $after after"
if command -v sqlite3 >/dev/null; then
	[ "$(sqlite3 -readonly "$db" 'PRAGMA integrity_check')" = ok ] && pass "kill -9: integrity_check ok" ||
		fail "kill -9: integrity_check: $(sqlite3 -readonly "$db" 'PRAGMA integrity_check' | head -3)"
fi
# the lock went with the process; the next run notes the time it was away
record
wait_for 10 eval '[ "$(count '"'"'.kind == "gap" and .detail == "the recorder was not running"'"'"')" -ge 1 ]' ||
	fail "restarted recorder: no gap for the time it was not running: $(cat "$tmp/rec.err")"

# --- charon goes away and comes back (a new daemon: a restart) ---
gaps=$(count '.kind == "gap"')
stop_sim
wait_for 10 grep -q 'trying again' "$tmp/rec.err" || fail "no message about the lost charon: $(cat "$tmp/rec.err")"
sleep 2
sim --ike 5 --children 1
wait_for 20 eval '[ "$(count '"'"'.kind == "charon-restart"'"'"')" -ge 1 ]' ||
	fail "no charon-restart row: $(kinds)"
[ "$(count '.kind == "reconnect"')" -ge 1 ] || fail "no reconnect row"
gap=$("$swantop" history --db "$db" --limit 0 --json | jq -s '[.[] | select(.kind == "gap")] | last')
[ "$(count '.kind == "gap"')" -gt "$gaps" ] &&
	[ "$(jq '.end_ms - .time_ms' <<<"$gap")" -ge 2000 ] && pass "charon away: a gap of $(jq '.end_ms - .time_ms' <<<"$gap") ms" ||
	fail "charon away: no gap of at least 2 s: $gap"
stop_record INT
[ "$rc" -eq 0 ] || fail "SIGINT: exit $rc"

# --- clear messages ---
run_rec() { # name want_rc grep args...
	local name=$1 want=$2 pat=$3
	shift 3
	timeout 10 "$swantop" record "$@" >"$tmp/out" 2>"$tmp/err"
	local rc=$?
	[ "$rc" -eq "$want" ] && grep -q -- "$pat" "$tmp/err" && pass "$name" ||
		fail "$name: exit $rc (want $want): $(cat "$tmp/err")"
}
run_rec "unwritable store path" 1 "/etc/passwd/x/history.db: Not a directory" --db /etc/passwd/x/history.db -u "$uri"
mkdir -p "$tmp/ro"
chmod 500 "$tmp/ro"
if [ "$(id -u)" -ne 0 ]; then
	run_rec "store directory not writable" 1 "$tmp/ro/history.db: cannot create: Permission denied" --db "$tmp/ro/history.db" -u "$uri"
fi
run_rec "not a store" 1 "not a swantop store" --db /etc/passwd -u "$uri"
run_rec "bad option" 2 "unknown option '--nope'" --nope
run_rec "bad interval" 2 "--interval: '0' is not" --interval 0
run_rec "bad URI" 2 "invalid URI" --uri http://x
# a wrong socket: said once, clearly, and the recorder keeps trying
"$swantop" record --uri "unix://$tmp/nothing.sock" --db "$tmp/other.db" 2>"$tmp/wrong.err" &
rec_pid=$!
wait_for 5 grep -q "charon at unix://$tmp/nothing.sock: cannot connect .*no such socket.*trying again" "$tmp/wrong.err" &&
	pass "wrong socket: said" || fail "wrong socket: $(cat "$tmp/wrong.err")"
stop_record TERM
[ "$rc" -eq 0 ] || fail "wrong socket: SIGTERM exit $rc"
[ "$(grep -c 'trying again' "$tmp/wrong.err")" -eq 1 ] || fail "wrong socket: said more than once"

finish

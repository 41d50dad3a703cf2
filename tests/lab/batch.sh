#!/usr/bin/env bash
# Lab suite: `swantop -b` (batch mode) against real tunnels between two
# charon daemons (scripts/lab): the SA tree with the states charon has, real
# rates while traffic flows, JSON that python3 -m json.tool accepts, the
# filter language, the connections and policies panes, and a clear message
# with exit code 3 once charon is gone. usage: batch.sh SWANTOP_BINARY
set -uo pipefail
test=batch
. "$(dirname "$0")/lib.sh"

step "scripts/lab up"
lab_up 3

b() { # swantop -b ARGS... against the gateway: $work/b.out, $work/b.err, $rc
	rc=0
	timeout 60 "$swantop" -b --uri "$SWANTOP_LAB_URI" "$@" >"$work/b.out" 2>"$work/b.err" </dev/null ||
		rc=$?
}

step "the SA tree: states as charon has them"
COLUMNS=400 b
[ "$rc" -eq 0 ] || fail "swantop -b exited $rc: $(cat "$work/b.err")"
for n in site1 site2 site3 rw; do
	grep -Eq "^- $n +#[0-9]+ +U ESTABLISHED|^▾ $n +#[0-9]+ +▲ ESTABLISHED" "$work/b.out" ||
		fail "$n is not ESTABLISHED: $(cat "$work/b.out")"
done
grep -q "dead .*CONNECTING" "$work/b.out" || fail "dead is not CONNECTING: $(cat "$work/b.out")"
grep -q "site1-voip" "$work/b.out" || fail "no site1-voip row"
if LC_ALL=C grep -q $'\x1b' "$work/b.out"; then fail "an escape sequence in the output"; fi

step "rates while traffic flows (JSON)"
"$lab" traffic --forever 0.2 >"$work/traffic.out" 2>&1 ||
	{ cat "$work/traffic.out" >&2; fail "scripts/lab traffic --forever failed"; }
sleep 1
b --json -n 2 -d 2
"$lab" traffic --stop >/dev/null 2>&1
[ "$rc" -eq 0 ] || fail "swantop -b --json exited $rc: $(cat "$work/b.err")"
[ "$(wc -l <"$work/b.out")" -eq 2 ] || fail "2 JSON lines expected: $(cat "$work/b.out")"
while read -r l; do
	echo "$l" | python3 -m json.tool >/dev/null || fail "json.tool rejects: $l"
done <"$work/b.out"
tail -1 "$work/b.out" | python3 -c '
import json, sys
d = json.load(sys.stdin)
kids = {r["name"]: r for r in d["rows"] if r["kind"] == "child"}
lan = kids["site1-lan"]
assert lan["state"] == "INSTALLED", lan
assert lan["rate-in"].endswith("/s") and lan["rate-in"] != "0/s", lan
assert lan["rekey"] not in ("", "-") and lan["expire"] not in ("", "-"), lan
' || fail "site1-lan has no rate or countdown: $(tail -c 1500 "$work/b.out")"

step "the filter language"
b --filter 'name=site2'
[ "$rc" -eq 0 ] || fail "--filter exited $rc"
grep -q site2 "$work/b.out" && ! grep -q site1 "$work/b.out" || fail "name=site2: $(cat "$work/b.out")"

step "connections and policies"
b --pane conns
grep -q '^site1 .*up' "$work/b.out" || fail "conns: site1 not up: $(cat "$work/b.out")"
grep -q '^trap .*trap' "$work/b.out" || fail "conns: trap not trapped: $(cat "$work/b.out")"
b --pane pols
grep -q 'trap/trap-lan' "$work/b.out" || fail "pols: no trap/trap-lan: $(cat "$work/b.out")"

step "charon gone: exit 3 with the reason"
"$lab" down >/dev/null 2>&1
b
[ "$rc" -eq 3 ] || fail "without charon: exit $rc, want 3"
grep -q "cannot reach charon at $SWANTOP_LAB_URI" "$work/b.err" || fail "message: $(cat "$work/b.err")"
echo "ok"

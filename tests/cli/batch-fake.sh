#!/usr/bin/env bash
# `swantop -b` (batch mode) against vicisim: the count of snapshots, the
# delay between them, each pane, rates in the first snapshot, JSON that
# python3 -m json.tool accepts with the same rows as the text, --filter
# (and a bad one), hostile strings escaped, no terminal needed, the width
# from $COLUMNS, and clear messages with non-zero exit codes for a wrong
# socket, permission denied and a charon that never answers.
# Exit 0 pass, 1 fail, 77 skip.
set -uo pipefail

src=${SWANTOP_SOURCE_DIR:-$(cd "$(dirname "$0")/../.." && pwd)}
build=${SWANTOP_BUILD_DIR:?}
swantop=$build/src/swantop
vicisim=$build/src/sim/vicisim
[ -x "$vicisim" ] || { echo "no vicisim in $build"; exit 77; }
command -v python3 >/dev/null || { echo "python3 missing"; exit 77; }

tmp=$(mktemp -d /tmp/swantop-batch-fake.XXXXXX)
sim_pid=
cleanup() {
	[ -n "$sim_pid" ] && kill "$sim_pid" 2>/dev/null
	wait 2>/dev/null
	rm -rf "$tmp"
}
trap cleanup EXIT
uri=unix://$tmp/vici.sock

. "$src/tests/lib/check.sh"

# run NAME WANT_RC args...: swantop without a terminal; $tmp/out, $tmp/err
run() {
	local name=$1 want=$2
	shift 2
	timeout 60 "$swantop" "$@" >"$tmp/out" 2>"$tmp/err" </dev/null
	local rc=$?
	if [ "$rc" -ne "$want" ]; then
		fail "$name: exit $rc, want $want; stderr: $(head -c 500 "$tmp/err")"
		return 1
	fi
	pass "$name"
}

no_escapes() {
	if LC_ALL=C grep -q $'\x1b\|\x9b' "$tmp/out"; then
		fail "$1: an escape sequence in the output"
	else
		pass "$1: no escape sequence"
	fi
}

sim --ike 4 --children 2 --conns 2

# one snapshot: the title, the heading, 4 IKE + 8 CHILD rows, real rates
run "sas -n 1" 0 -b --uri "$uri"
[ "$(grep -c '^swantop ' "$tmp/out")" -eq 1 ] || fail "one snapshot title: $(cat "$tmp/out")"
grep -q '^NAME  *ID STATE' "$tmp/out" || fail "heading: $(head -3 "$tmp/out")"
[ "$(grep -c ESTABLISHED "$tmp/out")" -eq 4 ] || fail "4 IKE rows"
[ "$(grep -c INSTALLED "$tmp/out")" -eq 8 ] || fail "8 CHILD rows"
grep -q 'INSTALLED.*[0-9.]*[KM]*/s' "$tmp/out" || fail "rates in the first snapshot: $(cat "$tmp/out")"
widest() { python3 -c 'import sys; print(max(len(l.rstrip("\n")) for l in open(sys.argv[1], encoding="utf-8")))' "$tmp/out"; }
[ "$(widest)" -le 200 ] || fail "lines wider than 200: $(widest)"
no_escapes "sas"

# count and delay: 3 snapshots 1 s apart take about 2 s more than one
start=$(date +%s.%N)
run "sas -n 3 -d 1" 0 -b -n 3 -d 1 --uri "$uri"
took=$(echo "$(date +%s.%N) - $start" | bc)
[ "$(grep -c '^swantop ' "$tmp/out")" -eq 3 ] || fail "3 snapshots: $(grep -c '^swantop ' "$tmp/out")"
echo "$took >= 2.9 && $took < 20" | bc | grep -q 1 || fail "3 snapshots at -d 1 took $took s"

# the width from $COLUMNS
COLUMNS=80 run "COLUMNS=80" 0 -b --uri "$uri"
[ "$(widest)" -le 80 ] || fail "COLUMNS=80: lines of $(widest)"
grep -q '^NAME' "$tmp/out" || fail "COLUMNS=80: no heading"

# the other panes
run "conns" 0 -b --pane conns --uri "$uri"
grep -q '^conn0 .*up 2' "$tmp/out" || fail "conns: $(cat "$tmp/out")"
run "pols" 0 -b --pane pols --uri "$uri"
grep -q '^TYPE' "$tmp/out" || fail "pols heading: $(cat "$tmp/out")"

# JSON: one valid object per snapshot and line, the same rows as the text
run "json -n 2" 0 -b --json -n 2 -d 0.5 --uri "$uri"
[ "$(wc -l <"$tmp/out")" -eq 2 ] || fail "json: 2 lines, got $(wc -l <"$tmp/out")"
while read -r l; do
	echo "$l" | python3 -m json.tool >/dev/null || fail "json.tool rejects: $l"
done <"$tmp/out"
head -1 "$tmp/out" | python3 -c '
import json, sys
d = json.load(sys.stdin)
assert d["pane"] == "sas" and d["ikes"] == 4 and d["children"] == 8, d
rows = d["rows"]
assert [r["kind"] for r in rows].count("ike") == 4, rows
assert [r["kind"] for r in rows].count("child") == 8, rows
assert rows[0]["name"] == "conn0" and rows[0]["state"] == "ESTABLISHED", rows[0]
assert rows[1]["rate-in"].endswith("/s"), rows[1]
assert "rekey" in rows[1] and "expire" in rows[1], rows[1]
' || fail "json content: $(head -c 600 "$tmp/out")"
pass "json"

# --filter: the filter language over the rows
run "filter" 0 -b --filter 'remote~100\.64\.0\.[12]$' --uri "$uri"
[ "$(grep -c ESTABLISHED "$tmp/out")" -eq 2 ] || fail "filter: 2 IKE SAs: $(cat "$tmp/out")"
run "filter child" 0 -b --json --filter 'child=net1' --uri "$uri"
python3 -c '
import json, sys
rows = json.load(open(sys.argv[1]))["rows"]
kids = [r["name"] for r in rows if r["kind"] == "child"]
assert kids and set(kids) == {"net1"}, rows
' "$tmp/out" || fail "filter child=net1: $(cat "$tmp/out")"
run "bad filter" 2 -b --filter 'stat=up' --uri "$uri"
grep -q 'unknown field "stat".*did you mean "state"' "$tmp/err" || fail "bad filter message: $(cat "$tmp/err")"

# events: the events of a churning charon, since the snapshot before
sim --ike 4 --children 1 --churn 20
run "events" 0 -b --pane events -n 3 -d 0.5 --json --uri "$uri"
python3 -c '
import json, sys
snaps = [json.loads(l) for l in open(sys.argv[1])]
assert len(snaps) == 3
seqs = [r["seq"] for s in snaps for r in s["rows"]]
assert seqs and len(seqs) == len(set(seqs)), seqs
assert any(r["kind"] in ("ike-up", "child-up", "ike-down", "child-down", "child-rekey", "ike-rekey")
           for s in snaps for r in s["rows"]), snaps
' "$tmp/out" || fail "events: $(head -c 800 "$tmp/out")"
pass "events"

# hostile strings are escaped
sim --ike 2 --children 1 --fault hostile
run "hostile" 0 -b --uri "$uri"
no_escapes "hostile"
run "hostile json" 0 -b --json --uri "$uri"
python3 -m json.tool "$tmp/out" >/dev/null || fail "hostile json invalid"
no_escapes "hostile json"

# a wrong socket, permission denied, a charon that never answers
run "no socket" 3 -b --uri "unix://$tmp/nonexistent.sock"
grep -q "cannot reach charon at unix://$tmp/nonexistent.sock: .*no such socket" "$tmp/err" ||
	fail "no socket message: $(cat "$tmp/err")"
[ -s "$tmp/out" ] && fail "no socket: output on stdout"
if [ "$(id -u)" -ne 0 ]; then
	chmod 000 "$tmp/vici.sock"
	run "permission denied" 3 -b --uri "$uri"
	grep -qi "permission" "$tmp/err" || fail "permission message: $(cat "$tmp/err")"
	chmod 600 "$tmp/vici.sock"
else
	echo "skip: permission denied (root)"
fi
run "bad option" 2 -b -n 0
grep -q "'0' is not a count" "$tmp/err" || fail "bad -n message: $(cat "$tmp/err")"
run "bad pane" 2 -b --pane frob
grep -q "sas, conns, pols or events" "$tmp/err" || fail "bad pane message"
run "help" 0 -b --help
grep -q -- '--pane' "$tmp/out" || fail "help text"

# the session gives up on the connection once a reply is overdue
sim --ike 2 --fault hang
run "charon hangs" 3 -b --uri "$uri"
grep -q "cannot reach charon at $uri: .*did not come within" "$tmp/err" ||
	fail "hang message: $(cat "$tmp/err")"

finish

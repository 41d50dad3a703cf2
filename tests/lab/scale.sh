#!/usr/bin/env bash
# Lab suite: `scripts/lab up-scale` brings up many IKE SAs (childless, then
# with one CHILD SA each) and `swantop call` sees them all.
# usage: scale.sh SWANTOP_BINARY
set -uo pipefail
test=scale
. "$(dirname "$0")/lib.sh"

n=300
step "scripts/lab up-scale $n"
"$lab" up-scale "$n" >"$work/scale.out" 2>&1 || { cat "$work/scale.out" >&2; fail "up-scale $n failed"; }
cat "$work/scale.out"
grep -q "established $n of $n in" "$work/scale.out" || fail "up-scale did not report $n established"
grep -q "gw charon RSS: [0-9]* kB" "$work/scale.out" || fail "up-scale did not report the RSS"
eval "$("$lab" env)"
call stats
[ "$rc" -eq 0 ] || { show_call; fail "call stats exited $rc"; }
jq -e --arg n "$n" '.ikesas.total == $n and .ikesas["half-open"] == "0"' "$work/call.out" >/dev/null ||
	{ show_call; fail "stats: expected $n IKE SAs, none half-open"; }
call list-sas
[ "$rc" -eq 0 ] || { show_call; fail "call list-sas exited $rc"; }
got=$(jq -r 'select(.event == "list-sa") | .data[] | select(.state == "ESTABLISHED") | .["local-id"]' "$work/call.out" | sort -u | wc -l)
[ "$got" -eq "$n" ] || fail "list-sas: $got distinct ESTABLISHED IKE SAs, expected $n"

n=100
step "scripts/lab up-scale $n --children (replaces the running one)"
"$lab" up-scale "$n" --children >"$work/scale.out" 2>&1 || { cat "$work/scale.out" >&2; fail "up-scale $n --children failed"; }
cat "$work/scale.out"
call list-sas
[ "$rc" -eq 0 ] || { show_call; fail "call list-sas exited $rc"; }
ikes=$(jq -r 'select(.event == "list-sa") | .data[] | .state' "$work/call.out" | grep -c ESTABLISHED)
kids=$(jq -r 'select(.event == "list-sa") | .data[] | .["child-sas"][] | .state' "$work/call.out" | grep -c INSTALLED)
[ "$ikes" -eq "$n" ] && [ "$kids" -eq "$n" ] || fail "expected $n IKE and $n CHILD SAs, got $ikes and $kids"

echo "PASS"

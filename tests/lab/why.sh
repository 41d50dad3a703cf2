#!/usr/bin/env bash
# Lab suite: `swantop why` against real charon daemons. Each failure
# scenario of scripts/lab (fail --list) is provoked while `swantop why
# --json --wait` listens on both the gateway and the peer; SIGINT ends the
# wait and each side's verdict is checked: code, who refused, IKE or CHILD.
# Then one look without --wait (the tables alone), the text output and the
# exit codes. (Hostile strings in the text output: test_diag, as charon
# refuses control characters in names and prints identities with '?'.)
# usage: why.sh SWANTOP_BINARY
set -uo pipefail
test=why
. "$(dirname "$0")/lib.sh"

step "scripts/lab up"
lab_up 2

# verdict SIDE WHO CODE SIDE LAYER: WHO is a connection or "peer ADDR";
# a verdict from charon's lines must carry them as evidence
verdict() {
	local f=$work/why.$1.json sel
	if [[ $2 == peer\ * ]]; then
		sel=".conn == null and .peer == \"${2#peer }\""
	else
		sel=".conn == \"$2\""
	fi
	jq -e "[.[] | select($sel) | .verdict | select(. != null) |
		select(.verdict == \"$3\" and .side == \"$4\" and .layer == \"$5\" and .current and
		       (.source == \"state\" or (.evidence | length) > 0))] | length == 1" "$f" >/dev/null || {
		echo "--- why on $1:" >&2
		jq -c '.[] | {conn, peer, status, v: .verdict.verdict, side: .verdict.side,
			layer: .verdict.layer, detail: .verdict.detail}' "$f" >&2
		fail "$scenario: $1 should say $3 ($4, $5) for $2"
	}
}

# none SIDE CONN: no verdict for that connection
none() {
	jq -e "[.[] | select(.conn == \"$2\") | .verdict | select(. != null)] | length == 0" \
		"$work/why.$1.json" >/dev/null || {
		jq -c ".[] | select(.conn == \"$2\")" "$work/why.$1.json" >&2
		fail "$scenario: $1 should have no verdict for $2"
	}
}

# anyrow FILTER FILE: true when FILTER holds for a row of why's JSON array
anyrow() {
	jq -e "[.[] | ($1)] | any" "$2" >/dev/null 2>&1
}

# scenario NAME SETTLE: provoke it between why_start and why_stop on both sides
scenario() {
	why_provoke "$1"
	sleep "$2"
	why_stop gw
	why_stop peer
}

scenario badpsk 2
verdict gw badpsk auth-failed peer IKE
verdict peer badpsk auth-failed local IKE
anyrow 'select(.conn == "badpsk") | .verdict.retry == "swanctl --initiate --child badpsk-lan"' \
	"$work/why.gw.json" || fail "badpsk: no retry command"

scenario ike-proposal 2
verdict gw ikeprop no-proposal peer IKE
verdict peer "peer 192.0.2.1" no-proposal local IKE
jq -e '.[] | select(.peer == "192.0.2.1") | .verdict.theirs | test("AES_CBC_192")' \
	"$work/why.peer.json" >/dev/null || fail "ike-proposal: the peer's proposals not shown"

scenario ike-proposal-v1 2
verdict gw ikeprop1 no-proposal peer IKE
verdict peer "peer 192.0.2.1" no-proposal local IKE

scenario esp-proposal 2
verdict gw espprop no-proposal peer CHILD
verdict peer espprop no-proposal local CHILD

scenario ts-mismatch 2
verdict gw tsmis ts-unacceptable peer CHILD
verdict peer tsmis ts-unacceptable local CHILD

scenario unknown-id 2
verdict gw stranger auth-failed peer IKE
verdict peer "peer 192.0.2.1" auth-failed local IKE

scenario dead 2
verdict gw dead peer-unreachable peer IKE
none peer dead

scenario peer-delete 2
verdict gw peerdel peer-deleted peer IKE
none peer peerdel

# the peer resumes after the gateway gave up; its own DPD gives up ~10 s later
scenario dpd 16
verdict gw dpd dpd-dead peer IKE
verdict peer dpd dpd-dead peer IKE

scenario child-missing 2
verdict gw childfail no-proposal peer CHILD
verdict peer childfail no-proposal local CHILD
anyrow 'select(.conn == "childfail") | .verdict.child == "childfail-b"' "$work/why.gw.json" ||
	fail "child-missing: the gateway should name childfail-b"

scenario untrap 1
verdict gw trap should-be-up unknown CHILD
none peer trap

# --- one look: the tables alone ---
scenario="one look"
step "why --json without --wait: what the tables prove"
"$swantop" why --json -u "$SWANTOP_LAB_URI" >"$work/why.gw.json" 2>"$work/why.gw.err" ||
	{ cat "$work/why.gw.err" >&2; fail "why --json exited $?"; }
for c in espprop tsmis childfail; do
	anyrow "select(.conn == \"$c\") | .status == \"partial\" and .verdict.verdict == \"child-missing\" and .verdict.source == \"state\"" \
		"$work/why.gw.json" || { cat "$work/why.gw.json" >&2; fail "one look: $c should be child-missing"; }
done
anyrow 'select(.conn == "dead") | .verdict.verdict == "peer-unreachable" and .verdict.source == "state"' \
	"$work/why.gw.json" || fail "one look: dead should be peer-unreachable from the SA table"
anyrow 'select(.conn == "badpsk") | .status == "down" and .verdict == null and (.reason | test("reason unknown"))' \
	"$work/why.gw.json" || fail "one look: badpsk proves nothing without the log"
jq -e '[.[] | select(.conn == "site1")] | length == 0' "$work/why.gw.json" >/dev/null ||
	fail "one look: site1 is up and should not be listed"
"$swantop" why --json site1 -u "$SWANTOP_LAB_URI" >"$work/site1.json" ||
	fail "why site1 exited $?"
jq -e 'length == 1 and .[0].status == "up" and .[0].verdict == null' "$work/site1.json" >/dev/null ||
	{ cat "$work/site1.json" >&2; fail "why site1: should be up without a verdict"; }

# --- text: a table, then evidence, next step and retry per verdict ---
step "text output"
"$swantop" why -u "$SWANTOP_LAB_URI" >"$work/why.txt" 2>"$work/why.err" ||
	{ cat "$work/why.err" >&2; fail "why (text) exited $?"; }
head -n 1 "$work/why.txt" | grep -q '^CONN  *VERDICT  *SINCE  *DETAIL' ||
	{ cat "$work/why.txt" >&2; fail "text: no table heading"; }
grep -q '^espprop  *child-missing ' "$work/why.txt" || { cat "$work/why.txt" >&2; fail "text: no espprop row"; }
grep -q '^  retry: swanctl --initiate --child espprop-lan$' "$work/why.txt" ||
	fail "text: no retry line for espprop"
grep -q '^  next: ' "$work/why.txt" || fail "text: no next step"
LC_ALL=C grep -q $'[\x01-\x08\x0b-\x1f\x7f]' "$work/why.txt" && fail "text: a control character in the output"

# --- exit codes ---
step "exit codes"
"$swantop" why -u "unix://$work/nothing.vici" >/dev/null 2>&1
[ $? -eq 3 ] || fail "why against a missing socket should exit 3"
"$swantop" why --wait nope >/dev/null 2>&1
[ $? -eq 2 ] || fail "why --wait nope should exit 2"

echo "PASS"

#!/usr/bin/env bash
# Lab suite: the monitor's verdicts against real charon daemons. One
# monitor runs in tmux on the gateway and one on the peer while each
# failure scenario of scripts/lab (fail --list) is provoked; on both sides
# the connections pane must show the verdict in WHY (a peer no connection
# matched: its own row), the detail view (Enter) the verdict with who
# refused, IKE or CHILD, charon's own lines and the swanctl command to
# retry; and `swantop why --json --wait`, listening on the same daemon
# meanwhile, must give the same verdict.
# usage: monitor-why.sh SWANTOP_BINARY
set -uo pipefail
test=monwhy
. "$(dirname "$0")/lib.sh"
command -v tmux >/dev/null || { echo "skipped: no tmux"; exit 77; }
command -v jq >/dev/null || { echo "skipped: no jq"; exit 77; }

TM="tmux -L swt-$test-$$ -f /dev/null"
trap '$TM kill-server >/dev/null 2>&1; cleanup' EXIT

step "scripts/lab up"
lab_up 2

# mon SIDE: the monitor on the gateway (gw) or the peer, 160x45
mon() {
	local uri=$SWANTOP_LAB_URI
	[ "$1" = peer ] && uri=$SWANTOP_LAB_PEER_URI
	$TM new-session -d -s "$1" -x 160 -y 45 \
		"env HOME=$work TERM=xterm-256color LANG=C.UTF-8 LC_ALL=C.UTF-8 $swantop -u $uri --interval 1 2>$work/mon.$1.err; sleep 86400" ||
		fail "tmux new-session $1"
	$TM set-option -t "$1" status off >/dev/null
}
scr() { $TM capture-pane -p -t "$1"; }
keys() {
	local s=$1
	shift
	$TM send-keys -t "$s" "$@"
}
# waitre SIDE REGEX SECONDS: the screen of SIDE matches, or the test fails
waitre() {
	local i
	for ((i = 0; i < $3 * 5; i++)); do
		scr "$1" | grep -Eq -- "$2" && return 0
		sleep 0.2
	done
	echo "--- screen of $1:" >&2
	scr "$1" >&2
	fail "$scenario: $1: /$2/ not on screen after $3 s"
}

mon gw
mon peer
waitre gw 'site1 .*ESTABLISHED' 20
waitre peer 'site1 .*ESTABLISHED' 20
keys gw 2
keys peer 2
waitre gw 'STATUS +WHY' 5
waitre gw '^site1 +. up 1·2 +·' 10

# shows SIDE WHO CODE SIDEWORDS LAYER: the connection (or "peer ADDR") WHO
# has verdict CODE in the connections pane of SIDE, and in its detail view
# with who refused (SIDEWORDS: "by the peer", "refused here" or ""), the
# layer, charon's own lines (for a verdict from the log) and what next;
# swantop why said the same
shows() {
	local side=$1 who=$2 code=$3 words=$4 layer=$5 re
	keys "$side" Escape / "$who" Enter
	if [[ $who == peer\ * ]]; then
		re="^$who +. unmatched +$code"
	else
		re="^$who +[^ ]+ [a-z]+.* $code"
	fi
	waitre "$side" "$re" 40
	keys "$side" g Enter
	waitre "$side" "why: $code \($layer${words:+, $words}\)" 5
	waitre "$side" '^ +next: ' 3
	if [ "$code" != should-be-up ] && [ "$code" != child-missing ]; then
		waitre "$side" '^ +charon said:' 20
	fi
	[[ $who == peer\ * ]] || waitre "$side" '^ +retry: swanctl --(initiate|install) ' 3
	keys "$side" q Escape
	why_agrees "$side" "$who" "$code"
}

# why_agrees SIDE WHO CODE: swantop why on that side gave CODE for WHO
why_agrees() {
	local sel
	if [[ $2 == peer\ * ]]; then
		sel=".conn == null and .peer == \"${2#peer }\""
	else
		sel=".conn == \"$2\""
	fi
	jq -e "[.[] | select($sel) | .verdict | select(. != null) | .verdict] | index(\"$3\") != null" \
		"$work/why.$1.json" >/dev/null || {
		jq -c '.[] | {conn, peer, v: .verdict.verdict}' "$work/why.$1.json" >&2
		fail "$scenario: swantop why on $1 does not say $3 for $2"
	}
}

# scenario NAME: provoked while both monitors and both whys listen
scenario() {
	why_provoke "$1"
}
settle() {
	sleep "${1:-2}"
	why_stop gw
	why_stop peer
}

scenario badpsk
settle
shows gw badpsk auth-failed "by the peer" IKE
shows peer badpsk auth-failed "refused here" IKE

scenario ike-proposal
settle
shows gw ikeprop no-proposal "by the peer" IKE
shows peer "peer 192.0.2.1" no-proposal "refused here" IKE
keys peer / "peer 192.0.2.1" Enter g Enter
waitre peer 'their proposals: IKE:' 5
keys peer q Escape

scenario esp-proposal
settle
shows gw espprop no-proposal "by the peer" CHILD
shows peer espprop no-proposal "refused here" CHILD
# the IKE SA is up, its CHILD SA is not: never shown as up
keys gw Escape / espprop Enter
waitre gw '^espprop +! partial 1·0 +no-proposal' 10
scr gw | grep -Eq '^espprop +. up ' && fail "espprop shown as up"
keys gw Escape

scenario ts-mismatch
settle
shows gw tsmis ts-unacceptable "by the peer" CHILD
shows peer tsmis ts-unacceptable "refused here" CHILD

scenario unknown-id
settle
shows gw stranger auth-failed "by the peer" IKE
shows peer "peer 192.0.2.1" auth-failed "refused here" IKE

scenario dead
settle 9
shows gw dead peer-unreachable "by the peer" IKE
# the CONNECTING IKE SA in the SA tree says so too
keys gw 1 / dead Enter
waitre gw '^. dead +#[0-9]+ . CONNECTING +peer-unreachable' 10
keys gw Escape 2

scenario peer-delete
settle
shows gw peerdel peer-deleted "by the peer" IKE

scenario dpd
settle 16
shows gw dpd dpd-dead "by the peer" IKE
shows peer dpd dpd-dead "by the peer" IKE

scenario child-missing
settle
shows gw childfail no-proposal "by the peer" CHILD
shows peer childfail no-proposal "refused here" CHILD
keys gw Escape / childfail Enter
waitre gw '^childfail +! partial 1·1 +no-proposal' 10
waitre gw 'childfail-b +no-proposal' 5
keys gw Escape

scenario untrap
settle 1
shows gw trap should-be-up "" CHILD

keys gw q
keys peer q
sleep 0.5
for s in gw peer; do
	[ -s "$work/mon.$s.err" ] && { cat "$work/mon.$s.err" >&2; fail "the monitor on $s wrote to stderr"; }
done
echo "ok: every scenario on both sides, on screen and from swantop why"
exit 0

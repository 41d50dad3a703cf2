#!/usr/bin/env bash
# Records what real charon daemons say about each failure scenario of
# scripts/lab (fail --list), from both sides, into this directory:
#
#   SCENARIO.gw.jsonl    the gateway (initiator): `swantop listen log
#                        ike-updown child-updown ike-rekey child-rekey`
#                        lines while the scenario is provoked, then its
#                        list-sa, list-conn and list-policy lines afterwards
#   SCENARIO.peer.jsonl  the same from the peer (responder)
#   SCENARIO.gw-initiate.jsonl
#                        a second attempt started with `swantop call
#                        initiate` on the gateway: its control-log lines and
#                        final reply (where the scenario is an initiate)
#   healthy.*.jsonl      an up lab with nothing provoked (the lab's own
#                        idle/trap/badpsk/dead connections are in the state)
#
# usage: record.sh SWANTOP_BINARY [SCENARIO...]   (root; runs its own lab)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
src=$(cd "$here/../../.." && pwd)
lab=$src/scripts/lab
swantop=$(realpath "${1:?usage: record.sh SWANTOP_BINARY [SCENARIO...]}")
shift
scenarios=${*:-badpsk ike-proposal ike-proposal-v1 esp-proposal ts-mismatch unknown-id dead peer-delete dpd child-missing untrap}
export SWANTOP_LAB_NAME=${SWANTOP_LAB_NAME:-swt-record}
export SWANTOP_LAB_DIR=${SWANTOP_LAB_DIR:-/tmp/$SWANTOP_LAB_NAME}
tmp=$(mktemp -d)
pids=()
cleanup() {
	local p
	for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
	"$lab" down >/dev/null 2>&1 || true
	rm -rf "$tmp"
}
trap cleanup EXIT

"$lab" up 2 >"$tmp/up.out" 2>&1 || { cat "$tmp/up.out" >&2; exit 1; }
eval "$("$lab" env)"

state() { # uri: list-sa, list-conn and list-policy lines
	local c
	for c in list-sas list-conns "list-policies trap=yes drop=yes pass=yes"; do
		# shellcheck disable=SC2086
		"$swantop" call $c -u "$1" | jq -c 'select(has("event"))'
	done
}

# child to initiate again through swantop call, per scenario
again() {
	case $1 in
	badpsk) echo badpsk-lan ;;
	ike-proposal) echo ikeprop-lan ;;
	ike-proposal-v1) echo ikeprop1-lan ;;
	esp-proposal) echo espprop-lan ;;
	ts-mismatch) echo tsmis-lan ;;
	unknown-id) echo stranger-lan ;;
	child-missing) echo childfail-b ;;
	esac
}

record() { # name, then the command provoking it
	local name=$1 side uri c
	shift
	for side in gw peer; do
		uri=$SWANTOP_LAB_URI
		[ $side = peer ] && uri=$SWANTOP_LAB_PEER_URI
		"$swantop" listen log ike-updown child-updown ike-rekey child-rekey -u "$uri" \
			>"$tmp/$side.jsonl" 2>"$tmp/$side.err" &
		pids+=($!)
	done
	sleep 1
	"$@"
	# the peer's own DPD gives up some 10 s after it resumes
	if [ "$name" = dpd ]; then sleep 14; else sleep 3; fi
	c=$(again "$name")
	if [ -n "$c" ]; then
		"$swantop" call initiate child="$c" timeout=15000 -u "$SWANTOP_LAB_URI" \
			>"$here/$name.gw-initiate.jsonl" 2>/dev/null || true
		sleep 2
	fi
	kill "${pids[@]}" 2>/dev/null || true
	wait "${pids[@]}" 2>/dev/null || true
	pids=()
	for side in gw peer; do
		uri=$SWANTOP_LAB_URI
		[ $side = peer ] && uri=$SWANTOP_LAB_PEER_URI
		cp "$tmp/$side.jsonl" "$here/$name.$side.jsonl"
		state "$uri" >>"$here/$name.$side.jsonl"
	done
	echo "recorded $name: $(wc -l <"$here/$name.gw.jsonl") gateway, $(wc -l <"$here/$name.peer.jsonl") peer lines"
}

record healthy sleep 0
for s in $scenarios; do
	record "$s" "$lab" fail "$s"
done

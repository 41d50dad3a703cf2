#!/usr/bin/env bash
# Lab suite: `swantop call` and `swantop listen` against real tunnels
# between two charon daemons (scripts/lab), one lab for all checks:
# list-sas (states, algorithms, traffic selectors, counters that grow with
# traffic), list-policies (trap), list-conns, terminate/initiate with
# control-log and the up/down events, a wrong PSK failing with charon's
# message. usage: sas.sh SWANTOP_BINARY
set -uo pipefail
test=sas
. "$(dirname "$0")/lib.sh"

step "scripts/lab up"
lab_up 3

# --- list-sas ---
step "list-sas: states, algorithms, traffic selectors"
call list-sas
[ "$rc" -eq 0 ] || { show_call; fail "call list-sas exited $rc"; }
sas=$work/sas.json
jq -c 'select(.event == "list-sa") | .data' "$work/call.out" >"$sas" 2>/dev/null ||
	{ show_call; fail "list-sas output is not JSON lines"; }
tail -n 1 "$work/call.out" | jq -e 'has("event") | not' >/dev/null ||
	{ show_call; fail "list-sas: the last line is not the final reply"; }

ike() { # name filter: jq filter on the IKE SA named $1
	jqany "select(has(\"$1\")) | .[\"$1\"] | $2" "$sas"
}
for n in site1 site2 site3 rw; do
	ike "$n" '.state == "ESTABLISHED"' || { cat "$sas" >&2; fail "IKE SA $n is not ESTABLISHED in list-sas"; }
done
ike dead '.state == "CONNECTING"' || { cat "$sas" >&2; fail "IKE SA dead is not CONNECTING"; }
ike site1 '.version == "2" and .["dh-group"] == "CURVE_25519" and .["encr-alg"] == "AES_GCM_16"' ||
	fail "site1: expected IKEv2 AES_GCM_16 CURVE_25519: $(grep site1 "$sas")"
ike site2 '.version == "1" and .["dh-group"] == "MODP_2048" and .["integ-alg"] == "HMAC_SHA2_256_128"' ||
	fail "site2: expected IKEv1 MODP_2048 HMAC_SHA2_256_128: $(grep site2 "$sas")"
ike site3 '.["dh-group"] == "ECP_256"' || fail "site3: expected ECP_256"
ike site1 '[.["child-sas"][] | select(.state == "INSTALLED") | .name] | sort == ["site1-lan", "site1-voip"]' ||
	fail "site1 should have the two CHILD SAs site1-lan and site1-voip INSTALLED: $(grep site1 "$sas")"
ike site1 '.["child-sas"][] | select(.name == "site1-voip") | .["local-ts"] == ["10.1.1.128/25"] and .["remote-ts"] == ["10.2.1.128/25"] and .mode == "TUNNEL" and .protocol == "ESP"' ||
	fail "site1-voip: traffic selectors/mode wrong: $(grep site1 "$sas")"
ike site2 '.["child-sas"][] | select(.name == "site2-lan") | .["encr-alg"] == "AES_CBC" and .["integ-alg"] == "HMAC_SHA1_96"' ||
	fail "site2-lan: expected ESP AES_CBC/HMAC_SHA1_96"
ike rw '.["remote-vips"] | length == 1 and (.[0] | startswith("10.3.0."))' ||
	fail "rw: expected a virtual IP from the pool: $(grep '"rw"' "$sas")"

# per CHILD SA (by unique id): "name uniqueid bytes-in bytes-out packets-in packets-out"
counters() {
	jq -r '.[] | .["child-sas"] // {} | .[] | select(.state == "INSTALLED") |
		"\(.name) \(.uniqueid) \(.["bytes-in"]) \(.["bytes-out"]) \(.["packets-in"]) \(.["packets-out"])"' "$1" | sort
}
counters "$sas" >"$work/before"
[ "$(wc -l <"$work/before")" -ge 5 ] || fail "expected at least 5 INSTALLED CHILD SAs, got: $(cat "$work/before")"

step "scripts/lab traffic; counters grow in both directions"
"$lab" traffic 5 >"$work/traffic.out" 2>&1 || { cat "$work/traffic.out" >&2; fail "scripts/lab traffic failed"; }
call list-sas
jq -c 'select(.event == "list-sa") | .data' "$work/call.out" >"$work/sas2.json" || fail "list-sas after traffic: not JSON"
counters "$work/sas2.json" >"$work/after"
for c in site1-lan site1-voip site2-lan site3-lan rw-lan; do
	read -r _ id bi bo pi po < <(grep "^$c " "$work/after") || fail "$c missing after traffic: $(cat "$work/after")"
	read -r _ id0 bi0 bo0 pi0 po0 < <(grep "^$c " "$work/before") || true
	# a rekey in between starts the counters of the new SA from zero
	[ "${id0:-}" = "$id" ] || bi0=0 bo0=0 pi0=0 po0=0
	if [ "$bi" -le "$bi0" ] || [ "$bo" -le "$bo0" ] || [ "$pi" -le "$pi0" ] || [ "$po" -le "$po0" ]; then
		echo "before: $(grep "^$c " "$work/before")" >&2
		echo "after:  $(grep "^$c " "$work/after")" >&2
		fail "$c: counters did not grow in both directions"
	fi
done

# --- list-policies, list-conns ---
step "list-policies shows the trap policy"
call list-policies trap=yes
[ "$rc" -eq 0 ] || { show_call; fail "call list-policies exited $rc"; }
jqany 'select(.event == "list-policy") | .data["trap/trap-lan"] | .mode == "TUNNEL" and .["local-ts"] == ["10.1.101.0/24"]' \
	"$work/call.out" || { show_call; fail "list-policies: no trap policy trap/trap-lan"; }

step "list-conns shows every connection"
call list-conns
[ "$rc" -eq 0 ] || { show_call; fail "call list-conns exited $rc"; }
conns=$(jq -r 'select(.event == "list-conn") | .data | keys[]' "$work/call.out" | sort | tr '\n' ' ')
[ "$conns" = "badpsk dead idle rw site1 site2 site3 trap " ] || fail "list-conns: got '$conns'"
jqany 'select(.event == "list-conn") | .data.site2 | .version == "IKEv1"' "$work/call.out" ||
	fail "list-conns: site2 should be IKEv1"

# --- terminate / initiate ---
step "terminate and initiate through swantop call, seen by swantop listen"
start_listen "$work/listen.out" "$work/listen.err" ike-updown child-updown
call terminate ike=site2 timeout=10000
[ "$rc" -eq 0 ] || { show_call; fail "terminate ike=site2 exited $rc"; }
grep -q '"event":"control-log"' "$work/call.out" || { show_call; fail "terminate: no control-log lines"; }
tail -n 1 "$work/call.out" | jq -e '.success == "yes" and .terminated == "1"' >/dev/null ||
	{ show_call; fail "terminate: final reply not success with one terminated"; }
swanctl_sas | grep -q '^site2:' && fail "swanctl still lists site2 after terminate: $(swanctl_sas | grep -A3 '^site2:')"

call initiate child=site2-lan timeout=20000
[ "$rc" -eq 0 ] || { show_call; fail "initiate child=site2-lan exited $rc"; }
grep -q '"event":"control-log"' "$work/call.out" || { show_call; fail "initiate: no control-log lines"; }
jqany 'select(.event == "control-log") | .data.msg | test("CHILD_SA site2-lan.* established")' "$work/call.out" ||
	{ show_call; fail "initiate: no 'CHILD_SA site2-lan ... established' in control-log"; }
[ "$(child_state site2-lan)" = INSTALLED ] || fail "swanctl: site2-lan not INSTALLED after initiate: $(swanctl_sas)"

# ike-updown: a down event (no "up" key) then an up event for site2;
# child-updown likewise for site2-lan
updown_seen() { # event up|down
	local f='select(.event == $e) | .data | select(has("site2")) | has("up")'
	jq --arg e "$1" "$f" "$work/listen.out" 2>/dev/null | grep -qx "$([ "$2" = up ] && echo true || echo false)"
}
for e in ike-updown child-updown; do
	for d in down up; do
		wait_for 10 updown_seen "$e" "$d" || {
			grep -v '"event":"log"' "$work/listen.out" | cut -c1-300 >&2
			fail "swantop listen: no $e $d event for site2"
		}
	done
done
jqany 'select(.event == "child-updown") | .data | select(has("up")) | .site2 // {} | .["child-sas"] // {} | .[] | .name == "site2-lan"' \
	"$work/listen.out" || fail "child-updown up: site2-lan not in the event"

# --- wrong PSK ---
step "a wrong PSK fails with charon's message"
call initiate child=badpsk-lan timeout=10000
[ "$rc" -eq 1 ] || { show_call; fail "initiate badpsk-lan: expected exit 1 (command failed), got $rc"; }
tail -n 1 "$work/call.out" | jq -e '.success == "no" and (.errmsg | test("badpsk-lan"))' >/dev/null ||
	{ show_call; fail "initiate badpsk-lan: final reply should be success=no with an errmsg"; }
grep -q "establishing CHILD_SA 'badpsk-lan' failed" "$work/call.err" ||
	{ show_call; fail "initiate badpsk-lan: charon's errmsg not on stderr"; }
jqany 'select(.event == "control-log") | .data.msg | test("AUTHENTICATION_FAILED")' "$work/call.out" ||
	{ show_call; fail "initiate badpsk-lan: control-log does not explain (AUTHENTICATION_FAILED)"; }

echo "PASS"

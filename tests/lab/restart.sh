#!/usr/bin/env bash
# Lab suite: the gateway charon restarts (SIGTERM) and crashes (SIGKILL)
# while `swantop listen` runs: the listener reconnects, registers again and
# keeps printing events; the lab's tunnels and background traffic come
# back; `scripts/lab down` leaves nothing behind.
# usage: restart.sh SWANTOP_BINARY
set -uo pipefail
test=restart
. "$(dirname "$0")/lib.sh"

step "scripts/lab up 1, traffic --forever"
lab_up 1
"$lab" traffic --forever 0.2 >"$work/traffic.out" 2>&1 || { cat "$work/traffic.out" >&2; fail "traffic --forever failed"; }

packets_in() { # CHILD SA name -> packets-in of the INSTALLED one (or 0)
	"$swantop" call list-sas -u "$SWANTOP_LAB_URI" 2>/dev/null |
		jq -r --arg c "$1" 'select(.event == "list-sa") | .data[] | .["child-sas"] // {} | .[] |
			select(.name == $c and .state == "INSTALLED") | .["packets-in"]' 2>/dev/null | head -1
}
# flow_moves CHILD: packets-in grows within 10 s
flow_moves() {
	local a b i
	a=$(packets_in "$1")
	for ((i = 0; i < 50; i++)); do
		sleep 0.2
		b=$(packets_in "$1")
		[ -n "$b" ] && [ "$b" -gt "${a:-0}" ] && return 0
		[ -n "$a" ] || a=$b
	done
	echo "$1: packets-in stayed at '${a:-}' -> '${b:-}'" >&2
	return 1
}
flow_moves site1-lan || fail "background traffic does not move the counters"
flow_moves rw-lan || fail "background traffic does not move the road warrior's counters"

start_listen "$work/listen.out" "$work/listen.err" ike-updown child-updown

site1_up_after() { # line number: an ike-updown up event for site1 after it
	tail -n +"$(($1 + 1))" "$work/listen.out" |
		jq -r 'select(.event == "ike-updown") | .data | select(has("up") and has("site1")) | "x"' 2>/dev/null | grep -q x
}

for how in "" --crash; do
	step "scripts/lab restart $how while swantop listen runs"
	old=$(cat "$SWANTOP_LAB_DIR/gw.pid")
	lost=$(grep -c "connection lost" "$work/listen.err")
	back=$(grep -c "reconnected, listening again" "$work/listen.err")
	"$lab" restart $how >"$work/restart.out" 2>&1 || { cat "$work/restart.out" >&2; fail "scripts/lab restart $how failed"; }
	new=$(cat "$SWANTOP_LAB_DIR/gw.pid")
	[ "$new" != "$old" ] || fail "restart $how: gateway pid unchanged ($old)"
	alive "$old" && fail "restart $how: old gateway charon $old still runs"
	[ "$(child_state site1-lan)" = INSTALLED ] || fail "restart $how: site1-lan not INSTALLED again: $(swanctl_sas)"
	wait_for 30 eval '[ "$(grep -c "connection lost" "$work/listen.err")" -gt "$lost" ]' ||
		{ cat "$work/listen.err" >&2; fail "restart $how: listen did not notice the lost connection"; }
	wait_for 30 eval '[ "$(grep -c "reconnected, listening again" "$work/listen.err")" -gt "$back" ]' ||
		{ cat "$work/listen.err" >&2; fail "restart $how: listen did not reconnect within 30 s"; }
	kill -0 "$listen_pid" 2>/dev/null || { cat "$work/listen.err" >&2; fail "restart $how: listen exited"; }

	# events after the reconnect reach the listener
	mark=$(wc -l <"$work/listen.out")
	call terminate ike=site1 timeout=10000
	[ "$rc" -eq 0 ] || { show_call; fail "restart $how: terminate site1 exited $rc"; }
	call initiate child=site1-lan timeout=20000
	[ "$rc" -eq 0 ] || { show_call; fail "restart $how: initiate site1-lan exited $rc"; }
	wait_for 10 site1_up_after "$mark" || {
		tail -n +"$((mark + 1))" "$work/listen.out" | grep -v '"event":"log"' | cut -c1-300 >&2
		fail "restart $how: listen printed no ike-updown up event for site1 after reconnecting"
	}
	call initiate child=site1-voip timeout=20000
	[ "$rc" -eq 0 ] || { show_call; fail "restart $how: initiate site1-voip exited $rc"; }
	flow_moves site1-lan || fail "restart $how: background traffic does not move site1-lan's counters"
	flow_moves rw-lan || fail "restart $how: the road warrior did not come back"
done

step "scripts/lab down leaves nothing behind"
pids=""
for f in gw peer echo traffic; do
	[ -f "$SWANTOP_LAB_DIR/$f.pid" ] && pids+=" $(cat "$SWANTOP_LAB_DIR/$f.pid")"
done
[ "$(echo $pids | wc -w)" -eq 4 ] || fail "expected 4 pid files (gw peer echo traffic), got:$pids"
"$lab" down >"$work/down.out" 2>&1 || { cat "$work/down.out" >&2; fail "scripts/lab down failed"; }
for p in $pids; do
	alive "$p" && fail "process $p ($(tr '\0' ' ' <"/proc/$p/cmdline")) still runs after down"
done
ip netns list | grep -q "^$SWANTOP_LAB_NAME-" && fail "namespaces left after down: $(ip netns list | grep "^$SWANTOP_LAB_NAME-")"
"$lab" down >/dev/null 2>&1 || fail "a second scripts/lab down failed"

echo "PASS"

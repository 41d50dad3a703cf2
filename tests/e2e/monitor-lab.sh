#!/usr/bin/env bash
# End-to-end test of the monitor against real charon daemons (suite lab):
# a private lab (scripts/lab) with live tunnels; in the monitor, terminate
# with confirmation takes an SA down (checked with swanctl) and the event
# pane shows it; ":initiate" brings it back; log lines appear; an initiate
# against a dead peer runs while the keyboard keeps working.
# Needs root and network namespaces (exit 77 otherwise).
set -uo pipefail
. "$(dirname "$0")/monitor-lib.sh"
mon_lab_up mone2e

ike_established() { # name: 0 if swanctl lists it ESTABLISHED
	swanctl --list-sas --noblock --uri "$uri" --ike "$1" 2>/dev/null | grep -q ESTABLISHED
}

ike_established site2 || { echo "FAIL: site2 not up in the lab"; exit 1; }
mon_start 140 42 --uri "$uri" --interval 1
mon_wait 'site2 .*ESTABLISHED' 15
mon_wait 'log .* [1-9][0-9]* lines' 10
echo "ok: lab SAs and log lines shown"

# --- terminate with confirmation ---
mon_keys / site2 Enter
mon_wait 'filter: site2' 3
mon_keys g t
mon_wait 'terminate IKE SA site2 #[0-9]+\? \(y/n\)' 5
ike_established site2 || fail "site2 went down before the confirmation"
mon_keys y
mon_wait 'terminate IKE SA site2 #[0-9]+: done' 20
for _ in $(seq 50); do ike_established site2 || break; sleep 0.2; done
ike_established site2 && fail "site2 still established after terminate"
# the event pane, maximised so that earlier events are on screen too
mon_keys 4 z
mon_wait 'ike-down +site2|child-down +site2' 10
mon_keys z 1
echo "ok: terminate with confirmation"

# --- Esc clears the filter ---
mon_keys Escape
mon_wait_gone 'filter: site2' 3

# --- :initiate brings it back ---
mon_keys ':' 'initiate site2' Enter
mon_wait 'initiate site2-lan: done' 30
ike_established site2 || fail "site2 not established after :initiate"
mon_wait 'site2 .*ESTABLISHED' 10
mon_keys 4 z
mon_wait 'ike-up +site2|child-up +site2' 10
mon_keys z 1
echo "ok: :initiate"

# --- i on an SA that is up does not stack a duplicate on it ---
mon_keys / site1 Enter g i
mon_wait 'site1-lan is already up|site1 is already up|site1-voip is already up' 5
mon_keys Escape
echo "ok: no duplicate initiate"

# --- a blocking initiate does not stall the screen or the keyboard ---
mon_keys ':' 'initiate dead' Enter
mon_wait 'initiating dead-lan.* [0-9]+ s' 5
mon_wait 'control . 1 running' 3 # its own control connection, in the header
mon_keys 2
mon_wait '2 connections' 3
mon_wait 'initiating dead-lan.* [2-9] s' 10
mon_keys 1
mon_wait '1 SAs' 3
echo "ok: screen and keys live during a blocking initiate"

# --- charon restarts: the header says so, everything resumes by itself ---
"$lab" restart --crash >"$MON_WORK/restart.out" 2>&1 &
restart=$!
mon_wait 'monitor . (down|connecting)' 20
mon_wait 'STALE' 10
wait "$restart" || { cat "$MON_WORK/restart.out" >&2; fail "lab restart failed"; }
mon_wait 'monitor . up +listener . up' 30
mon_wait_gone 'STALE' 10
mon_wait 'site1 .*ESTABLISHED' 40
mon_wait 'log .* [1-9][0-9]* lines' 10
mon_keys 4 z
mon_wait 'charon restarted: SAs reloaded' 10
mon_keys z 1
echo "ok: charon restart, resumed"

mon_keys q
code=$(mon_exit_code 10)
[ "$code" = 0 ] || fail "exit status $code after q"
echo "ok: quit"
exit 0

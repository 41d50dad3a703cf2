#!/usr/bin/env bash
# End-to-end test of the monitor against real charon daemons (suite lab):
# what is on screen is what charon has, second after second.
#
#  1. A stable lab with traffic (scripts/lab traffic --forever), the monitor
#     for 60 s: every second the SAs on screen (unique ids and states, from
#     tmux capture-pane) are compared with `swanctl --list-sas`; no
#     difference may last (an SA may change between the snapshots, so a
#     difference counts when it is there two samples in a row), and the
#     monitor never says "charon restarted" or "reconnected"; no row's
#     counters on screen are older than 10 s (the DATA column).
#  2. The detail view of a CHILD SA kept open across a CHILD rekey
#     (swanctl --rekey --child on the gateway) shows the successor, the one
#     swanctl lists, not "gone".
#  3. charon restarts (scripts/lab restart, then --crash) while the monitor
#     runs: each restart is said once, the selection is gone (the new daemon
#     counts its ids from 1 again), and the tree on screen is charon's again.
# Needs root and network namespaces (exit 77 otherwise).
set -uo pipefail
export LC_ALL=C.UTF-8 # the screen is UTF-8: one glyph is one character for grep and sed
. "$(dirname "$0")/monitor-lib.sh"
mon_lab_up truth
"$lab" traffic --forever 0.2 >"$MON_WORK/traffic.out" 2>&1 ||
	{ cat "$MON_WORK/traffic.out" >&2; fail "traffic --forever"; }

# charon's SAs as "#ID STATE" (IKE) and "cID STATE" (CHILD) lines, sorted
charon_sas() {
	STRONGSWAN_CONF=$SWANTOP_LAB_STRONGSWAN_CONF swanctl --list-sas --uri "$uri" 2>/dev/null |
		sed -nE 's/^[^ ].*: #([0-9]+), ([A-Z_]+),.*/#\1 \2/p; s/^  [^ ]+: #([0-9]+), reqid [0-9]+, ([A-Z_]+),.*/c\1 \2/p' |
		sort -u
}
# the SA pane's rows the same way ("?" stays: a stale SA is not what charon has)
screen_sas() {
	screen | sed -nE 's/^(▾|▸|\+|-) .* #([0-9]+) [^ ]+ ([A-Z_?]+) .*/#\2 \3/p; s/^  (├─|└─|\|-|`-).* c([0-9]+) [^ ]+ ([A-Z_?]+) .*/c\2 \3/p' |
		sort -u
}
# the oldest counters on screen (the DATA column, empty while fresh), in s
data_age_max() {
	screen | python3 -c '
import re, sys
lines = sys.stdin.read().splitlines()
head = next((l for l in lines if l.startswith("NAME ") and " DATA" in l), None)
end = head.index(" DATA") + 5 if head else -1
worst = 0
for l in lines if head else []:
    m = re.search(r"(?:(\d+)m)?(\d+)s$", l[:end].rstrip()) if len(l) >= end else None
    if m and re.match(r"^(▾|▸|\+|-|  ├─|  └─|  \||  `)", l):
        worst = max(worst, int(m.group(1) or 0) * 60 + int(m.group(2)))
print(worst)'
}
# one sample: what the screen shows that neither snapshot around it has, and
# what both snapshots have that the screen lacks
sample_diff() {
	local a b s
	a=$(charon_sas)
	s=$(screen_sas)
	b=$(charon_sas)
	comm -23 <(echo "$s") <(printf '%s\n%s\n' "$a" "$b" | sort -u) | sed 's/^/screen only: /'
	comm -13 <(echo "$s") <(comm -12 <(echo "$a") <(echo "$b")) | sed 's/^/charon only: /'
}
# events_count TEXT: lines of the event pane (maximised: the SA pane is
# zoomed, and focusing a pane keeps the zoom) that show TEXT
events_count() {
	local n
	mon_keys 4
	sleep 0.5
	n=$(screen | grep -c -- "$1")
	mon_keys 1
	sleep 0.3
	echo "$n"
}
# converge SECONDS: the screen equals charon for three samples in a row
converge() {
	local i ok=0 d
	for ((i = 0; i < $1; i++)); do
		d=$(sample_diff)
		if [ -z "$d" ]; then
			ok=$((ok + 1))
			[ $ok -ge 3 ] && return 0
		else
			ok=0
		fi
		sleep 1
	done
	echo "$d" >&2
	return 1
}

mon_start 150 60 --uri "$uri"
mon_wait 'site3 .*ESTABLISHED' 20
mon_wait 'monitor . up +listener . up' 10
mon_keys z # the SA pane alone: every SA has a row
converge 20 || fail "the screen never matched swanctl --list-sas"
echo "ok: the screen matches charon"

# --- 1. sixty seconds, every second ---
prev="" mismatches=0 samples=0 oldest=0
for ((i = 0; i < 60; i++)); do
	d=$(sample_diff)
	samples=$((samples + 1))
	if [ -n "$d" ] && [ -n "$prev" ]; then
		lasting=$(comm -12 <(echo "$d" | sort) <(echo "$prev" | sort))
		if [ -n "$lasting" ]; then
			mismatches=$((mismatches + 1))
			echo "sample $i: $lasting" >&2
		fi
	fi
	prev=$d
	screen | grep -Eq 'monitor . up +listener . up' || fail "a link was down at sample $i"
	age=$(data_age_max)
	[ "$age" -le 10 ] || fail "counters ${age} s old on screen at sample $i (at most 10 s)"
	[ "$age" -gt "$oldest" ] && oldest=$age
	sleep 1
done
[ "$mismatches" = 0 ] || fail "$mismatches of $samples samples differed from charon for 2 s or more"
[ "$(events_count 'charon restarted')" = 0 ] || fail "a false 'charon restarted' notice"
[ "$(events_count 'reconnected to charon')" = 0 ] || fail "a reconnect on a stable lab"
echo "ok: $samples samples over 60 s, no lasting difference, no false restart, counters at most ${oldest} s old"

# --- 2. the detail view of a CHILD SA across its rekey ---
child_id() { # NAME -> the id of its INSTALLED CHILD SA per swanctl
	STRONGSWAN_CONF=$SWANTOP_LAB_STRONGSWAN_CONF swanctl --list-sas --uri "$uri" 2>/dev/null |
		sed -nE "s/^  $1: #([0-9]+), reqid [0-9]+, INSTALLED,.*/\1/p" | head -1
}
old=$(child_id site1-lan)
[ -n "$old" ] || fail "site1-lan not installed"
mon_keys / site1-lan Enter
mon_wait 'filter: site1-lan' 3
mon_keys g j Enter
mon_wait "CHILD SA site1-lan c$old " 5
STRONGSWAN_CONF=$SWANTOP_LAB_STRONGSWAN_CONF swanctl --rekey --child site1-lan --uri "$uri" >"$MON_WORK/rekey.out" 2>&1 ||
	{ cat "$MON_WORK/rekey.out" >&2; fail "swanctl --rekey --child site1-lan"; }
for _ in $(seq 50); do
	new=$(child_id site1-lan)
	[ -n "$new" ] && [ "$new" != "$old" ] && break
	sleep 0.2
done
[ -n "$new" ] && [ "$new" != "$old" ] || fail "site1-lan was not rekeyed (still c$old)"
mon_wait "CHILD SA site1-lan c$new .*rekeyed \\(opened on c$old\\)" 10
# once the old one is deleted too, and for a few refreshes more
sleep 6
mon_wait "CHILD SA site1-lan c$new .*rekeyed \\(opened on c$old\\)" 3
screen | grep -q 'gone from charon' && fail "the detail view says its CHILD SA is gone"
mon_keys Escape Escape
mon_wait_gone 'filter: site1-lan' 3
echo "ok: the detail view follows c$old to c$new"

# --- 3. real restarts: said once each, selection gone, tree reloaded ---
n=0
for how in "" --crash; do
	n=$((n + 1))
	mon_keys g # the first row is selected
	pid=$(cat "$SWANTOP_LAB_DIR/gw.pid")
	"$lab" restart $how >"$MON_WORK/restart.out" 2>&1 || { cat "$MON_WORK/restart.out" >&2; fail "lab restart $how"; }
	[ "$(cat "$SWANTOP_LAB_DIR/gw.pid")" != "$pid" ] || fail "restart $how: same pid"
	mon_wait 'monitor . up +listener . up' 30
	converge 40 || fail "restart $how: the screen did not come back to charon's SAs"
	mon_wait 'selected SA gone' 5
	[ "$(events_count 'charon restarted: SAs reloaded')" = "$n" ] ||
		fail "restart $how: 'charon restarted' is not said exactly once"
	echo "ok: restart $how: said once, tree reloaded, selection gone"
done

mon_keys q
code=$(mon_exit_code 10)
[ "$code" = 0 ] || fail "exit status $code after q"
echo "ok: quit"
exit 0

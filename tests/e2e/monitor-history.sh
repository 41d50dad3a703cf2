#!/usr/bin/env bash
# End-to-end test of the monitor's history views against the simulator
# (suite fake) and a history store written through the store's API
# (tests/mkhist): with --db, the connections pane has FLAPS, a connection's
# detail says how often it went down and Tab shows its timeline from the
# store; the events pane scrolls back into the store, dated, a hostile
# record escaped; ? help names the store. Without a store (none at the
# default place) the monitor shows nothing of history but in ? help; a
# --db that cannot be opened is said once on the status line.
set -uo pipefail
. "$(dirname "$0")/monitor-lib.sh"
mon_need_sim
MKHIST=$build/tests/mkhist
[ -x "$MKHIST" ] || { echo "SKIP: tests/mkhist not built"; exit 77; }
trap 'sim_stop; mon_cleanup' EXIT
sim_start none 0 --ike 3 --children 1 --conns 3
"$MKHIST" "$MON_WORK/history.db" || fail "mkhist"

# --- no store: nothing of history on screen, ? help says there is none ---
# (root's default store is /var/lib/swantop/history.db: not if there is one)
if [ "$(id -u)" = 0 ] && [ -e /var/lib/swantop/history.db ]; then
	echo "skipped: no store (a store exists at /var/lib/swantop/history.db)"
else
mon_start 140 40 --uri "$uri" --interval 0.5
mon_wait 'ESTABLISHED' 10
mon_keys 2
mon_wait 'STATUS +WHY' 5
screen | grep -q FLAPS && fail "FLAPS without a store"
screen | grep -q 'LAST HOUR' && fail "LAST HOUR without a store"
mon_keys '?' G
mon_wait 'store +no history store' 3
mon_keys q q
mon_exit_code 5 >/dev/null
echo "ok: no store, no history"
fi

# --- a --db that cannot be read: said once ---
mon_start 140 40 --uri "$uri" --interval 0.5 --db "$MON_WORK/nowhere/history.db"
mon_wait 'history: .*nowhere/history.db' 5
mon_keys q
mon_exit_code 5 >/dev/null
echo "ok: a store that is not there is said"

# --- with the store ---
mon_start 140 40 --uri "$uri" --interval 0.5 --db "$MON_WORK/history.db"
mon_wait 'ESTABLISHED' 10
mon_keys 2
mon_wait 'FLAPS' 5
mon_wait '^conn0 .* 0 ' 5
echo "ok: FLAPS"

# the detail of a connection: its down events, then Tab: its timeline
mon_keys g Enter
mon_wait 'history: 0 IKE and 0 CHILD down events in the last 24 hours' 5
mon_keys Tab
mon_wait 'timeline of conn0' 5
mon_wait 'TIME +SA +EVENT +VERDICT +DETAILS' 3
mon_wait 'notice +old notice 0$' 5 # the daemon's records belong to every timeline
mon_keys G
mon_wait 'old notice 249' 5
mon_keys Tab
mon_wait 'connection \(as listed by list-conns\)' 3
mon_keys q
echo "ok: the timeline"

# the events pane scrolls back into the store, dated; hostile text escaped
mon_keys 4 z g Up
mon_wait 'from history' 5
mon_wait '^[0-9]{2}-[0-9]{2} [0-9:]{8} ! verdict +ev\\x1b\[31mil\[21\] auth-failed' 5
mon_wait 'identity evil\\x1b\]0;owned\\x07' 3
mon_keys PPage PPage PPage
mon_wait 'old notice [0-9]+' 5
mon_keys Enter
mon_wait 'history record #[0-9]+' 3
mon_keys q z
echo "ok: scroll-back"

mon_keys '?' G
mon_wait "store +$MON_WORK/history.db" 3
mon_keys q
raw_output_check $'\e]0;owned' $'\e[31mil'
mon_keys q
code=$(mon_exit_code 10)
[ "$code" = 0 ] || fail "exit status $code after q"
echo "ok: help, raw output clean, quit"
exit 0

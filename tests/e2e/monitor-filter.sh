#!/usr/bin/env bash
# End-to-end test of the "/" filter language and the problems view against
# the simulator vicisim (suite fake): 14 established IKE SAs of conn0 ..
# conn13 and one half-open (CONNECTING) of conn0, without churn. Typed in
# tmux: /state=CONNECTING, /conn1[23]$, /!conn1, a bad regular expression
# and an unknown field (one line on the status line, the monitor keeps
# running and the pane keeps the last good filter's rows), :problems and !
# (composing with a filter, which comes back when the view is off), the
# connections pane's fields, :help filter and the help screen.
set -uo pipefail
. "$(dirname "$0")/monitor-lib.sh"
mon_need_sim

trap 'sim_stop; mon_cleanup' EXIT

sim_start none 0 --ike 14 --conns 14 --children 2 --connecting 1

# The SA pane's rows (the top pane, maximised with z): lines of the tree.
sa_rows() {
	mon_screen | grep -E '^[▾▸ ] ?[├└ ]?' | grep -E 'conn[0-9]|net[01]'
}
# count_rows REGEX: SA rows matching REGEX
count_rows() {
	sa_rows | grep -Ec -- "$1"
}

mon_start 150 50 --uri "$uri" --interval 0.5 --readonly
mon_wait 'ESTABLISHED' 10
mon_wait 'CONNECTING' 5
mon_wait 'conn13' 5
mon_keys z
sleep 0.5
echo "ok: SAs shown"

# --- a field term: state is searched, and state=VALUE is the whole value ---
mon_keys / 'state=CONNECTING' Enter
mon_wait 'filter: state=CONNECTING' 3
sleep 0.5
[ "$(count_rows 'CONNECTING')" = 1 ] || fail "state=CONNECTING: $(sa_rows)"
[ "$(count_rows 'ESTABLISHED|INSTALLED')" = 0 ] || fail "state=CONNECTING shows more: $(sa_rows)"
echo "ok: /state=CONNECTING"

# free text finds the state too
mon_keys / C-u 'connecting' Enter
mon_wait 'filter: connecting' 3
sleep 0.5
[ "$(count_rows 'CONNECTING')" = 1 ] || fail "/connecting: $(sa_rows)"
[ "$(count_rows 'ESTABLISHED')" = 0 ] || fail "/connecting shows more: $(sa_rows)"
echo "ok: /connecting"

# --- a regular expression over every visible field ---
mon_keys / C-u 'conn1[23]$' Enter
mon_wait 'filter: conn1\[23\]\$' 3
sleep 0.5
[ "$(count_rows 'conn1[23] ')" = 2 ] || fail "/conn1[23]\$: $(sa_rows)"
[ "$(count_rows 'net[01]')" = 4 ] || fail "/conn1[23]\$ without its CHILD SAs: $(sa_rows)"
[ "$(count_rows 'conn([02-9]|1[014-9]?) ')" = 0 ] || fail "/conn1[23]\$ shows more: $(sa_rows)"
echo "ok: /conn1[23]\$"

# --- negation ---
mon_keys / C-u '!conn1' Enter
mon_wait 'filter: !conn1' 3
sleep 0.5
[ "$(count_rows 'conn1')" = 0 ] || fail "/!conn1 shows conn1*: $(sa_rows)"
[ "$(count_rows 'conn[02-9] ')" -ge 9 ] || fail "/!conn1 hides the others: $(sa_rows)"
echo "ok: /!conn1"

# --- a bad regular expression: one line, the monitor goes on, the rows of
# the last good filter stay ---
mon_keys / C-u 'name~conn1[23]' Enter
mon_wait 'filter: name~conn1\[23\] *─' 3
mon_keys / C-u 'name~conn1[' Enter
mon_wait 'filter: bad regular expression in "name~conn1\["' 3
mon_wait 'filter: name~conn1\[ \(invalid\)' 3
sleep 0.5
# the last good text was name~conn1 (typed one character after another)
[ "$(count_rows 'conn1[0-3]? ')" -ge 5 ] || fail "bad regex: rows gone: $(sa_rows)"
mon_wait 'IKE 15 ' 3 # the header is still drawn
echo "ok: bad regular expression"

# an unknown field names the field and the valid ones; fixing the text
# takes the message away
mon_keys / C-u 'stat=CONNECTING'
mon_wait 'unknown field "stat" in "stat=CONNECTING" \(did you mean "state"\?\); fields: name' 3
mon_keys BSpace BSpace BSpace BSpace BSpace BSpace BSpace BSpace BSpace BSpace BSpace
mon_keys 'e=CONNECTING' # stat -> state
mon_wait_gone 'unknown field' 3
mon_keys Enter
mon_wait 'filter: state=CONNECTING *─' 3
echo "ok: unknown field"

# --- :problems and ! : only what needs attention, composing with the
# filter, which is back when the view is off ---
mon_keys Escape
mon_wait_gone 'filter:' 3
mon_keys ':' 'problems' Enter
mon_wait 'sort: name . +problems' 3
sleep 0.5
[ "$(count_rows 'CONNECTING')" = 1 ] || fail ":problems: $(sa_rows)"
[ "$(count_rows 'ESTABLISHED|INSTALLED')" = 0 ] || fail ":problems shows more: $(sa_rows)"
mon_keys ':' 'problems' Enter
mon_wait 'problems view off' 3
mon_wait_gone 'sort: name . +problems' 3
sleep 0.5
[ "$(count_rows 'ESTABLISHED')" -ge 14 ] || fail ":problems off: $(sa_rows)"
echo "ok: :problems"

mon_keys / 'conn1' Enter
mon_wait 'filter: conn1 *─' 3
mon_keys '!'
mon_wait 'problems  filter: conn1' 3
mon_wait 'no SA matches the filter' 3 # the half-open SA is conn0's
mon_keys / C-u 'conn0' Enter
mon_wait 'problems  filter: conn0' 3
sleep 0.5
[ "$(count_rows 'CONNECTING')" = 1 ] || fail "! with /conn0: $(sa_rows)"
[ "$(count_rows 'ESTABLISHED')" = 0 ] || fail "! with /conn0 shows more: $(sa_rows)"
mon_keys '!'
mon_wait 'sort: name . +filter: conn0 *─' 3
sleep 0.5
[ "$(count_rows 'ESTABLISHED')" -ge 1 ] || fail "! off: the filter's rows: $(sa_rows)"
mon_keys Escape
echo "ok: ! composes with the filter"

# --- the connections pane's fields ---
mon_keys z 2
mon_wait '2 connections' 3
mon_keys / 'status=up name~^conn1[23]$' Enter
mon_wait 'filter: status=up name~\^conn1\[23\]\$' 3
sleep 0.5
[ "$(mon_screen | grep -Ec '^conn1[23] ')" = 2 ] || fail "connections filter: $(mon_screen)"
[ "$(mon_screen | grep -Ec '^conn([02-9]|1[014-9]?) ')" = 0 ] || fail "connections filter shows more"
mon_keys / C-u 'why~(' Enter
mon_wait 'filter: bad regular expression in "why~\("' 3
mon_keys Escape
echo "ok: connections pane"

# --- help: the key and the language, generated from the tables ---
mon_keys ':' 'help filter' Enter
mon_wait 'help: filter' 3
mon_wait 'Fields of each pane' 3
mon_wait '^ +SAs +name\* child\* state\*' 3
mon_wait '^ +connections +name\* child\* status\*' 3
mon_wait '^ +log +group\* level\* name\* text\*' 3
mon_keys q
mon_wait_gone 'help: filter' 3
mon_keys '?'
mon_wait '! +only what needs attention' 3
mon_keys G
mon_wait 'help filter: the filter language' 3
mon_keys q
mon_wait_gone 'help filter: the filter language' 3
echo "ok: help"

mon_keys q
code=$(mon_exit_code 10)
[ "$code" = 0 ] || fail "exit status $code after q"
echo "ok: q"

#!/usr/bin/env bash
# End-to-end test of the monitor's keyboard and terminal against vicisim
# (suite fake), with the exact bytes terminals send (tmux send-keys -H) and
# real pastes (tmux paste-buffer -p, bracketed only when the monitor asked):
#   - Home and End in every form (xterm, vt220, rxvt, SS3) move, and the
#     digits inside them never switch the view; unknown sequences do nothing;
#   - a paste goes into the filter as text without its control characters
#     ("abc ESC 2" becomes the filter "abc2"), is refused with a status line
#     where nothing is typed ("ty" terminates nothing, checked with swantop
#     call against the simulator) and cancels a y/n question;
#   - C-\, C-s and C-q neither kill nor freeze; C-c quits with 0;
#   - C-z and kill -TSTP suspend under an interactive shell: the terminal is
#     the shell's again (normal screen, cursor, echo, icanon, isig, ixon,
#     bracketed paste and mouse reports off) and fg brings the whole screen
#     back; after kill
#     -STOP and fg the monitor's modes are back; without job control C-z
#     says so and goes on;
#   - kill -QUIT and kill -SEGV restore the terminal;
#   - while charon is down the header shows the last seen counts, the same
#     as the pane, and no daemon figures as if current;
#   - a listener whose registration is never confirmed is "waiting", not up.
set -uo pipefail
. "$(dirname "$0")/monitor-lib.sh"
mon_need_sim
trap 'sim_stop; mon_cleanup' EXIT

sim_start none
ROWS=36

# --- helpers ---

# mon_run ARGS...: the monitor as a job of the shell.
mon_run() {
	shell_run "clear; $(printf '%q ' "$SWANTOP" "$@")2>>$MON_WORK/stderr"
	mon_wait 'monitor .* up .*listener .* up' 10
	mon_wait 'ESTABLISHED' 5
	pid=$(shell_job_pid)
	[ -n "$pid" ] || fail "no monitor process"
}

exit_status() { # [SECS]: the status mon_run's job ended with, once it did
	shell_prompt "${1:-10}"
	shell_run 'echo e2e-exit:$?'
	mon_wait '^e2e-exit:[0-9]+' 5
	screen | sed -nE 's/^e2e-exit:([0-9]+).*/\1/p' | tail -1
}

# The title of the focused pane or overlay (the third line).
title() {
	screen | sed -n 3p | sed -E 's/^─▶ //; s/ ─.*//'
}

# The detail view's title of the selected row (Enter, read, Esc).
selected() {
	mon_keys Enter
	_e2e_poll E '^─▶ (IKE SA|CHILD SA|connection|policy) ' 3 || fail "no detail view"
	title
	mon_keys Escape
	_e2e_poll E '^─▶ [0-9] ' 3 || fail "the detail view did not close"
}

# The terminal is the shell's again, as it was: normal screen, cursor,
# line editing and signals and flow control on, no bracketed paste.
terminal_is_shells() {
	[ "$(pane_flag alternate_on)" = 0 ] || fail "$1: still on the alternate screen"
	[ "$(pane_flag cursor_flag)" = 1 ] || fail "$1: the cursor is hidden"
	[ "$(pane_flag mouse_any_flag)" = 0 ] && [ "$(pane_flag mouse_sgr_flag)" = 0 ] ||
		fail "$1: mouse reports still on (the terminal's own selection would not work)"
	shell_prompt 5
	shell_run "clear; stty -a | tr ' ;' '\\n\\n' | grep -Ex -- '-?(echo|icanon|isig|ixon)' | sort | tr '\\n' ,; echo"
	mon_wait '^[-a-z,]*,$' 5
	[ "$(screen | grep -E '^[-a-z,]*,$' | tail -1)" = 'echo,icanon,isig,ixon,' ] ||
		fail "$1: terminal modes not restored: $(screen | grep -E '^[-a-z,]*,$')"
	# a paste reaches cat as it is: no bracketed-paste markers
	shell_run 'clear; cat -v'
	sleep 0.2
	tmux_paste 'pasted'
	tmux_send Enter C-d
	mon_wait '^pasted$' 5
	expect_absent '200~'
	shell_prompt 5
}

# --- Home and End in every form; the digits in them are not keys ---
tmux_start_shell -x 120 -y $ROWS -e "HOME=$MON_WORK"
mon_run --uri "$uri" --interval 0.5
mon_keys 2
mon_wait '^─▶ 2 connections' 3
mon_keys g
first=$(selected)
mon_keys G
last=$(selected)
[ "$first" != "$last" ] || fail "g and G select the same row ($first)"
for seq in "1b 5b 31 7e" "1b 5b 48" "1b 4f 48" "1b 5b 37 7e"; do
	mon_keys G
	tmux_send_hex $seq
	sleep 0.2
	[ "$(title)" = "2 connections" ] || fail "Home as $seq switched the view to $(title)"
	[ "$(selected)" = "$first" ] || fail "Home as $seq did not select the first row"
done
for seq in "1b 5b 34 7e" "1b 5b 46" "1b 4f 46" "1b 5b 38 7e"; do
	mon_keys g
	tmux_send_hex $seq
	sleep 0.2
	[ "$(title)" = "2 connections" ] || fail "End as $seq switched the view to $(title)"
	[ "$(selected)" = "$last" ] || fail "End as $seq did not select the last row"
done
# unknown and modified sequences: one unit each, bound to nothing
mon_keys g
tmux_send_hex 1b 5b 39 39 7e 1b 5b 31 3b 35 48 1b 5b 33 3b 33 7e 1b 5b 34 3b 32 41 1b 4f 35 51
sleep 0.3
[ "$(title)" = "2 connections" ] || fail "an unknown sequence switched the view to $(title)"
[ "$(selected)" = "$first" ] || fail "an unknown sequence moved the selection"
# the SA tree too
mon_keys 1
mon_wait '^─▶ 1 SAs' 3
mon_keys g
sa_first=$(selected)
mon_keys j j j
[ "$(selected)" != "$sa_first" ] || fail "j did not move"
tmux_send_hex 1b 5b 31 7e
sleep 0.2
[ "$(selected)" = "$sa_first" ] || fail "Home (ESC [ 1 ~) did not select the first SA"
echo "ok: Home/End in every form, unknown sequences ignored"

# --- a paste is text for the filter, without its control characters ---
mon_keys /
mon_wait '^/' 3
# ESC [ 200 ~ "abc" ESC "2" ESC [ 201 ~: ESC 2 would be Alt-2, or Esc and 2
tmux_send_hex 1b 5b 32 30 30 7e 61 62 63 1b 32 1b 5b 32 30 31 7e
mon_wait '^/abc2 *$' 3
mon_wait '^─▶ 1 SAs .*filter: abc2' 3
mon_keys Enter
sleep 0.2
[ "$(title)" = "1 SAs" ] || fail "the paste switched the view to $(title)"
mon_wait '^─▶ 1 SAs .*filter: abc2' 3
mon_keys Escape
mon_wait_gone 'filter: abc2' 3
echo "ok: paste into the filter"

# --- a paste where nothing is typed does nothing; it answers no question ---
mon_keys g
id=$(selected | sed -nE 's/^IKE SA .* #([0-9]+)$/\1/p')
[ -n "$id" ] || fail "the first row is not an IKE SA"
sa_listed "$id" || fail "IKE SA #$id not listed before the paste"
tmux_paste 'ty'
mon_wait 'paste ignored: no text input here \(press / or : first\)' 3
expect_absent '(y/n)'
tmux_send_hex 1b 5b 32 30 30 7e 74 79 1b 5b 32 30 31 7e
sleep 1.5
expect_absent '(y/n)'
mon_screen | grep -q 'terminate IKE SA' && fail "a pasted t started a terminate"
sa_listed "$id" || fail "IKE SA #$id gone after pasting ty"
mon_keys t
mon_wait "terminate IKE SA .* #$id\\? \\(y/n\\)" 3
tmux_paste 'y'
mon_wait "#$id: cancelled: a paste is never an answer" 3
sleep 1
sa_listed "$id" || fail "IKE SA #$id gone after pasting y at the question"
echo "ok: pastes run no keys and answer no question"

# --- C-\, C-s and C-q are harmless keys ---
tmux_send_hex 1c
sleep 0.5
kill -0 "$pid" 2>/dev/null || fail "C-\\ killed the monitor"
tmux_send_hex 13
mon_keys 2
mon_wait '^─▶ 2 connections' 3 # no XOFF: the screen is not frozen
tmux_send_hex 11
mon_keys 1
mon_wait '^─▶ 1 SAs' 3
echo "ok: C-\\ C-s C-q"

# --- C-z suspends: the shell's terminal as it was, fg brings it all back ---
tmux_send_hex 1a
mon_wait 'Stopped +.*swantop' 5
[ "$(ps -o stat= -p "$pid" | cut -c1)" = T ] || fail "C-z did not stop the monitor"
terminal_is_shells "C-z"
shell_run 'fg'
mon_wait 'monitor .* up .*listener .* up' 10
mon_wait 'ESTABLISHED' 5
[ "$(pane_flag alternate_on)" = 1 ] || fail "fg: not on the alternate screen"
[ "$(pane_flag cursor_flag)" = 0 ] || fail "fg: the cursor is visible"
screen | sed -n 1p | grep -q '^ swantop ' || fail "fg: no header on the first line"
screen | sed -n "${ROWS}p" | grep -q 'q quit' || fail "fg: no hint bar on the last line"
mon_keys 2
mon_wait '^─▶ 2 connections' 3
mon_keys 1
tmux_paste 'x' # paste mode is on again
mon_wait 'paste ignored' 3
echo "ok: C-z and fg"

# --- SIGTSTP from outside: the same ---
kill -TSTP "$pid"
mon_wait 'Stopped +.*swantop' 5
terminal_is_shells "kill -TSTP"
shell_run 'fg'
mon_wait 'monitor .* up .*listener .* up' 10
[ "$(pane_flag alternate_on)" = 1 ] || fail "fg after kill -TSTP: not on the alternate screen"
echo "ok: kill -TSTP and fg"

# --- SIGSTOP from outside: the shell had the terminal; fg gives it back raw ---
kill -STOP "$pid"
mon_wait 'Stopped.*swantop' 5
shell_prompt 5
shell_run 'fg'
mon_wait 'monitor .* up .*listener .* up' 10
tmux_send_hex 13 # C-s: frozen output if the shell's IXON had stayed
mon_keys 2
mon_wait '^─▶ 2 connections' 3
mon_keys 1
echo "ok: kill -STOP and fg"

# --- C-c quits with 0 ---
tmux_send C-c
[ "$(exit_status)" = 0 ] || fail "exit status after C-c"
terminal_is_shells "C-c"
echo "ok: C-c quits"

# --- fatal signals from outside: the terminal is restored ---
for sig in QUIT SEGV; do
	mon_run --uri "$uri"
	kill -"$sig" "$pid"
	code=$(exit_status)
	[ "$code" = $((128 + $(kill -l "$sig"))) ] || fail "exit status $code after SIG$sig"
	terminal_is_shells "kill -$sig"
	echo "ok: kill -$sig restores the terminal"
done
grep -Eq 'ERROR: [A-Za-z]*Sanitizer|runtime error' "$MON_WORK/stderr" && fail "sanitizer report"

# --- without job control C-z says so and the monitor goes on ---
mon_start 120 $ROWS --uri "$uri" --interval 0.5
mon_wait 'ESTABLISHED' 10
tmux_send_hex 1a
mon_wait 'not suspended: no job control' 3
tmux_running || fail "C-z without job control ended the monitor"
mon_keys 2
mon_wait '^─▶ 2 connections' 3
mon_keys 1
echo "ok: C-z without job control"

# --- charon down: the header recalls the last counts, the pane's ---
mon_wait 'IKE [0-9]+ \([0-9]+ up, [0-9]+ half-open\) +workers' 5
sim_stop
mon_wait 'last seen: IKE [0-9]+' 10
head_n=$(screen | sed -nE '1s/.*last seen: IKE ([0-9]+).*/\1/p')
pane_n=$(screen | sed -nE '3s/.*STALE: ([0-9]+) IKE.*/\1/p')
[ -n "$pane_n" ] && [ "$head_n" = "$pane_n" ] ||
	fail "header says IKE $head_n, the pane $pane_n"
screen | sed -n 1p | grep -Eq 'workers|half-open| up [0-9]' && fail "daemon figures shown while charon is down"
mon_keys q
[ "$(mon_exit_code 10)" = 0 ] || fail "exit status after q"
echo "ok: header while charon is down"

# --- a registration charon never confirms: the listener is waiting ---
sim_start hang=register
mon_start 120 $ROWS --uri "$uri" --interval 0.5
mon_wait 'listener .* waiting' 10
sleep 3
mon_wait 'listener .* waiting' 1
mon_screen | grep -Eq 'listener [^ ]+ up' && fail "listener shown up without a confirmed registration"
mon_keys q
[ "$(mon_exit_code 10)" = 0 ] || fail "exit status after q"
"$SWANTOP" listen log --timeout 0.5 --uri "$uri" >/dev/null 2>&1
code=$?
[ "$code" = 4 ] || fail "swantop listen exit status $code without a confirmed registration"
echo "ok: unconfirmed registration: waiting, listen exits 4"
grep -Eq 'ERROR: [A-Za-z]*Sanitizer|runtime error' "$MON_WORK/stderr" && fail "sanitizer report"
exit 0

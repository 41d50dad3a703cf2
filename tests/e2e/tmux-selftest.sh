#!/usr/bin/env bash
# Self-test of the tmux harness (tests/e2e/tmux.sh): it drives a small shell
# program, sees its output, sends keys, resizes, reads exit statuses, catches
# raw escape sequences, and its checks fail when they should.
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
. "$here/tmux.sh"
command -v python3 >/dev/null || { echo "SKIP: python3 missing"; exit 77; }

# must_fail DESCRIPTION CMD...: CMD (a harness check, run in a subshell so its
# exit does not end this script) must fail.
must_fail() {
	local what=$1
	shift
	if ("$@") >"$E2E_WORK/mf.out" 2>&1; then
		e2e_fail "check did not fail: $what"
	fi
	grep -q '^FAIL: ' "$E2E_WORK/mf.out" || e2e_fail "no FAIL message for: $what"
	echo "ok: fails as it should: $what"
}

# --- keys in, text out, exit status ---
tmux_start sh -c 'printf ready; read x; echo got:$x; exit 3'
wait_for ready 5
expect_absent got:
tmux_type 'hello world'
tmux_send Enter
wait_for 'got:hello world' 5
wait_for_re '^got:hello w[o]rld$' 1
[ "$(tmux_exit_status 5)" = 3 ] || e2e_fail "exit status is not 3"
tmux_running && e2e_fail "still running after exit"
screen | grep -q '^ready' || e2e_fail "screen does not start with 'ready'"
echo "ok: keys, screen, exit status"

# --- the checks can fail ---
must_fail "wait_for absent text" wait_for 'never shown' 0.5
must_fail "wait_for_re absent text" wait_for_re 'nev[e]r' 0.3
must_fail "expect_absent of text on the screen" expect_absent ready
must_fail "expect_present of absent text" expect_present 'not there'
must_fail "wait_gone of text that stays" wait_gone ready 0.3

# --- environment and size ---
tmux_start -e FOO=bar sh -c 'echo "term=$TERM lang=$LANG foo=$FOO"; stty size; read x; stty size; read y'
wait_for 'term=xterm-256color lang=C.UTF-8 foo=bar' 5
wait_for '40 120' 5
tmux_resize 60 20
sleep 0.2
tmux_send Enter
wait_for '20 60' 5
tmux_send Enter
[ "$(tmux_exit_status 5)" = 0 ] || e2e_fail "exit status is not 0"
echo "ok: environment, size, resize"

# --- keys by name: a tiny line reader sees Escape and C-c as bytes ---
tmux_start sh -c 'stty raw -echo; dd bs=1 count=3 2>/dev/null | od -An -c; stty sane; read z'
sleep 0.3
tmux_send Escape C-a x
wait_for '033 001   x' 5
echo "ok: key names"

# --- exact bytes, and pastes bracketed only when the program asks ---
tmux_start sh -c 'stty raw -echo; dd bs=1 count=4 2>/dev/null | od -An -tx1; stty sane; read z'
sleep 0.3
tmux_send_hex 1b 5b 31 7e
wait_for '1b 5b 31 7e' 5
tmux_start sh -c 'stty raw -echo; dd bs=1 count=2 2>/dev/null | od -An -c; stty sane; read z'
sleep 0.3
tmux_paste 'ab'
wait_for '  a   b' 5
tmux_start sh -c 'printf "\033[?2004h"; stty raw -echo; dd bs=1 count=14 2>/dev/null | od -An -c; stty sane; read z'
sleep 0.3
tmux_paste 'ab'
wait_for '033   [   2   0   0   ~   a   b 033   [   2   0   1   ~' 5
echo "ok: exact bytes and pastes"

# --- an interactive shell with job control ---
tmux_start_shell
[ "$(pane_flag alternate_on)" = 0 ] || e2e_fail "the shell starts on the alternate screen"
shell_run 'sleep 100'
sleep 0.3
pid=$(shell_job_pid)
[ -n "$pid" ] || e2e_fail "no job pid"
tmux_send C-z
wait_for_re 'Stopped +sleep 100' 5
shell_prompt 5
[ "$(ps -o stat= -p "$pid" | cut -c1)" = T ] || e2e_fail "the job is not stopped"
shell_run 'fg'
wait_for_re '^sleep 100$' 5
tmux_send C-c
shell_prompt 5
ps -p "$pid" >/dev/null && e2e_fail "the job survived C-c after fg"
echo "ok: interactive shell, job control"

# --- raw output: clean output passes, injected sequences are caught ---
tmux_start sh -c 'printf "\033[1mbold\033[0m \033[38;5;196mred\033[0m and \\\\x1b]2;pwned shown escaped\n"; read x'
wait_for 'shown escaped' 5
raw_output_check $'\e]2;pwned'
echo "ok: clean output passes the raw check"

tmux_start sh -c 'printf "title\033]2;pwned\007 done\n"; read x'
wait_for 'title done' 5
must_fail "OSC title injection" raw_output_check
tmux_start sh -c 'printf "\033[5mblink\033[0m\n"; read x'
wait_for blink 5
must_fail "blink SGR" raw_output_check
tmux_start sh -c 'printf "\033[38;2;1;2;3mtrue\033[0m\n"; read x'
wait_for true 5
must_fail "true-colour SGR" raw_output_check
tmux_start sh -c 'printf "a\302\233b\n"; printf "c\233d\n"; read x'
wait_for a 5
must_fail "raw C1 control" raw_output_check
tmux_start sh -c 'printf "\033[2Jevil\n"; read x'
wait_for evil 5
must_fail "a given payload" raw_output_check $'\e[2J'
tmux_start sh -c 'printf "bell\007\n"; read x'
wait_for bell 5
raw_output_check
E2E_ALLOW_BEL=0 must_fail "BEL when not allowed" raw_output_check
echo "ok: raw output check"

# --- cleanup: a harness in a child shell leaves no server behind ---
sock=$(bash -c '. "$1/tmux.sh"; tmux_start sleep 100; echo "$E2E_SOCKET"; echo "$E2E_WORK"' _ "$here")
child_sock=$(echo "$sock" | sed -n 1p)
child_work=$(echo "$sock" | sed -n 2p)
[ -n "$child_sock" ] || e2e_fail "child printed no socket"
tmux -L "$child_sock" -f /dev/null has-session 2>/dev/null && e2e_fail "child's tmux server survived"
[ -e "$child_work" ] && e2e_fail "child's work dir survived"
[ -e "${TMUX_TMPDIR:-/tmp}/tmux-$(id -u)/$child_sock" ] && e2e_fail "child's tmux socket survived"
echo "ok: cleanup"
echo "PASS"

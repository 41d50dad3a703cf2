# tests/e2e/tmux.sh: end-to-end tests of terminal programs in tmux.
#
# Runs the real binary in a private tmux server (its own socket, `tmux -L
# <unique> -f /dev/null`, so tests can run in parallel and never touch the
# user's tmux), 120x40, with TERM=xterm-256color and LANG/LC_ALL=C.UTF-8.
# Everything the program writes to the terminal is also recorded raw (tmux
# pipe-pane) so a test can prove that no hostile byte reached the terminal.
#
# Usage (bash):
#
#   #!/usr/bin/env bash
#   set -uo pipefail
#   . "$SWANTOP_SOURCE_DIR/tests/e2e/tmux.sh"   # exits 77 (skip) without tmux
#   tmux_start "$SWANTOP_BUILD_DIR/src/swantop" --uri "$uri"
#   wait_for 'ESTABLISHED' 10         # fixed text; fails with a screen dump
#   tmux_send ':'                     # keys, tmux names: Enter Escape C-c Up BSpace F1 ...
#   tmux_type 'terminate gw'          # literal text
#   tmux_send Enter
#   wait_for_re 'IKE [0-9]+ up'       # extended regex
#   expect_absent 'Segmentation'
#   tmux_resize 80 24
#   raw_output_check $'\e]2;pwned'    # nothing raw reached the terminal
#   tmux_send q
#   [ "$(tmux_exit_status 5)" = 0 ] || e2e_fail "exit status"
#   # cleanup (kill the private server, remove the work dir) runs on exit
#
# Functions (each failure prints the reason and the screen, then exits 1):
#   tmux_start [-x COLS] [-y ROWS] [-e VAR=VALUE]... CMD [ARG...]
#                         start CMD in a new session (stops a previous one);
#                         its stderr goes to $E2E_WORK/stderr
#   tmux_send KEY...      tmux send-keys (key names)
#   tmux_type TEXT        send TEXT literally
#   screen                print the visible screen (plain text)
#   screen_attrs          print it with attributes (capture-pane -e)
#   wait_for TEXT [SECS]  wait until TEXT is on the screen (default 10 s)
#   wait_for_re RE [SECS] the same with an extended regular expression
#   wait_gone TEXT [SECS] wait until TEXT is no longer on the screen
#   expect_present TEXT   TEXT must be on the screen now
#   expect_absent TEXT    TEXT must not be on the screen now
#   tmux_resize COLS ROWS resize the window (the program gets SIGWINCH)
#   raw_output_check [PAYLOAD...]
#                         fail if the terminal received anything a hostile
#                         string could have injected: an OSC/DCS/APC/PM/SOS
#                         string (title, clipboard, hyperlinks...), a raw C1
#                         control, an SGR the UI never uses (blink, hidden,
#                         strike-through, true colour), a changed pane title,
#                         or any PAYLOAD byte string verbatim. Set
#                         E2E_ALLOW_BEL=0 to also refuse BEL.
#   tmux_running          0 while the program still runs
#   tmux_exit_status [SECS]  wait for the program to exit, print its status
#                            ("none" on timeout)
#   tmux_send_hex HEX...  send exact bytes (tmux send-keys -H): "1b 5b 31 7e"
#   tmux_paste TEXT       paste TEXT as a terminal does (tmux paste-buffer -p):
#                         in bracketed-paste markers only if the program asked
#                         for them (ESC [ ? 2004 h)
#   pane_flag NAME        a tmux pane flag, 0 or 1: alternate_on (alternate
#                         screen), cursor_flag (cursor visible), ...
#   e2e_fail MESSAGE      fail with the screen and the program's stderr
#   e2e_cleanup           kill the private server and remove $E2E_WORK; runs
#                         from an EXIT trap set here; a test that sets its own
#                         EXIT trap must call it from there
#
# Job control needs an interactive shell: tmux_start_shell runs bash in the
# pane instead of the program, and the test types its command lines.
#   tmux_start_shell [-x COLS] [-y ROWS] [-e VAR=VALUE]...
#                         start an interactive bash (no rc files, prompt
#                         "e2e$ ", readline's own bracketed paste off so the
#                         terminal's modes are what the program left)
#   shell_run CMDLINE     type CMDLINE into it and press Enter
#   shell_prompt [SECS]   wait until the last non-empty line is the prompt
#   shell_job_pid         the pid of the shell's newest child (its job)
# Variables: E2E_WORK (private temp dir), E2E_RAW (raw output file),
# E2E_TMUX (the tmux command with its socket), E2E_COLS/E2E_ROWS (defaults
# for tmux_start, 120 and 40).

command -v tmux >/dev/null 2>&1 || { echo "SKIP: tmux is not installed"; exit 77; }

E2E_WORK=$(mktemp -d "${TMPDIR:-/tmp}/swantop-e2e.XXXXXX")
E2E_SOCKET=swantop-e2e-$$-$RANDOM
E2E_TMUX="tmux -L $E2E_SOCKET -f /dev/null"
E2E_RAW=$E2E_WORK/raw.out
E2E_COLS=${E2E_COLS:-120}
E2E_ROWS=${E2E_ROWS:-40}
E2E_TITLE=swantop-e2e
E2E_SESSION=e2e
E2E_ALLOW_BEL=${E2E_ALLOW_BEL:-1}
unset TMUX TMUX_PANE

e2e_cleanup() {
	$E2E_TMUX kill-server >/dev/null 2>&1 || true
	# tmux 3.3 leaves the socket file of a killed server behind
	rm -f "${TMUX_TMPDIR:-/tmp}/tmux-$(id -u)/$E2E_SOCKET"
	[ -n "${E2E_WORK:-}" ] && rm -rf "$E2E_WORK"
}
trap e2e_cleanup EXIT
trap 'exit 1' INT TERM HUP

e2e_fail() {
	echo "FAIL: $*" >&2
	if $E2E_TMUX has-session -t "$E2E_SESSION" 2>/dev/null; then
		echo "---- screen ----" >&2
		screen >&2
		echo "----------------" >&2
	fi
	if [ -s "$E2E_WORK/stderr" ]; then
		echo "---- stderr of the program ----" >&2
		tail -n 50 "$E2E_WORK/stderr" >&2
	fi
	exit 1
}

tmux_start() {
	local cols=$E2E_COLS rows=$E2E_ROWS envs=()
	while [ $# -gt 0 ]; do
		case $1 in
		-x) cols=$2; shift 2 ;;
		-y) rows=$2; shift 2 ;;
		-e) envs+=("$2"); shift 2 ;;
		--) shift; break ;;
		*) break ;;
		esac
	done
	[ $# -gt 0 ] || e2e_fail "tmux_start: no command"
	$E2E_TMUX kill-server >/dev/null 2>&1 || true
	rm -f "$E2E_WORK/exit" "$E2E_WORK/go" "$E2E_RAW" "$E2E_WORK/stderr"
	: >"$E2E_RAW"
	# The command waits for "go" so that recording starts before its first
	# byte; afterwards the pane stays open (sleep) so the final screen can
	# still be read, and the exit status is kept in a file.
	local cmd q
	cmd="while [ ! -e $(printf '%q' "$E2E_WORK/go") ]; do sleep 0.01; done;"
	cmd+=" env TERM=xterm-256color LANG=C.UTF-8 LC_ALL=C.UTF-8"
	for q in "${envs[@]}"; do cmd+=" $(printf '%q' "$q")"; done
	for q in "$@"; do cmd+=" $(printf '%q' "$q")"; done
	cmd+=" 2>$(printf '%q' "$E2E_WORK/stderr");"
	cmd+=" echo \$? >$(printf '%q' "$E2E_WORK/exit"); exec sleep 86400"
	# One tmux invocation: every tmux command costs a client start.
	$E2E_TMUX new-session -d -s "$E2E_SESSION" -x "$cols" -y "$rows" "sh -c $(printf '%q' "$cmd")" \; \
		set-option -t "$E2E_SESSION" status off \; \
		select-pane -t "$E2E_SESSION" -T "$E2E_TITLE" \; \
		pipe-pane -t "$E2E_SESSION" -o "cat >>$(printf '%q' "$E2E_RAW")" >/dev/null ||
		e2e_fail "tmux new-session failed"
	touch "$E2E_WORK/go"
}

tmux_start_shell() {
	local cols=$E2E_COLS rows=$E2E_ROWS envs=() q cmd
	while [ $# -gt 0 ]; do
		case $1 in
		-x) cols=$2; shift 2 ;;
		-y) rows=$2; shift 2 ;;
		-e) envs+=("$2"); shift 2 ;;
		*) e2e_fail "tmux_start_shell: unknown argument $1" ;;
		esac
	done
	$E2E_TMUX kill-server >/dev/null 2>&1 || true
	rm -f "$E2E_RAW" "$E2E_WORK/stderr"
	: >"$E2E_RAW"
	printf 'set enable-bracketed-paste off\n' >"$E2E_WORK/inputrc"
	cmd="env TERM=xterm-256color LANG=C.UTF-8 LC_ALL=C.UTF-8 HISTFILE=/dev/null"
	cmd+=" INPUTRC=$(printf '%q' "$E2E_WORK/inputrc") PS1='e2e\$ '"
	for q in "${envs[@]}"; do cmd+=" $(printf '%q' "$q")"; done
	cmd+=" bash --norc --noprofile -i"
	$E2E_TMUX new-session -d -s "$E2E_SESSION" -x "$cols" -y "$rows" "$cmd" \; \
		set-option -t "$E2E_SESSION" status off \; \
		select-pane -t "$E2E_SESSION" -T "$E2E_TITLE" \; \
		pipe-pane -t "$E2E_SESSION" -o "cat >>$(printf '%q' "$E2E_RAW")" >/dev/null ||
		e2e_fail "tmux new-session (shell) failed"
	shell_prompt 5
}

shell_prompt() {
	local secs=${1:-10} end
	end=$(($(date +%s) + ${secs%.*} + 1))
	while [ "$(date +%s)" -le "$end" ]; do
		[ "$(screen | grep -v '^ *$' | tail -1)" = 'e2e$' ] && return 0
		sleep 0.05
	done
	e2e_fail "no shell prompt after ${secs}s"
}

shell_run() {
	tmux_type "$1"
	tmux_send Enter
}

shell_job_pid() {
	local shell
	shell=$($E2E_TMUX display -p -t "$E2E_SESSION" '#{pane_pid}')
	pgrep -n -P "$shell"
}

tmux_send_hex() {
	$E2E_TMUX send-keys -t "$E2E_SESSION" -H "$@" || e2e_fail "send-keys -H $*"
}

tmux_paste() {
	$E2E_TMUX set-buffer -b e2e -- "$1" \; paste-buffer -p -d -b e2e -t "$E2E_SESSION" ||
		e2e_fail "paste-buffer $1"
}

pane_flag() {
	$E2E_TMUX display -p -t "$E2E_SESSION" "#{$1}"
}

tmux_send() {
	$E2E_TMUX send-keys -t "$E2E_SESSION" "$@" || e2e_fail "send-keys $*"
}

tmux_type() {
	$E2E_TMUX send-keys -t "$E2E_SESSION" -l -- "$1" || e2e_fail "send-keys -l $1"
}

screen() {
	$E2E_TMUX capture-pane -p -t "$E2E_SESSION"
}

screen_attrs() {
	$E2E_TMUX capture-pane -p -e -t "$E2E_SESSION"
}

# _e2e_poll MODE PATTERN SECS: MODE is F (fixed, present), E (regex, present)
# or G (fixed, gone). 0 when satisfied before the deadline.
_e2e_poll() {
	local mode=$1 pat=$2 secs=${3:-10} end now
	end=$(($(date +%s%N) / 1000000 + $(awk -v s="$secs" 'BEGIN { print int(s * 1000) }')))
	while :; do
		case $mode in
		F) screen | grep -Fq -- "$pat" && return 0 ;;
		E) screen | grep -Eq -- "$pat" && return 0 ;;
		G) screen | grep -Fq -- "$pat" || return 0 ;;
		esac
		now=$(($(date +%s%N) / 1000000))
		[ "$now" -ge "$end" ] && return 1
		sleep 0.05
	done
}

wait_for() {
	_e2e_poll F "$1" "${2:-10}" || e2e_fail "timed out after ${2:-10}s waiting for '$1'"
}

wait_for_re() {
	_e2e_poll E "$1" "${2:-10}" || e2e_fail "timed out after ${2:-10}s waiting for /$1/"
}

wait_gone() {
	_e2e_poll G "$1" "${2:-10}" || e2e_fail "'$1' still on the screen after ${2:-10}s"
}

expect_present() {
	screen | grep -Fq -- "$1" || e2e_fail "'$1' is not on the screen"
}

expect_absent() {
	! screen | grep -Fq -- "$1" || e2e_fail "'$1' is on the screen"
}

tmux_resize() {
	$E2E_TMUX resize-window -t "$E2E_SESSION" -x "$1" -y "$2" || e2e_fail "resize to $1x$2"
}

tmux_running() {
	[ ! -e "$E2E_WORK/exit" ]
}

tmux_exit_status() {
	local secs=${1:-10} i=0
	while [ ! -s "$E2E_WORK/exit" ] && [ "$i" -lt $((secs * 20)) ]; do
		sleep 0.05
		i=$((i + 1))
	done
	if [ -s "$E2E_WORK/exit" ]; then cat "$E2E_WORK/exit"; else echo none; fi
}

raw_output_check() {
	local title
	title=$($E2E_TMUX display-message -p -t "$E2E_SESSION" '#{pane_title}')
	[ "$title" = "$E2E_TITLE" ] || e2e_fail "the pane title was changed to '$title' (OSC injection)"
	screen_attrs >"$E2E_WORK/attrs.out"
	# Let pipe-pane catch up with what is on the screen.
	sleep 0.2
	local why
	why=$(python3 - "$E2E_RAW" "$E2E_WORK/attrs.out" "$E2E_ALLOW_BEL" "$@" <<'PY'
import re, sys
raw = open(sys.argv[1], 'rb').read()
attrs = open(sys.argv[2], 'rb').read()
allow_bel = sys.argv[3] == '1'
payloads = [p.encode('utf-8', 'surrogateescape') for p in sys.argv[4:]]

def fail(msg):
    print(msg)
    sys.exit(1)

for p in payloads:
    i = raw.find(p)
    if p and i >= 0:
        fail('payload %r reached the terminal raw at byte %d' % (p, i))
# string sequences: OSC, DCS, SOS, PM, APC (7-bit forms)
m = re.search(rb'\x1b[\]PX^_]', raw)
if m:
    fail('string escape sequence %r at byte %d' % (raw[m.start():m.start() + 24], m.start()))
if not allow_bel and b'\x07' in raw:
    fail('BEL at byte %d' % raw.index(b'\x07'))
# raw C1 controls: bytes 0x80-0x9f that are not UTF-8 continuation bytes
i, n = 0, len(raw)
while i < n:
    b = raw[i]
    if b < 0x80:
        i += 1
        continue
    k = 2 if 0xc2 <= b <= 0xdf else 3 if 0xe0 <= b <= 0xef else 4 if 0xf0 <= b <= 0xf4 else 0
    if k and i + k <= n and all(0x80 <= c <= 0xbf for c in raw[i + 1:i + k]):
        i += k
        continue
    if 0x80 <= b <= 0x9f:
        fail('raw C1 control 0x%02x at byte %d' % (b, i))
    i += 1
# SGR attributes the UI never uses but an injected sequence could set
for m in re.finditer(rb'\x1b\[([0-9;:]*)m', attrs):
    ps = m.group(1).replace(b':', b';').split(b';')
    j = 0
    while j < len(ps):
        p = ps[j]
        if p in (b'38', b'48', b'58'):
            if j + 1 < len(ps) and ps[j + 1] == b'2':
                fail('true-colour SGR %r on the screen' % m.group(0))
            j += 3 if j + 1 < len(ps) and ps[j + 1] == b'5' else 2
            continue
        if p in (b'5', b'6', b'8', b'9', b'53'):
            fail('SGR %r (blink/hidden/strike/overline) on the screen' % m.group(0))
        j += 1
PY
	) || e2e_fail "raw output check: $why"
}

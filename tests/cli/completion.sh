#!/usr/bin/env bash
# The shell completions (contrib/completion): bash's, driven the way bash
# drives it (COMP_WORDS/COMP_CWORD, then COMPREPLY), against the built
# binary and a simulated charon; zsh's checked for syntax (zsh -n) when zsh
# is there. Exit 0 pass, 1 fail, 77 skip.
set -uo pipefail
src=${SWANTOP_SOURCE_DIR:-$(cd "$(dirname "$0")/../.." && pwd)}
build=${SWANTOP_BUILD_DIR:?}
SWANTOP=$build/src/swantop
VICISIM=$build/src/sim/vicisim
work=$(mktemp -d /tmp/swantop-completion.XXXXXX)
sim=
cleanup() {
	[ -n "$sim" ] && kill "$sim" 2>/dev/null && wait "$sim" 2>/dev/null
	rm -rf "$work"
}
trap cleanup EXIT
fails=0
fail() {
	echo "FAIL: $*" >&2
	fails=$((fails + 1))
}
pass() { echo "ok: $*"; }

. "$src/contrib/completion/swantop.bash"

# complete WORDS...: the candidates for the last word (which may be "")
complete_words() {
	COMP_WORDS=("$SWANTOP" "$@")
	COMP_CWORD=$#
	COMPREPLY=()
	_swantop
	[ ${#COMPREPLY[@]} -eq 0 ] || printf '%s\n' "${COMPREPLY[@]}" | sort
}
has() { # WANT CANDIDATES...
	local want=$1
	shift
	grep -qx -- "$want" <<<"$(printf '%s\n' "$@")"
}

"$VICISIM" --socket "$work/sim.vici" --ike 4 --children 2 --fault hostile >"$work/sim.out" 2>&1 &
sim=$!
for _ in $(seq 50); do grep -q ready "$work/sim.out" && break; sleep 0.1; done
uri=unix://$work/sim.vici

mapfile -t c < <(complete_words ca)
[ "${c[*]}" = call ] && pass "modes" || fail "modes: ${c[*]}"

mapfile -t c < <(complete_words call list-s)
mapfile -t d < <(complete_words call list-)
has list-conns "${d[@]}" && has list-certs "${d[@]}" || fail "call list-: ${d[*]}"
has list-sas "${c[@]}" && [ ${#c[@]} -eq 1 ] &&
	pass "call: command names" || fail "call: ${c[*]}"

mapfile -t c < <(complete_words call list-sas no)
[ ${#c[@]} -eq 0 ] && pass "call: no command names after the command" || fail "call 2nd: ${c[*]}"

mapfile -t c < <(complete_words listen ike-)
has ike-updown "${c[@]}" && has ike-rekey "${c[@]}" && ! has child-updown "${c[@]}" &&
	pass "listen: event names" || fail "listen: ${c[*]}"

mapfile -t c < <(complete_words --th)
[ "${c[*]}" = --theme ] && pass "monitor options" || fail "monitor options: ${c[*]}"
mapfile -t c < <(complete_words --theme "")
has mono "${c[@]}" && has default "${c[@]}" && pass "themes" || fail "themes: ${c[*]}"

mapfile -t c < <(complete_words -b --)
has --batch "${c[@]}" && has --count "${c[@]}" && has --delay "${c[@]}" && has --pane "${c[@]}" &&
	has --filter "${c[@]}" && has --json "${c[@]}" && pass "batch options" ||
	fail "batch options: ${c[*]}"
mapfile -t c < <(complete_words -b --pane "")
[ "${c[*]}" = "conns events pols sas" ] && pass "batch panes" || fail "batch panes: ${c[*]}"

mapfile -t c < <(complete_words call --)
has --json "${c[@]}" && has --timeout "${c[@]}" && has --uri "${c[@]}" && ! has --interval "${c[@]}" &&
	pass "call's options, not the monitor's" || fail "call options: ${c[*]}"

mapfile -t c < <(complete_words why --uri "$uri" "")
has conn0 "${c[@]}" && has conn2 "${c[@]}" && pass "why: connections from a live list-conns" ||
	fail "why conns: ${c[*]}"
# hostile names (escape sequences, invalid UTF-8) are never offered
for x in "${c[@]}"; do
	[[ $x =~ ^[A-Za-z0-9._@%+=,:/-]+$ ]] || fail "a name that needs quoting was offered: $(printf %q "$x")"
done
mapfile -t c < <(complete_words call list-sas --uri "$uri" ike=co)
has ike=conn0 "${c[@]}" && pass "call: ike= values" || fail "call ike=: ${c[*]}"

start=$(date +%s%N)
out=$(complete_words why --uri "unix://$work/none.vici" "" 2>&1)
ms=$((($(date +%s%N) - start) / 1000000))
[ -z "$out" ] && [ "$ms" -lt 3000 ] && pass "no charon: nothing offered, quietly (${ms} ms)" ||
	fail "no charon: '$out' in ${ms} ms"

if command -v zsh >/dev/null; then
	zsh -n "$src/contrib/completion/_swantop" && pass "zsh completion parses" ||
		fail "zsh completion does not parse"
else
	echo "no zsh: its completion was not checked"
fi
[ "$fails" -eq 0 ]

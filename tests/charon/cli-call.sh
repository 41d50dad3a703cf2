#!/usr/bin/env bash
# `swantop call` against a real private charon (tests/charon/private-charon.sh):
# version, stats, get-algorithms, load-conn with --json, list-conns/get-conns,
# a streamed initiate (control-log lines, then success = no), unload-conn,
# load-cert/list-certs (binary DER in the base64 form),
# unknown command, and a charon-side timeout=MS extending the client deadline.
# (Hostile strings: charon refuses non-printable names and ids, so they are
# tested against vicisim in tests/cli/fake.sh.)
# Exit 0 pass, 1 fail, 77 skip (not root, no charon, no jq).
set -uo pipefail

src=${SWANTOP_SOURCE_DIR:-$(cd "$(dirname "$0")/../.." && pwd)}
build=${SWANTOP_BUILD_DIR:?}
swantop=$build/src/swantop
helper=$src/tests/charon/private-charon.sh
[ "$(id -u)" -eq 0 ] || { echo "not root: skipped"; exit 77; }
[ -x /usr/lib/ipsec/charon ] || { echo "no charon: skipped"; exit 77; }
command -v jq >/dev/null || { echo "no jq: skipped"; exit 77; }

dir=$(mktemp -d /tmp/swantop-charon-call.XXXXXX)
trap '"$helper" stop "$dir"; rm -rf "$dir"' EXIT
uri=$("$helper" start "$dir") || exit 1

. "$src/tests/lib/check.sh"

# call WANT_RC args...: output in $dir/out, $dir/err
call() {
	local want=$1
	shift
	timeout 60 "$swantop" call "$@" -u "$uri" >"$dir/out" 2>"$dir/err" </dev/null
	local rc=$?
	if [ "$rc" -ne "$want" ]; then
		fail "call $*: exit $rc, want $want: $(head -c 400 "$dir/err")"
		return 1
	fi
	if LC_ALL=C grep -q $'[\x01-\x08\x0b-\x1f\x7f]' "$dir/out" "$dir/err"; then
		fail "call $*: raw control characters in the output"
		return 1
	fi
	return 0
}

call 0 version && jq -e '.daemon == "charon" and (.version | test("^[0-9]+\\.[0-9]+"))' \
	"$dir/out" >/dev/null && pass "version" || fail "version: $(cat "$dir/out")"

call 0 stats && jq -e '(.workers.total | tonumber) > 0 and (.plugins | index("vici")) != null' \
	"$dir/out" >/dev/null && pass "stats" || fail "stats: $(cat "$dir/out")"

call 0 get-algorithms --pretty && jq -e '.encryption | has("AES_CBC") or has("AES_GCM_16")' \
	"$dir/out" >/dev/null && pass "get-algorithms" || fail "get-algorithms: $(head -c 300 "$dir/out")"

# a connection to a closed port on loopback: initiating it is harmless
cat >"$dir/conn.json" <<'EOF'
{
  "swantop-test": {
    "version": 2,
    "local_addrs": ["127.0.0.1"],
    "remote_addrs": ["127.0.0.1"],
    "remote_port": 9,
    "local": {"auth": "psk", "id": "left@example.org"},
    "remote": {"auth": "psk", "id": "right@example.org"},
    "children": {
      "net": {"local_ts": ["10.1.0.0/16"], "remote_ts": ["10.2.0.0/16"], "start_action": "none"}
    }
  }
}
EOF
call 0 load-conn --json "@$dir/conn.json" && jq -e '.success == "yes"' "$dir/out" >/dev/null &&
	pass "load-conn --json @file" || fail "load-conn: $(cat "$dir/out" "$dir/err")"

call 0 list-conns && {
	jq -se 'map(select(.event == "list-conn") | .data["swantop-test"] | select(. != null)) |
		length == 1 and .[0].remote_addrs == ["127.0.0.1"] and
		.[0].children.net["local-ts"] == ["10.1.0.0/16"] and .[0].version == "IKEv2"' \
		"$dir/out" >/dev/null &&
		[ "$(tail -1 "$dir/out")" = "{}" ] && pass "list-conns shows it" ||
		fail "list-conns: $(cat "$dir/out")"
}
call 0 get-conns && jq -e '.conns | index("swantop-test") != null' "$dir/out" >/dev/null &&
	pass "get-conns shows it" || fail "get-conns: $(cat "$dir/out")"

# initiate streams control-log while it runs, then fails (nobody answers)
call 1 initiate ike=swantop-test child=net timeout=1500 && {
	jq -se 'map(select(.event == "control-log") | .data.msg | test("initiating IKE_SA")) | any' \
		"$dir/out" >/dev/null || fail "initiate: no control-log lines: $(cat "$dir/out")"
	tail -1 "$dir/out" | jq -e '.success == "no"' >/dev/null || fail "initiate: last line"
	grep -q "initiate failed: .*not established after 1500ms" "$dir/err" &&
		pass "initiate streams control-log, then fails with exit 1" ||
		fail "initiate: $(cat "$dir/err")"
}
call 0 terminate ike=swantop-test force=yes timeout=-1 && pass "terminate"

call 0 unload-conn name=swantop-test && pass "unload-conn"
call 0 get-conns && jq -e '.conns | index("swantop-test") == null' "$dir/out" >/dev/null &&
	pass "get-conns no longer shows it" || fail "get-conns after unload: $(cat "$dir/out")"
call 1 unload-conn name=swantop-test && grep -q "unload-conn failed" "$dir/err" &&
	pass "unload-conn of a missing conn fails with exit 1" || fail "unload-conn of a missing conn"

call 6 no-such-command && pass "unknown command: exit 6"

# binary values: a certificate's DER comes out in the lossless base64 form
if command -v openssl >/dev/null; then
	openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout "$dir/ca.key" \
		-out "$dir/ca.pem" -subj "/CN=swantop test CA" -days 2 2>/dev/null &&
		openssl x509 -in "$dir/ca.pem" -outform DER -out "$dir/ca.der" ||
		fail "openssl could not make a certificate"
	jq -Rs '{type: "X509", flag: "CA", data: .}' "$dir/ca.pem" >"$dir/cert.json"
	call 0 load-cert --json "@$dir/cert.json" && call 0 list-certs && {
		jq -r 'select(.event == "list-cert") | .data.data.base64' "$dir/out" >"$dir/b64"
		base64 -d "$dir/b64" >"$dir/got.der" && cmp -s "$dir/got.der" "$dir/ca.der" &&
			pass "list-certs: DER data losslessly as {\"base64\": ...}" ||
			fail "list-certs: $(head -c 300 "$dir/out")"
	}
else
	echo "no openssl: certificate check skipped"
fi

# the charon-side timeout extends our deadline (our --timeout is 1 s, charon waits 2.5 s)
call 0 load-conn --json "@$dir/conn.json"
start=$(date +%s%N)
call 1 initiate ike=swantop-test child=net timeout=2500 --timeout 1 &&
	grep -q "not established after 2500ms" "$dir/err" &&
	pass "timeout=MS extends the client deadline" || fail "timeout=MS: $(cat "$dir/err")"
ms=$((($(date +%s%N) - start) / 1000000))
[ "$ms" -ge 2400 ] || fail "initiate with timeout=2500 returned after ${ms} ms"
call 0 terminate ike=swantop-test force=yes timeout=-1

finish

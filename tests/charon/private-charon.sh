#!/usr/bin/env bash
# private-charon.sh: start and stop a private charon daemon for tests.
#
# Usage (needs root: charon gets its own mount namespace so that its pid
# file and other /run files land in DIR/run, not in the real /run):
#
#   private-charon.sh start DIR    create DIR (if needed), write DIR/strongswan.conf,
#                                  start charon, wait until its VICI socket answers,
#                                  print the URI (unix://DIR/charon.vici) on stdout
#   private-charon.sh stop DIR     SIGTERM (then SIGKILL after 5 s) the charon of DIR;
#                                  leaves DIR and its files (the log) in place
#   private-charon.sh kill DIR     SIGKILL it (a crash, for reconnect tests)
#   private-charon.sh restart DIR  stop, then start again with the same socket path
#   private-charon.sh uri DIR      print the URI
#   private-charon.sh pid DIR      print charon's pid (exit 1 if not running)
#
# Files in DIR: strongswan.conf, charon.vici (the socket), charon.log (a
# filelog at level 1, flushed per line), charon.pid (our record of the pid),
# charon.out (stdout/stderr of charon), run/ (bind-mounted over /run for it).
# DIR must be an absolute path short enough for a socket (< 100 bytes).
#
# Environment: CHARON (default /usr/lib/ipsec/charon), PRIVATE_CHARON_CONF_EXTRA
# (text appended inside the `charon { }` block of strongswan.conf, e.g. plugin
# settings), PRIVATE_CHARON_TIMEOUT (seconds to wait for the socket, default 10).
#
# The daemon does not bind IKE ports (charon.port = 0, port_nat_t = 0) and
# plugins that would reach outside (stroke, ha, farp, dhcp, resolve, ...) are
# off, so several private daemons can run side by side with the tests.
# Typical use in a test script:
#
#   dir=$(mktemp -d /tmp/swantop-test.XXXXXX)
#   trap 'tests/charon/private-charon.sh stop "$dir"; rm -rf "$dir"' EXIT
#   uri=$(tests/charon/private-charon.sh start "$dir") || exit 1
#   swanctl --stats --uri "$uri"
set -euo pipefail

CHARON=${CHARON:-/usr/lib/ipsec/charon}
wait_s=${PRIVATE_CHARON_TIMEOUT:-10}

die() {
	echo "private-charon: $*" >&2
	exit 1
}

[ $# -eq 2 ] || die "usage: $0 start|stop|kill|restart|uri|pid DIR"
cmd=$1
dir=$2
case "$dir" in
/*) ;;
*) die "DIR must be an absolute path: $dir" ;;
esac
[ ${#dir} -lt 100 ] || die "DIR is too long for a unix socket path: $dir"
uri="unix://$dir/charon.vici"

running_pid() {
	[ -f "$dir/charon.pid" ] || return 1
	local pid state
	pid=$(cat "$dir/charon.pid")
	[ -n "$pid" ] && [ -d "/proc/$pid" ] || return 1
	# a zombie (no init to reap it in some containers) is not running
	state=$(sed -n 's/^State:[[:space:]]*\(.\).*/\1/p' "/proc/$pid/status" 2>/dev/null || true)
	[ "$state" != Z ] || return 1
	# the pid may have been reused: it must be a charon with our config
	grep -qzxF "STRONGSWAN_CONF=$dir/strongswan.conf" "/proc/$pid/environ" 2>/dev/null || return 1
	echo "$pid"
}

write_conf() {
	cat >"$dir/strongswan.conf" <<EOF
# written by private-charon.sh
charon {
	port = 0
	port_nat_t = 0
	install_routes = no
	install_virtual_ip = no
	filelog {
		private {
			path = $dir/charon.log
			default = 1
			flush_line = yes
			time_format = %H:%M:%S
		}
	}
	syslog {
		daemon {
			default = -1
		}
	}
	plugins {
		vici {
			socket = $uri
		}
		stroke { load = no }
		ha { load = no }
		farp { load = no }
		dhcp { load = no }
		resolve { load = no }
		forecast { load = no }
		led { load = no }
		eap-radius { load = no }
		connmark { load = no }
		bypass-lan { load = no }
		updown { load = no }
		unity { load = no }
		kernel-libipsec { load = no }
	}
${PRIVATE_CHARON_CONF_EXTRA:-}
}
swanctl {
	socket = $uri
}
EOF
}

probe() {
	STRONGSWAN_CONF="$dir/strongswan.conf" timeout 5 swanctl --stats --uri "$uri" >/dev/null 2>&1
}

start() {
	[ "$(id -u)" -eq 0 ] || die "needs root (mount namespace for /run)"
	[ -x "$CHARON" ] || die "no charon at $CHARON"
	if pid=$(running_pid); then
		die "a charon (pid $pid) already runs for $dir"
	fi
	mkdir -p "$dir/run"
	rm -f "$dir/run/charon.pid" "$dir/charon.vici" "$dir/charon.pid"
	write_conf
	# unshare without --fork execs sh in place and sh execs charon, so $! is
	# charon's pid; setsid keeps terminal signals of the caller away from it
	STRONGSWAN_CONF="$dir/strongswan.conf" setsid unshare -m sh -c \
		"mount --make-rprivate / && mount --bind '$dir/run' /run && exec '$CHARON'" \
		>>"$dir/charon.out" 2>&1 </dev/null &
	echo $! >"$dir/charon.pid"
	local i
	for ((i = 0; i < wait_s * 10; i++)); do
		if [ -S "$dir/charon.vici" ] && probe; then
			echo "$uri"
			return 0
		fi
		running_pid >/dev/null || {
			tail -20 "$dir/charon.out" >&2 || true
			die "charon exited during start (see $dir/charon.out, $dir/charon.log)"
		}
		sleep 0.1
	done
	stop_daemon TERM
	die "charon's socket $uri did not answer within ${wait_s}s"
}

stop_daemon() {
	local sig=${1:-TERM} pid i
	pid=$(running_pid) || return 0
	kill "-$sig" "$pid" 2>/dev/null || true
	for ((i = 0; i < 50; i++)); do
		running_pid >/dev/null || return 0
		sleep 0.1
	done
	kill -KILL "$pid" 2>/dev/null || true
	for ((i = 0; i < 20; i++)); do
		running_pid >/dev/null || return 0
		sleep 0.1
	done
	die "charon $pid did not stop"
}

case "$cmd" in
start) start ;;
stop) stop_daemon TERM ;;
kill) stop_daemon KILL ;;
restart)
	stop_daemon TERM
	start
	;;
uri) echo "$uri" ;;
pid) running_pid ;;
*) die "unknown command $cmd" ;;
esac

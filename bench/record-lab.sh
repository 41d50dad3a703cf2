#!/usr/bin/env bash
# The recorder on a real gateway at scale: `scripts/lab up-scale N
# --children` (N IKE SAs with one CHILD SA each), then three windows of
# SECONDS each, charon's CPU in each (utime+stime from /proc/PID/stat, as
# scripts/bench measures the monitor): no client; `swantop record` (default
# budget and interval; its own CPU too); the monitor (bench/ptydrive.py
# steady, --interval 1 as in scripts/bench). Then the store the recorder
# wrote (the lab's CHILD SAs are idle: no sample rows), and the size of a
# day when every CHILD SA carries traffic, simulated through the store
# (bench-store).
# Needs root (network namespaces). Prints "figure: NAME VALUE UNIT" lines.
#
#   bench/record-lab.sh BUILD_DIR [N [SECONDS]]
set -euo pipefail

build=$(cd "${1:?usage: record-lab.sh BUILD_DIR [N [SECONDS]]}" && pwd)
n=${2:-1000}
secs=${3:-60}
top=$(cd "$(dirname "$0")/.." && pwd)
swantop=$build/src/swantop
export SWANTOP_LAB_NAME=${SWANTOP_LAB_NAME:-record}
work=$(mktemp -d /tmp/swantop-record-bench.XXXXXX)
export SWANTOP_LAB_DIR=$work/lab
rec_pid=
cleanup() {
	[ -n "$rec_pid" ] && kill "$rec_pid" 2>/dev/null
	"$top/scripts/lab" down >/dev/null 2>&1 || true
	wait 2>/dev/null || true
	rm -rf "$work"
}
trap cleanup EXIT

[ "$(id -u)" -eq 0 ] || { echo "needs root"; exit 77; }
echo "# scripts/lab up-scale $n --children"
timeout 900 "$top/scripts/lab" up-scale "$n" --children >"$work/up.log" 2>&1 ||
	{ cat "$work/up.log"; exit 1; }
eval "$("$top/scripts/lab" env)"
charon=$(cat "$SWANTOP_LAB_DIR/gw.pid")
hz=$(getconf CLK_TCK)
ticks() { awk '{ sub(/.*\) /, ""); print $12 + $13 }' "/proc/$1/stat"; }
secs_of() { awk -v a="$1" -v b="$2" -v hz="$hz" 'BEGIN { printf "%.2f", (b - a) / hz }'; }

echo "# no client: charon over $secs s"
sleep 5
c0=$(ticks "$charon")
sleep "$secs"
idle=$(secs_of "$c0" "$(ticks "$charon")")
echo "figure: charon_cpu_idle $idle s"

echo "# swantop record: settle 20 s (first listing, costs learnt), then $secs s"
db=$work/history.db
"$swantop" record --uri "$SWANTOP_LAB_URI" --db "$db" 2>"$work/rec.err" &
rec_pid=$!
sleep 20
c0=$(ticks "$charon") r0=$(ticks "$rec_pid")
sleep "$secs"
c1=$(ticks "$charon") r1=$(ticks "$rec_pid")
kill -TERM "$rec_pid"
wait "$rec_pid" || { cat "$work/rec.err"; exit 1; }
rec_pid=
rec_charon=$(secs_of "$c0" "$c1")
echo "figure: charon_cpu_record $rec_charon s"
echo "figure: charon_cpu_record_above_idle $(awk -v a="$rec_charon" -v b="$idle" 'BEGIN { printf "%.2f", a - b }') s"
echo "figure: record_cpu $(awk -v a="$r0" -v b="$r1" -v hz="$hz" -v s="$secs" 'BEGIN { printf "%.3f", 100 * (b - a) / hz / s }') %"
grep 'stopped:' "$work/rec.err" | sed 's/^/# /'

echo "# the monitor, the same way (ptydrive steady, --interval 1)"
python3 "$top/bench/ptydrive.py" steady --tag _monitor --seconds "$secs" --settle 5 \
	--also-pid "$charon" --also-name charon -- "$swantop" --uri "$SWANTOP_LAB_URI" --interval 1 |
	grep -E '^figure: (charon_cpu|monitor_cpu)'

# The scale lab's CHILD SAs carry no traffic, and an idle CHILD SA writes
# no sample rows: what the run wrote is the idle case. The busy case (every
# CHILD SA moving, sampled every minute) through the same store, simulated
# for a day (bench-store; a month: bench-store 30).
echo "figure: record_store_bytes $(stat -c %s "$db") B"
echo "# rows written by the run: $(sqlite3 -readonly "$db" 'SELECT count(*) FROM samples') samples, $(sqlite3 -readonly "$db" 'SELECT count(*) FROM events') events"
"$build/bench/bench-store" 1 "$n" "$work/day" | grep -E '^figure: store_(size_1d|tick)' | sort -u || true

#!/usr/bin/env python3
"""Drives a terminal program in a pseudo-terminal for scripts/bench.

    ptydrive.py MODE [options] -- COMMAND [ARGS...]

The command runs on the slave side of a new pty (TERM=xterm-256color,
LANG=C.UTF-8, COLS x ROWS); this process reads everything it writes from the
master side, timestamping each read, so it sees output as a terminal would
and the program never blocks on a full pty.

Modes (each prints "figure: NAME VALUE UNIT" lines; NAME gets --tag):
  memory   wait until the screen shows "N IKE" (--expect-ike), let it settle,
           read VmRSS/VmHWM of the program from /proc.
  filter   memory, then the filter keystroke latency: "/" opens the filter,
           then each character of --keys is typed alone, after the screen
           has been quiet; the latency is the time from writing the key to
           the end of the first burst of output that contains the key (the
           redraw with the filtered tree, the title "filter: ..." and the
           echo); Esc clears the filter; --reps repetitions.
  rss      memory, then keep the program running for --seconds (reading all it
           writes) and read VmRSS every 10 s: the figures are the last and
           the highest sample and VmHWM at the end (memory under churn).
  steady   wait until the screen shows "IKE," (or --ready) and let it settle, then
           measure over --seconds: the program's CPU (utime+stime from
           /proc/PID/stat), bytes written to the terminal, and with
           --also-pid the CPU of another process (charon) in the same window.
"""
import argparse
import fcntl
import os
import re
import select
import signal
import struct
import sys
import termios
import time

CLK_TCK = os.sysconf("SC_CLK_TCK")


def cpu_ticks(pid):
    """utime + stime + cutime + cstime: the process and the children it
    waited for (watch runs swanctl as a child every second)."""
    with open(f"/proc/{pid}/stat") as f:
        s = f.read()
    # the command name may contain spaces: fields start after the last ')'
    fields = s[s.rindex(")") + 2:].split()
    return sum(int(x) for x in fields[11:15])  # fields 14-17 of proc(5)


def status_kb(pid, key):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith(key + ":"):
                return int(line.split()[1])
    return -1


class Term:
    def __init__(self, argv, cols, rows, env_extra):
        env = dict(os.environ)
        env.update({"TERM": "xterm-256color", "LANG": "C.UTF-8", "LC_ALL": "C.UTF-8",
                    "COLUMNS": str(cols), "LINES": str(rows)})
        env.update(env_extra)
        pid, fd = os.forkpty()
        if pid == 0:
            try:
                # the program competes for the CPU like any other process,
                # whatever priority this driver took (see --fifo)
                os.sched_setscheduler(0, os.SCHED_OTHER, os.sched_param(0))
                fcntl.ioctl(0, termios.TIOCSWINSZ, struct.pack("HHHH", rows, cols, 0, 0))
                os.execvpe(argv[0], argv, env)
            except Exception as e:  # noqa: BLE001 - report and leave
                os.write(2, f"ptydrive: {argv[0]}: {e}\n".encode())
            os._exit(127)
        fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", rows, cols, 0, 0))
        self.pid, self.fd = pid, fd
        self.total = 0
        self.buf = bytearray()  # everything since the last clear (for waits)

    def read_for(self, seconds, first_only=False):
        """Reads until seconds have passed (or, with first_only, until the
        first read); returns [(time, bytes)]."""
        end = time.monotonic() + seconds
        chunks = []
        while True:
            left = end - time.monotonic()
            if left <= 0:
                return chunks
            r, _, _ = select.select([self.fd], [], [], left)
            if not r:
                continue
            try:
                data = os.read(self.fd, 65536)
            except OSError:
                data = b""
            if not data:
                raise SystemExit("ptydrive: the program exited")
            t = time.monotonic()
            self.total += len(data)
            self.buf += data
            if len(self.buf) > 1 << 20:
                del self.buf[: len(self.buf) - (1 << 19)]
            chunks.append((t, data))
            if first_only:
                return chunks

    def wait_for(self, pattern, timeout):
        end = time.monotonic() + timeout
        rx = re.compile(pattern)
        while time.monotonic() < end:
            if rx.search(self.buf):
                return True
            self.read_for(0.1)
        return bool(rx.search(self.buf))

    def quiet(self, gap, limit):
        """Reads until no output came for gap seconds (at most limit s)."""
        end = time.monotonic() + limit
        while time.monotonic() < end:
            if not self.read_for(gap):
                return True
        return False

    def send(self, data):
        os.write(self.fd, data)
        return time.monotonic()

    def stop(self):
        try:
            os.kill(self.pid, signal.SIGTERM)
        except ProcessLookupError:
            return
        end = time.monotonic() + 5
        while time.monotonic() < end:
            try:
                self.read_for(0.05)
            except SystemExit:
                pass
            p, _ = os.waitpid(self.pid, os.WNOHANG)
            if p:
                return
        os.kill(self.pid, signal.SIGKILL)
        os.waitpid(self.pid, 0)


def schedstat(pid):
    """(ns on a CPU, ns waiting in the run queue) of pid."""
    with open(f"/proc/{pid}/schedstat") as f:
        a = f.read().split()
    return int(a[0]), int(a[1])


def median(xs):
    s = sorted(xs)
    return s[len(s) // 2]


def key_latency(t, key, t0, gap=0.02, limit=3.0):
    """Time from t0 to the end of the first output burst containing key."""
    end = t0 + limit
    burst, last = bytearray(), None
    while time.monotonic() < end:
        chunks = t.read_for(gap if last else max(0.0, end - time.monotonic()), first_only=True)
        if chunks:
            for ts, data in chunks:
                burst += data
                last = ts
            continue
        if last is not None:
            if key in burst:
                return last - t0
            burst, last = bytearray(), None  # another redraw: keep waiting
    return None


def load(t, args):
    """Waits until the program shows everything: the title counts can be
    drawn digit by digit while a sweep loads (ncurses sends only changed
    cells), so when the output so far does not show it, the check asks for
    a full repaint with Ctrl-L."""
    if args.ready:
        pat = args.ready.encode()
    else:
        pat = rb"\b%d IKE," % args.expect_ike if args.expect_ike else rb"\d+ IKE,"
    rx = re.compile(pat)
    end = time.monotonic() + args.timeout
    while True:
        t.read_for(1.0)
        if rx.search(t.buf):
            break
        t.buf.clear()
        t.send(b"\x0c")
        t.quiet(0.3, 3)
        if rx.search(t.buf):
            break
        if time.monotonic() > end:
            raise SystemExit(f"ptydrive: the screen never showed {pat!r} in {args.timeout} s")
    t.read_for(args.settle)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("mode", choices=["memory", "filter", "steady", "rss"])
    ap.add_argument("--tag", default="")
    ap.add_argument("--cols", type=int, default=120)
    ap.add_argument("--rows", type=int, default=40)
    ap.add_argument("--expect-ike", type=int, default=0)
    ap.add_argument("--timeout", type=float, default=90)
    ap.add_argument("--settle", type=float, default=3)
    ap.add_argument("--keys", default="conn7")
    ap.add_argument("--reps", type=int, default=5)
    ap.add_argument("--seconds", type=float, default=60)
    ap.add_argument("--ready", default="",
                    help="regex that shows the program is ready (default: the SA pane title)")
    ap.add_argument("--also-pid", type=int, default=0)
    ap.add_argument("--also-name", default="other")
    ap.add_argument("--fifo", action="store_true",
                    help="run this driver SCHED_FIFO so that it reads (and timestamps) "
                    "output the moment it is written, even on a busy machine")
    ap.add_argument("cmd", nargs="+")
    args = ap.parse_args()
    tag = "_" + args.tag if args.tag else ""
    if args.fifo:
        try:
            os.sched_setscheduler(0, os.SCHED_FIFO, os.sched_param(10))
        except OSError as e:
            print(f"# ptydrive: no SCHED_FIFO ({e}); timestamps may lag on a busy machine")

    # SIGTERM (scripts/bench's timeout) unwinds through the finally below,
    # which stops the program
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    t = Term(args.cmd, args.cols, args.rows, {})
    try:
        load(t, args)
        if args.mode in ("memory", "filter"):
            rss = status_kb(t.pid, "VmRSS") / 1024
            hwm = status_kb(t.pid, "VmHWM") / 1024
            print(f"figure: monitor_rss{tag} {rss:.1f} MB")
            print(f"figure: monitor_hwm{tag} {hwm:.1f} MB")
        if args.mode == "filter":
            samples, cpus, waits, missed = [], [], [], 0
            for rep in range(args.reps):
                t.quiet(0.3, 3)
                t.send(b"/")
                t.quiet(0.3, 3)
                for ch in args.keys.encode():
                    t.quiet(0.2, 3)
                    k = bytes([ch])
                    s0 = schedstat(t.pid)
                    t0 = t.send(k)
                    lat = key_latency(t, k, t0)
                    s1 = schedstat(t.pid)
                    if lat is None:
                        missed += 1
                    else:
                        # CPU the program used, and time it waited for a CPU,
                        # between the key and the end of its redraw
                        cpu, wait = (s1[0] - s0[0]) / 1e6, (s1[1] - s0[1]) / 1e6
                        samples.append(lat * 1000)
                        cpus.append(cpu)
                        waits.append(wait)
                        print(f"# rep {rep + 1} key {k.decode()}: {lat * 1000:.1f} ms"
                              f" (on cpu {cpu:.1f} ms, waiting for a cpu {wait:.1f} ms)")
                t.send(b"\x1b")  # Esc: clear the filter (after ESCDELAY)
                t.quiet(0.3, 3)
            if not samples:
                raise SystemExit("ptydrive: no keystroke got an answer")
            print(f"# {len(samples)} keystrokes, {missed} without a matching redraw;"
                  f" max {max(samples):.1f} ms")
            print(f"figure: filter_latency{tag} {median(samples):.1f} ms")
            print(f"figure: filter_latency_max{tag} {max(samples):.1f} ms")
            print(f"figure: filter_cpu{tag} {median(cpus):.1f} ms")
            print(f"figure: filter_runq_wait{tag} {median(waits):.1f} ms")
        if args.mode == "rss":
            end, peak, last = time.monotonic() + args.seconds, 0.0, 0.0
            while time.monotonic() < end:
                t.read_for(min(10.0, max(0.0, end - time.monotonic())))
                last = status_kb(t.pid, "VmRSS") / 1024
                peak = max(peak, last)
                print(f"# {args.seconds - (end - time.monotonic()):.0f} s: VmRSS {last:.1f} MB")
            print(f"figure: monitor_rss_after{tag} {last:.1f} MB")
            print(f"figure: monitor_rss_peak{tag} {peak:.1f} MB")
            print(f"figure: monitor_hwm_after{tag} {status_kb(t.pid, 'VmHWM') / 1024:.1f} MB")
        if args.mode == "steady":
            c0, o0, b0 = cpu_ticks(t.pid), 0, t.total
            if args.also_pid:
                o0 = cpu_ticks(args.also_pid)
            w0 = time.monotonic()
            t.read_for(args.seconds)
            w = time.monotonic() - w0
            c1, b1 = cpu_ticks(t.pid), t.total
            cpu = (c1 - c0) / CLK_TCK
            print(f"# {w:.1f} s: program cpu {cpu:.2f} s, {b1 - b0} bytes to the terminal")
            print(f"figure: monitor_cpu{tag} {100 * cpu / w:.2f} %")
            print(f"figure: tty_bytes{tag} {(b1 - b0) / w:.0f} B/s")
            if args.also_pid:
                o = (cpu_ticks(args.also_pid) - o0) / CLK_TCK
                print(f"# {args.also_name} (pid {args.also_pid}) cpu {o:.2f} s")
                print(f"figure: {args.also_name}_cpu{tag} {o:.2f} s")
    finally:
        t.stop()


if __name__ == "__main__":
    main()

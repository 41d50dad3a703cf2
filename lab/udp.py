#!/usr/bin/env python3
"""UDP traffic for the lab's tunnels (`scripts/lab traffic`).

  udp.py echo PORT                     echo every datagram back (peer side)
  udp.py burst PAIRS PORT PACKETS      send PACKETS datagrams per pair, wait
                                       for each echo, print one line per pair
  udp.py flow PAIRS PORT INTERVAL      one datagram per pair every INTERVAL
                                       seconds until killed; PAIRS is re-read
                                       each round so a restarted lab is seen

PAIRS is a file of lines "NAME SRC DST": SRC is a local address inside the
CHILD SA's local traffic selector, DST an address of the echo side inside
its remote one, so each datagram crosses the tunnel in both directions.
"""
import socket
import sys
import time

PAYLOAD = b"swantop-lab " + b"x" * 188


def read_pairs(path):
    pairs = []
    try:
        with open(path) as f:
            for line in f:
                parts = line.split()
                if len(parts) == 3:
                    pairs.append(parts)
    except OSError:
        pass
    return pairs


def echo(port):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind(("0.0.0.0", port))
    while True:
        data, addr = s.recvfrom(65535)
        try:
            s.sendto(data, addr)
        except OSError:
            pass


def exchange(src, dst, port, count, wait):
    """Sends count datagrams from src to dst:port; returns echoes seen."""
    got = 0
    try:
        s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        s.bind((src, 0))
        s.connect((dst, port))
        s.settimeout(wait)
    except OSError:
        return 0
    with s:
        for _ in range(count):
            try:
                s.send(PAYLOAD)
                s.recv(65535)
                got += 1
            except OSError:
                pass
    return got


def burst(pairs_file, port, packets):
    pairs = read_pairs(pairs_file)
    ok = True
    for name, src, dst in pairs:
        got = exchange(src, dst, port, packets, 1.0)
        print("traffic: %-14s %s -> %s: %d/%d echoed" %
              (name, src, dst, got, packets))
        ok = ok and got > 0
    sys.exit(0 if ok and pairs else 1)


def flow(pairs_file, port, interval):
    while True:
        for _, src, dst in read_pairs(pairs_file):
            exchange(src, dst, port, 1, 0.5)
        time.sleep(interval)


def main():
    a = sys.argv
    if len(a) == 3 and a[1] == "echo":
        echo(int(a[2]))
    elif len(a) == 5 and a[1] == "burst":
        burst(a[2], int(a[3]), int(a[4]))
    elif len(a) == 5 and a[1] == "flow":
        flow(a[2], int(a[3]), float(a[4]))
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main()

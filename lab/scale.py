#!/usr/bin/env python3
"""Initiates many IKE SAs on a lab charon through VICI, keeping a bounded
window of half-open SAs, and waits until they are established.

Used by `scripts/lab up-scale`. Starting one swanctl process per SA costs
more than the IKE exchange itself, and blocking `initiate` calls pin a
charon worker thread each, so this speaks VICI directly: asynchronous
initiates (timeout -1) paced by the half-open count from `stats`.

usage: scale.py SOCKET PREFIX N [WINDOW] [TIMEOUT_S] [--children]
Connection i is named PREFIXi; with --children its CHILD SA of the same
name is initiated with it, otherwise the IKE SA alone (childless).
Prints one line: "established E of N in S.SS s (half-open H)".
Exit status 0 when all N are established, 1 otherwise.
"""
import socket
import struct
import sys
import time

CMD_REQUEST, CMD_RESPONSE, CMD_UNKNOWN = 0, 1, 2
EVENT = 7
SECTION_START, SECTION_END, KEY_VALUE = 1, 2, 3
LIST_START, LIST_ITEM, LIST_END = 4, 5, 6


def encode(msg):
    out = bytearray()
    for key, value in msg.items():
        k = key.encode()
        if isinstance(value, dict):
            out += bytes([SECTION_START, len(k)]) + k + encode(value)
            out += bytes([SECTION_END])
        elif isinstance(value, list):
            out += bytes([LIST_START, len(k)]) + k
            for item in value:
                v = str(item).encode()
                out += bytes([LIST_ITEM]) + struct.pack(">H", len(v)) + v
            out += bytes([LIST_END])
        else:
            v = str(value).encode()
            out += bytes([KEY_VALUE, len(k)]) + k
            out += struct.pack(">H", len(v)) + v
    return bytes(out)


def decode(data):
    """Decodes a message body into nested dicts (lists as Python lists)."""
    stack = [{}]
    pos = 0
    cur_list = None
    while pos < len(data):
        t = data[pos]
        pos += 1
        if t in (SECTION_START, KEY_VALUE, LIST_START):
            n = data[pos]
            name = data[pos + 1:pos + 1 + n].decode(errors="replace")
            pos += 1 + n
        if t == SECTION_START:
            sec = {}
            stack[-1][name] = sec
            stack.append(sec)
        elif t == SECTION_END:
            stack.pop()
        elif t == KEY_VALUE:
            (vl,) = struct.unpack(">H", data[pos:pos + 2])
            stack[-1][name] = data[pos + 2:pos + 2 + vl].decode(errors="replace")
            pos += 2 + vl
        elif t == LIST_START:
            cur_list = []
            stack[-1][name] = cur_list
        elif t == LIST_ITEM:
            (vl,) = struct.unpack(">H", data[pos:pos + 2])
            cur_list.append(data[pos + 2:pos + 2 + vl].decode(errors="replace"))
            pos += 2 + vl
        elif t == LIST_END:
            cur_list = None
        else:
            raise ValueError("bad element type %d" % t)
    return stack[0]


class Vici:
    def __init__(self, path):
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.sock.connect(path)

    def _recv(self, n):
        buf = bytearray()
        while len(buf) < n:
            chunk = self.sock.recv(n - len(buf))
            if not chunk:
                raise ConnectionError("charon closed the VICI connection")
            buf += chunk
        return bytes(buf)

    def request(self, cmd, msg=None):
        c = cmd.encode()
        pkt = bytes([CMD_REQUEST, len(c)]) + c + encode(msg or {})
        self.sock.sendall(struct.pack(">I", len(pkt)) + pkt)
        while True:
            (length,) = struct.unpack(">I", self._recv(4))
            pkt = self._recv(length)
            if pkt[0] == CMD_RESPONSE:
                return decode(pkt[1:])
            if pkt[0] == CMD_UNKNOWN:
                raise ValueError("unknown command " + cmd)
            # stray events (none registered) are skipped


def main():
    args = [a for a in sys.argv[1:] if a != "--children"]
    children = len(args) < len(sys.argv) - 1
    if len(args) < 3:
        sys.exit(__doc__)
    path, prefix, n = args[0], args[1], int(args[2])
    window = int(args[3]) if len(args) > 3 else 100
    limit = float(args[4]) if len(args) > 4 else 120.0
    v = Vici(path)
    start = time.monotonic()
    sent = 0
    established = half = 0
    while time.monotonic() - start < limit:
        st = v.request("stats")["ikesas"]
        half = int(st["half-open"])
        established = int(st["total"]) - half
        if sent >= n and established >= n:
            break
        room = window - half
        while sent < n and room > 0:
            sent += 1
            room -= 1
            req = {"ike": "%s%d" % (prefix, sent), "timeout": -1}
            if children:
                req["child"] = req["ike"]
            r = v.request("initiate", req)
            if r.get("success") != "yes":
                print("initiate %s%d: %s" % (prefix, sent, r.get("errmsg")),
                      file=sys.stderr)
        time.sleep(0.02)
    took = time.monotonic() - start
    print("established %d of %d in %.2f s (half-open %d)" %
          (established, n, took, half))
    sys.exit(0 if established >= n else 1)


if __name__ == "__main__":
    main()

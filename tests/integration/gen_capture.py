#!/usr/bin/env python3
"""Writes synthetic captures for pushcap's tests and benchmark.

The default mix imitates market data: mostly 64-300 byte UDP multicast (239.1.x.x, ports
30001-30016), some TCP order traffic, some of it behind an 802.1Q tag. Timestamps rise by a
random gap; everything is seeded, so the same arguments give the same bytes.

  gen_capture.py OUT --bytes 2e9                 # classic pcap, microseconds
  gen_capture.py OUT --packets 1000 --nano       # classic pcap, nanoseconds
  gen_capture.py OUT --packets 1000 --pcapng     # pcapng, one Ethernet interface, ns if_tsresol
  gen_capture.py OUT --bytes 2e9 --wrap          # every packet encapsulated: VLAN, VXLAN or ERSPAN II
"""
import argparse
import random
import struct
import sys


def ip_checksum(hdr: bytes) -> int:
    s = sum(struct.unpack("!%dH" % (len(hdr) // 2), hdr))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return ~s & 0xFFFF


def ipv4(src, dst, proto, payload):
    hdr = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(payload), 0, 0x4000, 64, proto, 0, bytes(src), bytes(dst))
    hdr = hdr[:10] + struct.pack("!H", ip_checksum(hdr)) + hdr[12:]
    return hdr + payload


def frame(rng, kind, size):
    src_mac = bytes([0x00, 0x1B, 0x21, 0x3A, 0x4B, rng.randrange(256)])
    if kind == "udp":
        group = rng.randrange(16)
        dst = [239, 1, 1, group]
        dst_mac = bytes([0x01, 0x00, 0x5E, 0x01, 0x01, group])
        src = [10, 0, 0, 1 + group]
        body_len = max(0, size - 14 - 20 - 8)
        udp = struct.pack("!HHHH", 40000 + group, 30001 + group, 8 + body_len, 0) + bytes(rng.randrange(256) for _ in range(body_len))
        l3 = ipv4(src, dst, 17, udp)
    else:
        dst_mac = bytes([0x00, 0x1B, 0x21, 0x99, 0x00, 0x01])
        src = [192, 168, 1, 10 + rng.randrange(8)]
        dst = [192, 168, 2, 1]
        body_len = max(0, size - 14 - 20 - 20)
        tcp = struct.pack("!HHIIBBHHH", 50000 + rng.randrange(100), 9000, rng.randrange(1 << 32), rng.randrange(1 << 32),
                          0x50, 0x18, 65535, 0, 0) + bytes(rng.randrange(256) for _ in range(body_len))
        l3 = ipv4(src, dst, 6, tcp)
    return dst_mac + src_mac + struct.pack("!H", 0x0800) + l3


def vlan_tag(eth: bytes, vid: int) -> bytes:
    return eth[:12] + struct.pack("!HH", 0x8100, vid) + eth[12:]


def wrap(rng, inner: bytes, how: int) -> bytes:
    """Puts a frame behind an 802.1Q tag (how 0), in VXLAN (1) or in GRE/ERSPAN type II (2)."""
    if how == 0:
        return vlan_tag(inner, 200 + rng.randrange(8))
    outer_mac = bytes([0x00, 0x1C, 0x73, 0x00, 0x00, 0x01, 0x00, 0x1C, 0x73, 0x00, 0x00, 0x02])
    src, dst = [172, 16, 0, 1], [172, 16, 0, 2]
    if how == 1:
        vx = struct.pack("!BBHI", 0x08, 0, 0, (5000 + rng.randrange(4)) << 8) + inner
        body = struct.pack("!HHHH", 49152 + rng.randrange(1000), 4789, 8 + len(vx), 0) + vx
        return outer_mac + struct.pack("!H", 0x0800) + ipv4(src, dst, 17, body)
    gre = struct.pack("!HHI", 0x1000, 0x88BE, rng.randrange(1 << 32))
    erspan = struct.pack("!HHI", 0x1000 | rng.randrange(4096), 0x0000 | (1 + rng.randrange(8)), 0)
    return outer_mac + struct.pack("!H", 0x0800) + ipv4(src, dst, 47, gre + erspan + inner)


def templates(seed, wrapped=False):
    rng = random.Random(seed)
    out = []
    for i in range(200):
        r = rng.random()
        if r < 0.8:
            f = frame(rng, "udp", rng.randrange(64, 301))
        else:
            f = frame(rng, "tcp", rng.randrange(64, 301))
        if rng.random() < 0.1:
            f = vlan_tag(f, 100 + rng.randrange(4))
        if wrapped:
            f = wrap(rng, f, i % 3)
        out.append(f)
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("out")
    ap.add_argument("--packets", type=float, default=0)
    ap.add_argument("--bytes", type=float, default=0, help="stop once the file reaches this size")
    ap.add_argument("--nano", action="store_true", help="nanosecond classic pcap")
    ap.add_argument("--pcapng", action="store_true")
    ap.add_argument("--big-endian", action="store_true", help="classic pcap in big-endian byte order")
    ap.add_argument("--start", type=int, default=1_700_000_000_000_000_000, help="timestamp of the first packet in ns")
    ap.add_argument("--gap-ns", type=int, default=20_000, help="mean gap between packets in ns")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--wrap", action="store_true", help="encapsulate every packet (VLAN, VXLAN, ERSPAN II)")
    a = ap.parse_args()
    if not a.packets and not a.bytes:
        a.packets = 1000
    rng = random.Random(a.seed + 1)
    tpl = templates(a.seed, a.wrap)
    e = ">" if a.big_endian else "<"
    out = open(a.out, "wb") if a.out != "-" else sys.stdout.buffer
    if a.pcapng:
        shb = struct.pack("<IIIHHq", 0x0A0D0D0A, 28, 0x1A2B3C4D, 1, 0, -1) + struct.pack("<I", 28)
        opts = struct.pack("<HHB3x", 9, 1, 9) + struct.pack("<HH", 0, 0)
        idb_body = struct.pack("<HHI", 1, 0, 262144) + opts
        idb = struct.pack("<II", 1, 12 + len(idb_body)) + idb_body + struct.pack("<I", 12 + len(idb_body))
        out.write(shb + idb)
        size = len(shb) + len(idb)
    else:
        magic = 0xA1B23C4D if a.nano else 0xA1B2C3D4
        out.write(struct.pack(e + "IHHiIII", magic, 2, 4, 0, 0, 262144, 1))
        size = 24
    ts = a.start
    n = 0
    chunk = []
    limit_packets = int(a.packets) if a.packets else None
    limit_bytes = int(a.bytes) if a.bytes else None
    gaps = [int(rng.expovariate(1.0 / a.gap_ns)) + 1 for _ in range(4096)]
    picks = [rng.randrange(len(tpl)) for _ in range(4099)]
    while True:
        if limit_packets is not None and n >= limit_packets:
            break
        if limit_bytes is not None and size >= limit_bytes:
            break
        f = tpl[picks[n % 4099]]
        if n > 0:  # the first packet is exactly at --start
            ts += gaps[n % 4096]
        if a.pcapng:
            pad = (4 - len(f) % 4) % 4
            blen = 32 + len(f) + pad
            rec = struct.pack("<IIIIIII", 6, blen, 0, ts >> 32, ts & 0xFFFFFFFF, len(f), len(f)) + f + b"\0" * pad + struct.pack("<I", blen)
        else:
            sub = ts % 1_000_000_000 if a.nano else ts % 1_000_000_000 // 1000
            rec = struct.pack(e + "IIII", ts // 1_000_000_000, sub, len(f), len(f)) + f
        chunk.append(rec)
        size += len(rec)
        n += 1
        if len(chunk) >= 8192:
            out.write(b"".join(chunk))
            chunk = []
    out.write(b"".join(chunk))
    if out is not sys.stdout.buffer:
        out.close()
    print(f"{a.out}: {n} packets, {size} bytes", file=sys.stderr)


if __name__ == "__main__":
    main()

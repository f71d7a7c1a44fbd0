#!/usr/bin/python3
"""Writes decap_fuzz seeds: single packets of the classic pcap captures in tests/data/real (and the
scapy layer capture), each behind the target's three option bytes. Usage: seed_packets.py OUTDIR"""
import glob
import os
import struct
import subprocess
import sys

out = sys.argv[1]
root = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")
files = sorted(glob.glob(os.path.join(root, "data/real/*.pcap")))
layers = os.path.join(out, "layers.pcap.in")
subprocess.run(["/usr/bin/python3", os.path.join(root, "integration/gen_encap.py"), "layers", layers],
               stderr=subprocess.DEVNULL, check=False)
if os.path.exists(layers):
    files.append(layers)
n = 0
for path in files:
    data = open(path, "rb").read()
    if len(data) < 24:
        continue
    magic = data[:4]
    order = "<" if magic in (b"\xd4\xc3\xb2\xa1", b"\x4d\x3c\xb2\xa1") else ">"
    linktype = struct.unpack(order + "I", data[20:24])[0] & 0xFFFF
    link = {1: 0, 101: 4, 228: 5, 229: 6, 0: 7, 108: 8}.get(linktype, 9)
    pos, k = 24, 0
    while pos + 16 <= len(data) and k < 40:
        caplen = struct.unpack(order + "I", data[pos + 8:pos + 12])[0]
        pkt = data[pos + 16:pos + 16 + caplen]
        pos += 16 + caplen
        if len(pkt) != caplen:
            break
        with open(os.path.join(out, "seed%d" % n), "wb") as f:
            f.write(bytes([n % 128, link, 0]) + pkt)
        n += 1
        k += 1
if os.path.exists(layers):
    os.remove(layers)
print("decap seeds:", n)

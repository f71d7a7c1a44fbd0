#!/usr/bin/python3
"""Writes a capture with one packet per encapsulation and nesting decap handles, each wrapping the
same kind of inner packet (IPv4/UDP to port 30001, or IPv6/UDP), made with scapy; plus packets
with Metamako / Exablaze trailers. Usage: gen_encap.py layers OUT.pcap | trailers OUT.pcap"""
import struct
import sys

from scapy.all import ARP, GRE, IP, UDP, Dot1AD, Dot1Q, Ether, IPv6, PPPoE, PPP, Raw, wrpcap
from scapy.contrib.erspan import ERSPAN_II, ERSPAN_III, ERSPAN_PlatformSpecific
from scapy.contrib.geneve import GENEVE
from scapy.contrib.mpls import MPLS
from scapy.layers.vxlan import VXLAN

T0 = 1700000000

OUTER = dict(src="02:00:00:00:00:01", dst="02:00:00:00:00:02")
INNER = dict(src="0a:00:00:00:00:01", dst="0a:00:00:00:00:02")


def inner_ip(n):
    return IP(src="10.1.0.%d" % (n % 250 + 1), dst="10.2.0.1") / UDP(sport=40000 + n, dport=30001) / Raw(b"x" * 20)


def inner_ip6(n):
    return IPv6(src="fd00::%x" % (n + 1), dst="fd00::ffff") / UDP(sport=40000 + n, dport=30001) / Raw(b"y" * 20)


def outer_ip(proto_payload, v6=False):
    if v6:
        return Ether(**OUTER) / IPv6(src="2001:db8::1", dst="2001:db8::2") / proto_payload
    return Ether(**OUTER) / IP(src="192.0.2.1", dst="192.0.2.2") / proto_payload


def vntag(payload_type):
    # EtherType 0x8926, 4 bytes of tag, then the next EtherType.
    return struct.pack("!HIH", 0x8926, 0x80010002, payload_type)


def arista(payload_type, is48=False):
    if is48:
        return struct.pack("!HHHHIH", 0xD28B, 0x0001, 0x0120, T0 & 0xFFFF, 123456789, payload_type)
    return struct.pack("!HHHIIH", 0xD28B, 0x0001, 0x0110, T0, 123456789, payload_type)


def raw_eth(shim_bytes, payload):
    """Ether addresses + shim bytes (starting with an EtherType) + payload."""
    return Ether(bytes.fromhex("0a00000000020a0000000001") + shim_bytes + bytes(payload))


def layers():
    pkts = []
    n = 0

    def add(p):
        nonlocal n
        p.time = T0 + n * 0.001
        pkts.append(p)
        n += 1

    add(Ether(**INNER) / Dot1Q(vlan=100) / inner_ip(n))
    add(Ether(**INNER) / Dot1AD(vlan=200) / Dot1Q(vlan=100) / inner_ip(n))
    add(Ether(**INNER, type=0x9100) / Dot1Q(vlan=300) / Dot1Q(vlan=101) / inner_ip(n))
    add(Ether(**INNER) / MPLS(label=16, s=0) / MPLS(label=17, s=1) / inner_ip(n))
    add(Ether(**INNER) / MPLS(label=18, s=1) / inner_ip6(n))
    add(Ether(**INNER) / Dot1AD(vlan=5) / Dot1Q(vlan=6) / MPLS(label=19, s=1) / inner_ip(n))  # QinQ with MPLS
    # Ethernet pseudowire with control word
    add(Ether(**OUTER) / MPLS(label=20, s=1) / Raw(b"\x00\x00\x00\x00") / Ether(**INNER) / inner_ip(n))
    add(outer_ip(GRE(proto=0x0800) / inner_ip(n)))
    add(outer_ip(GRE(key_present=1, key=0x1234, seqnum_present=1, seqence_number=7, chksum_present=1,
                     proto=0x6558) / Ether(**INNER) / inner_ip(n)))
    add(outer_ip(GRE(proto=0x0800) / IP(src="198.51.100.1", dst="198.51.100.2") / GRE(proto=0x86DD) / inner_ip6(n)))
    add(outer_ip(GRE(proto=0x0800) / inner_ip(n), v6=True))
    add(outer_ip(GRE(proto=0x88BE) / Ether(**INNER) / inner_ip(n)))  # ERSPAN type I
    add(outer_ip(GRE(proto=0x88BE, seqnum_present=1) / ERSPAN_II(ver=1, session_id=33) / Ether(**INNER) / Dot1Q(vlan=7) /
                 inner_ip(n)))
    add(outer_ip(GRE(proto=0x22EB, seqnum_present=1) / ERSPAN_III(ver=2, session_id=44, gra=3, o=0) / Ether(**INNER) /
                 inner_ip(n)))
    add(outer_ip(GRE(proto=0x22EB, seqnum_present=1) /
                 ERSPAN_III(ver=2, session_id=45, gra=3, o=1, timestamp=0x11223344) /
                 ERSPAN_PlatformSpecific(platf_id=3, info1=0, info2=0x17a1b2c3) / Ether(**INNER) / inner_ip(n)))
    add(outer_ip(UDP(sport=5000, dport=4789) / VXLAN(vni=1001) / Ether(**INNER) / inner_ip(n)))
    add(outer_ip(UDP(sport=5000, dport=4789) / VXLAN(vni=1002) / Ether(**INNER) / Dot1Q(vlan=8) / inner_ip(n)))
    add(outer_ip(UDP(sport=5000, dport=4789) / VXLAN(vni=1003) / Ether(**INNER) / inner_ip6(n), v6=True))
    add(outer_ip(UDP(sport=5000, dport=4789) / VXLAN(vni=1004) / Ether(**OUTER) / IP(src="198.51.100.9") /
                 UDP(sport=5001, dport=4789) / VXLAN(vni=1005) / Ether(**INNER) / inner_ip(n)))  # VXLAN in VXLAN
    add(outer_ip(UDP(sport=6081, dport=6081) / GENEVE(vni=2001, proto=0x6558) / Ether(**INNER) / inner_ip(n)))
    add(outer_ip(UDP(sport=6081, dport=6081) / GENEVE(vni=2002, proto=0x0800, optionlen=2,
                                                      options=b"\x01\x02\x03\x01\xaa\xbb\xcc\xdd") / inner_ip(n)))
    add(Ether(**INNER) / PPPoE(sessionid=9) / PPP(proto=0x0021) / inner_ip(n))
    add(Ether(**INNER) / Dot1Q(vlan=9) / Dot1Q(vlan=10) / PPPoE(sessionid=10) / PPP(proto=0x0057) / inner_ip6(n))
    add(outer_ip(inner_ip(n)))                      # IPv4 in IPv4
    add(outer_ip(inner_ip6(n)))                     # IPv6 in IPv4
    add(outer_ip(inner_ip(n), v6=True))             # IPv4 in IPv6
    add(raw_eth(vntag(0x8100) + struct.pack("!HH", 12, 0x0800), inner_ip(n)))
    add(raw_eth(arista(0x0800), inner_ip(n)))
    add(raw_eth(arista(0x8100, is48=True) + struct.pack("!HH", 13, 0x0800), inner_ip(n)))
    add(outer_ip(UDP(sport=1, dport=4754) / GRE(proto=0x0800) / inner_ip(n)))      # GRE in UDP
    add(outer_ip(UDP(sport=1, dport=6635) / MPLS(label=21, s=1) / inner_ip(n)))    # MPLS in UDP
    # Not encapsulated: passes unchanged.
    add(Ether(**INNER) / inner_ip(n))
    add(Ether(**INNER) / ARP())
    return pkts


def trailers():
    """Frames with a Metamako trailer (with and without a TLV) or an Exablaze trailer."""
    out = {"metamako": [], "exablaze": []}
    for i in range(20):
        base = bytes(Ether(**INNER) / inner_ip(i))
        sec, ns = T0 + i, 1000 * i + 7
        if i % 2:
            tlv = struct.pack("!II", 0x00000001, (1 << 6) | 0x20)  # one data word, tag 0, last
            flags = 0x03
        else:
            tlv, flags = b"", 0x01
        mm = base + struct.pack("!I", 0xDEADBEEF) + tlv + struct.pack("!IIBHB", sec, ns, flags, 0x0102, i % 4)
        p = Ether(mm)
        p.time = T0 + i + 0.5
        out["metamako"].append(p)
        frac = (i * 2**37) & (2**40 - 1)
        ex = base + struct.pack("!IBBI", 0xDEADBEEF, 1, i % 3, sec) + frac.to_bytes(5, "big") + b"\x00"
        p = Ether(ex)
        p.time = T0 + i + 0.25
        out["exablaze"].append(p)
    return out


if __name__ == "__main__":
    kind, path = sys.argv[1], sys.argv[2]
    if kind == "layers":
        wrpcap(path, layers(), nano=True)
    else:
        t = trailers()
        wrpcap(path + ".metamako.pcap", t["metamako"], nano=True)
        wrpcap(path + ".exablaze.pcap", t["exablaze"], nano=True)

"""De-encapsulation against tshark: what pushcap writes for each packet is what tshark dissects
inside the packet's tunnels. The corpus captures listed in ENCAP.tsv and a scapy capture with one
packet per layer and nesting (gen_encap.py) are run through `pushcap split --decap`; tshark then
dissects the input and the output. For each packet the output's layers must be the input's with
the encapsulation removed, the innermost IP addresses and length must be the same, and nothing
may be lost. Filter counts after decap are checked against tcpdump and tshark, FilterFrame
counts against tshark's display filters, trailer times against tshark's trailer dissectors."""
import datetime
import decimal
import glob
import os
import subprocess

from harness import HERE, REAL, TempDirTest, run, split_events, tcpdump_count

ENCAP_TOKENS = {"vlan", "ieee8021ad", "mpls", "gre", "erspan", "vxlan", "geneve", "pppoes", "vntag", "avsp"}
SHIMS = {"vlan", "ieee8021ad", "vntag", "avsp"}
NO_DEFRAG = ["-o", "ip.defragment:FALSE", "-o", "ipv6.defragment:FALSE"]

# Where tshark and pushcap legitimately differ, and why.
KNOWN = {
    # The inner Ethernet header is cut short: tshark names an empty 'eth'; pushcap keeps the outer
    # frame and counts ethernet_truncated.
    "zk_geneve-truncated.pcapng",
    # An IPv4 header inside IPv6 that says version 6: tshark still calls it 'ip'; pushcap stops
    # at the invalid header and counts it.
    "zk_mpls-6in6-6in6-4in6-invalid-version-4.pcap",
    # Interfaces with microsecond and nanosecond times go to two files (one per output format), so
    # packet order cannot be compared one to one; pcapng_test.py covers the file.
    "zk_pcapng-multi-interface.pcapng",
    # After an MPLS stack pushcap takes IPv4 only when the header's lengths fit the frame (an
    # Ethernet pseudowire without control word may start with 0x4); this test header's do not.
    "ppp_ip4_bad_fragment.pcap",
}
# Packets tshark 4.0 does not dissect past the Arista header (hardware-info value 1, "R3"), where
# tcpdump 4.99 does: test_arista_r3_headers_against_tcpdump checks them.
KNOWN_PACKETS = {("td_arista_ether.pcap", n) for n in (2, 7, 10, 14)}


def tshark_fields(path, fields, occurrence="f", extra=()):
    args = ["tshark", "-n", "-r", path, *NO_DEFRAG, *extra, "-T", "fields", "-E", "separator=|", "-E",
            "occurrence=" + occurrence]
    for f in fields:
        args += ["-e", f]
    p = subprocess.run(args, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    return [line.split("|") for line in p.stdout.splitlines()]


def decap_tokens(protocols, carrier_fragmented=False):
    """The layers decap leaves, from tshark's dissection of the input (its frame.protocols). When
    the first IP header is a fragment, nothing inside it is decapsulated."""
    toks = [t for t in protocols.split(":") if t != "ethertype"]
    if toks[0] not in ("eth", "raw"):
        return toks  # link types decap does not handle pass as they came
    n = len(toks)
    at = lambda k: toks[k] if k < n else None
    i = cut = 1
    while i < n:
        t = toks[i]
        if t in SHIMS:
            i += 1
            cut = i
        elif t == "pppoes" and at(i + 1) == "ppp" and at(i + 2) in ("ip", "ipv6", "mpls"):
            i += 2
            cut = i
        elif t == "mpls":
            i += 1
            while at(i) in ("pwethheuristic", "pwethcw"):
                i += 1
            if at(i) == "eth":
                i += 1
                cut = i
            elif at(i) in ("ip", "ipv6"):
                cut = i
            else:
                break
        elif t in ("ip", "ipv6"):
            if carrier_fragmented:
                break
            j = i + 1
            while at(j) is not None and at(j).startswith("ipv6."):
                j += 1
            nxt = at(j)
            if nxt == "udp" and at(j + 1) in ("vxlan", "geneve", "gre", "mpls"):
                j += 1
                nxt = at(j)
                if nxt == "vxlan":
                    if at(j + 1) != "eth":
                        break
                    i = cut = j + 2
                    continue
                if nxt == "geneve":
                    if at(j + 1) == "eth":
                        i = cut = j + 2
                    elif at(j + 1) in ("ip", "ipv6"):
                        i = cut = j + 1
                    else:
                        break
                    continue
            if nxt in ("ip", "ipv6"):
                i = cut = j
            elif nxt == "gre":
                k = j + 1
                if at(k) == "erspan":
                    k += 1
                if at(k) == "eth":
                    i = cut = k + 1
                elif at(k) in ("ip", "ipv6"):
                    i = cut = k
                elif at(k) == "mpls":
                    i = k
                else:
                    break
            elif nxt == "mpls":
                i = j
            else:
                break
        else:
            break
    return ["eth"] + toks[cut:]


class DecapTest(TempDirTest):
    def decap(self, src, *flags, name="out"):
        out = self.path(name) + "/"
        run(["split", "--decap", "--split-packet", "100000000", "-o", out, *flags, "--no-progress", src], check=0)
        files = sorted(glob.glob(out + "*.pcap"))
        return files

    def compare(self, src, flags=(), tshark_extra=()):
        """Checks every packet of src against tshark; returns how many were decapsulated."""
        files = self.decap(src, *flags, name="out-" + os.path.basename(src))
        self.assertEqual(len(files), 1, files)
        fields = ["frame.protocols", "ip.src", "ip.dst", "ip.len", "ipv6.src", "ipv6.dst", "ip.flags.mf",
                  "ip.frag_offset"]
        inner = tshark_fields(src, fields, "l", tshark_extra)
        outer = tshark_fields(src, ["ip.flags.mf", "ip.frag_offset"], "f", tshark_extra)
        out = tshark_fields(files[0], fields, "f", tshark_extra)
        self.assertEqual(len(out), len(inner), "every packet is written")
        changed = 0
        for n, (i, o, first) in enumerate(zip(inner, out, outer), 1):
            if (os.path.basename(src), n) in KNOWN_PACKETS:
                continue
            with self.subTest(file=os.path.basename(src), packet=n, protocols=i[0]):
                fragment = first[0] == "1" or (first[1] not in ("", "0"))
                expected = decap_tokens(i[0], fragment)
                self.assertEqual([t for t in o[0].split(":") if t != "ethertype"],
                                 [t for t in expected if t != "ethertype"])
                # The output's only IP header is the input's innermost one: same addresses, same length.
                innermost = sum(t in ("ip", "ipv6") for t in expected) == 1 and len(expected) > 1
                if innermost and expected[1] == "ip":
                    self.assertEqual(o[1:4], i[1:4], "innermost IPv4 addresses and length")
                if innermost and expected[1] == "ipv6":
                    self.assertEqual(o[4:6], i[4:6], "innermost IPv6 addresses")
                changed += expected != [t for t in i[0].split(":") if t != "ethertype"]
        return changed

    def test_corpus_captures_come_out_as_tshark_sees_inside_their_tunnels(self):
        files = set()
        with open(os.path.join(REAL, "ENCAP.tsv")) as f:
            next(f)
            for line in f:
                name, _, protocols = line.split("\t")[:3]
                if ENCAP_TOKENS & set(protocols.split(":")) or ":ip:ip" in protocols or ":ip:ipv6" in protocols:
                    files.add(name)
        files -= KNOWN
        self.assertGreaterEqual(len(files), 50)
        decapsulated = 0
        for name in sorted(files):
            flags = ("--vxlan-port", "8472") if "8472" in name else ()
            extra = ("-d", "udp.port==8472,vxlan") if "8472" in name else ()
            decapsulated += self.compare(os.path.join(REAL, name), flags, extra)
        self.assertGreaterEqual(decapsulated, 1500)

    def test_arista_r3_headers_against_tcpdump(self):
        src = os.path.join(REAL, "td_arista_ether.pcap")
        out = self.decap(src, name="arista")[0]
        lines = subprocess.run(["tcpdump", "-n", "-r", out], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                               text=True).stdout.splitlines()
        self.assertEqual(len(lines), 16)
        for line in lines:
            self.assertRegex(line, r"^[0-9:.]+ IP 10\.136\.1\.32 > 10\.2\.23\.24:")  # no Arista, VLAN or MPLS left

    def generated(self):
        path = self.path("layers.pcap")
        subprocess.run(["/usr/bin/python3", os.path.join(HERE, "gen_encap.py"), "layers", path], check=True,
                       stderr=subprocess.DEVNULL)
        return path

    def test_every_layer_and_nesting_generated_with_scapy(self):
        src = self.generated()
        # The pseudowire's control word is declared to tshark, which cannot tell it from the bytes.
        changed = self.compare(src, tshark_extra=("-d", "mpls.label==20,pwethcw"))
        self.assertEqual(changed, 31, "every encapsulated packet (all but the last two) is decapsulated")

    def test_bpf_runs_on_the_inner_packet(self):
        src = self.generated()
        cfg = self.write_config(f"""
local Config = {{}}
Config.Decap = true
Config.Target = {{}}
table.insert(Config.Target, {{ Desc = "inner", Path = "{self.path('f')}/", Split = "--split-packet 1000000",
  FilterBPF = "udp and dst port 30001" }})
table.insert(Config.Target, {{ Desc = "raw", Path = "{self.path('r')}/", Split = "--split-packet 1000000",
  Decap = false, FilterBPF = "udp and dst port 30001" }})
return Config""")
        run(["run", "--config", cfg, "--log-dir", self.path("log"), "--offline", src], check=0)
        inner = glob.glob(self.path("f", "*.pcap"))
        # tshark: packets whose innermost UDP goes to port 30001 (the pseudowire declared).
        ports = tshark_fields(src, ["udp.dstport"], "l", ("-d", "mpls.label==20,pwethcw"))
        expected = sum(1 for p in ports if p[0] == "30001")
        self.assertEqual(expected, 32)
        self.assertEqual(tcpdump_count(inner[0]), expected)
        # Without decap, BPF sees the outer headers: only the plain packet and IP-in-IP-free ones match.
        self.assertEqual(tcpdump_count(glob.glob(self.path("r", "*.pcap"))[0]),
                         tcpdump_count(src, "udp and dst port 30001"))

    def test_filter_counts_on_corpus_match_tcpdump_on_the_decapsulated_packets(self):
        for name in ("zk_erspan.pcap", "zk_gre-within-gre.pcap", "zk_vxlan.pcap", "td_erspan-type-ii-3.pcap",
                     "zk_pppoe-over-qinq.pcap", "zk_geneve.pcap", "zk_mpls-in-vlan.pcap", "td_various_gre.pcap"):
            src = os.path.join(REAL, name)
            whole = self.decap(src, name="all-" + name)[0]
            for flt in ("icmp", "tcp", "udp", "arp", "ip6", "udp port 53", "net 10.0.0.0/8"):
                with self.subTest(file=name, filter=flt):
                    cfg = self.write_config(f"""
return {{ Decap = true, Target = {{ {{ Desc = "t", Path = "{self.path('x', name, flt.replace(' ', '_'))}/",
  Split = "--split-packet 1000000", FilterBPF = "{flt}" }} }} }}""", "f.lua")
                    run(["run", "--config", cfg, "--log-dir", self.path("log"), "--offline", src], check=0)
                    got = sum(tcpdump_count(f) for f in glob.glob(self.path("x", name, flt.replace(" ", "_"), "*")))
                    self.assertEqual(got, tcpdump_count(whole, flt))
        # And against tshark's own dissection inside the tunnels: ICMP innermost.
        src = os.path.join(REAL, "zk_gre-within-gre.pcap")
        protos = tshark_fields(src, ["ip.proto"], "l")
        self.assertEqual(tcpdump_count(self.decap(src, name="gg")[0], "icmp"), sum(p[0] == "1" for p in protos))

    def test_frame_filter_counts_match_tshark_display_filters(self):
        src = self.generated()
        cases = [("vlan.id==100", "vlan.id==100"), ("vlan.id==8,12", "vlan.id==8 || vlan.id==12"),
                 ("vxlan.vni==1002", "vxlan.vni==1002"), ("geneve.vni==2001,2002", "geneve.vni==2001 || geneve.vni==2002"),
                 ("mpls.label==16,21", "mpls.label==16 || mpls.label==21"), ("gre.key==0x1234", "gre.key==0x1234"),
                 ("erspan.session==33,44,45", "erspan.spanid==33 || erspan.spanid==44 || erspan.spanid==45"),
                 ("vlan.id==100 vxlan.vni==1004", "vlan.id==100 || vxlan.vni==1004")]
        for i, (ours, theirs) in enumerate(cases):
            with self.subTest(filter=ours):
                out = self.decap(src, "--filter-frame", ours, name=f"ff{i}")
                p = subprocess.run(["tshark", "-n", "-r", src, "-Y", theirs], stdout=subprocess.PIPE,
                                   stderr=subprocess.DEVNULL, text=True)
                expected = len(p.stdout.splitlines())
                self.assertGreater(expected, 0)
                self.assertEqual(sum(tcpdump_count(f) for f in out), expected)
        # Without --decap the layers are still read for the filter, and the packets stay whole.
        out = self.path("nodecap") + "/"
        run(["split", "--split-packet", "1000", "-o", out, "--filter-frame", "vlan.id==100", "--no-progress", src],
            check=0)
        files = glob.glob(out + "*.pcap")
        self.assertEqual(tshark_fields(files[0], ["frame.protocols"])[0][0],
                         "eth:ethertype:vlan:ethertype:ip:udp:data")

    def test_capture_port_selects_pcapng_interfaces(self):
        src = os.path.join(REAL, "ppp_many_interfaces-1.pcapng")
        ids = tshark_fields(src, ["frame.interface_id"])
        for port in sorted({i[0] for i in ids if i[0]}):
            with self.subTest(port=port):
                out = self.decap(src, "--filter-frame", "capture.port==" + port, name="cp" + port)
                self.assertEqual(sum(len(tshark_fields(f, ["frame.number"])) for f in out),
                                 sum(1 for i in ids if i[0] == port))

    def test_hardware_timestamps(self):
        src = self.generated()
        files = self.decap(src, "--hw-timestamp")
        times = [decimal.Decimal(t[0]) for t in tshark_fields(files[0], ["frame.time_epoch"])]
        t0 = 1700000000
        # Arista 64-bit UTC header (packet 28) and 48-bit header (29): 123456789 ns into T0.
        self.assertEqual(times[27], decimal.Decimal(t0) + decimal.Decimal("0.123456789"))
        self.assertEqual(times[28], decimal.Decimal(t0) + decimal.Decimal("0.123456789"))
        # ERSPAN III with a platform subheader (packet 15): upper 32 bits << 32 | lower, in ns.
        ns = (0x17A1B2C3 << 32) | 0x11223344
        self.assertEqual(times[14], decimal.Decimal(ns) / 1_000_000_000)
        # Packets without a hardware time keep the capture's.
        self.assertEqual(times[0], decimal.Decimal(t0))

    def test_trailers_match_tshark(self):
        base = self.path("tr")
        subprocess.run(["/usr/bin/python3", os.path.join(HERE, "gen_encap.py"), "trailers", base], check=True,
                       stderr=subprocess.DEVNULL)
        for kind, heuristic in (("metamako", "metamako_eth"), ("exablaze", "exablaze_eth")):
            with self.subTest(trailer=kind):
                src = f"{base}.{kind}.pcap"
                if kind == "metamako":
                    raw = tshark_fields(src, ["metamako.time", "metamako.srcport", "frame.len", "metamako.orig_fcs"],
                                        extra=("--enable-heuristic", heuristic))
                    expected = []
                    for t, port, length, _ in raw:
                        stamp, frac = t.replace(" UTC", "").rsplit(".", 1)
                        sec = datetime.datetime.strptime(stamp, "%b %d, %Y %H:%M:%S").replace(
                            tzinfo=datetime.timezone.utc).timestamp()
                        expected.append((int(sec) * 10**9 + int(frac), port))
                else:
                    raw = tshark_fields(src, ["exablaze.timestamp.seconds", "exablaze.timestamp.fractional_seconds",
                                              "exablaze.port", "frame.len"], extra=("--enable-heuristic", heuristic))
                    expected = [(int(s) * 10**9 + int(decimal.Decimal(f) * 10**9), port) for s, f, port, _ in raw]
                self.assertEqual(len(expected), 20)
                files = self.decap(src, "--trailer", kind, "--hw-timestamp", "--filter-frame", "", name=kind)
                out = tshark_fields(files[0], ["frame.time_epoch", "frame.len", "frame.protocols"],
                                    extra=("--enable-heuristic", heuristic))
                self.assertEqual([int(decimal.Decimal(t) * 10**9) for t, _, _ in out], [e[0] for e in expected])
                for _, _, protocols in out:
                    self.assertEqual(protocols, "eth:ethertype:ip:udp:data", "the trailer is gone")
                # Ports select with FilterFrame, as tshark reads them.
                key = "a7130.srcport" if kind == "metamako" else "c3550.srcport"
                files = self.decap(src, "--trailer", kind, "--filter-frame", key + "==1", name=kind + "-p1")
                self.assertEqual(tcpdump_count(files[0]), sum(1 for e in expected if e[1] == "1"))

    def test_summary_and_status_name_what_was_removed_and_why(self):
        cfg = self.write_config(f"""
return {{ Decap = true, Target = {{ {{ Desc = "d", Path = "{self.path('o')}/", Split = "--split-packet 1000000" }} }} }}""")
        p = run(["run", "--config", cfg, "--log-dir", self.path("log"), "--offline",
                 os.path.join(REAL, "td_various_gre.pcap"), os.path.join(REAL, "zk_vxlan.pcap")], check=0)
        # tshark (ENCAP.tsv): 51 packets of td_various_gre.pcap carry a VLAN tag, 10 of zk_vxlan.pcap
        # VXLAN; its 30 GRE packets carry Cisco metadata, CDP or nothing, which decap does not remove.
        self.assertIn("decap removed (packets per layer): vlan 51, vxlan 10", p.stderr + p.stdout)
        self.assertIn("30 passed as far as they decoded: gre_unsupported", p.stderr + p.stdout)

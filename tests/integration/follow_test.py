"""--follow DIR against real writers of rolling files: tcpdump -G 5 and dumpcap -b duration:5
write live (in a network namespace, traffic from tcpreplay) while pushcap follows the folder.
The oracle is tcpdump reading the writers' own files and pushcap's splits."""
import glob
import os
import signal
import subprocess
import time
import unittest

from harness import spawn, HERE, PUSHCAP, TempDirTest, udp_frame, write_pcap
from live import NetNs, kill_at_progress, payload_ids, stop, wait_for


class FollowTest(TempDirTest):
    def setUp(self):
        super().setUp()
        self.ns = NetNs(f"pcfw{os.getpid() % 100000}")
        self.addCleanup(self.ns.close)
        self.ring = self.path("ring")
        self.out = self.path("out")
        os.makedirs(self.ring)

    def start_push(self, name, targets, quiet):
        """pushcap run --follow on the ring with FollowStart and `targets` (Lua table bodies);
        its config, state, logs and stderr are named after `name`."""
        cfg = self.path(name + ".lua")
        body = "".join(f"table.insert(Config.Target, {{ {t} }})\n" for t in targets)
        with open(cfg, "w") as f:
            f.write(f"local Config = {{}}\nConfig.Target = {{}}\nConfig.FollowStart = true\n{body}return Config\n")
        with open(self.path(name + ".stderr"), "a") as err:
            return spawn([PUSHCAP, "run", "--config", cfg, "--follow", self.ring, "--quiet-period", quiet,
                                     "--state-dir", self.path("state-" + name), "--log-dir", self.path("logs-" + name)],
                                    stdout=subprocess.DEVNULL, stderr=err)

    def follow(self, quiet="1"):
        return self.start_push("push", [
            f'Desc = "all", Path = "{self.out}/all_", Split = "--split-time 1e9", '
            f'FileName = "--filename-epoch-sec-startend"',
            f'Desc = "odd", Path = "{self.out}/odd_", Split = "--split-packet 500", FilterBPF = "udp[11] & 1 == 1"',
        ], quiet)

    def traffic(self, count):
        p = self.path("a.pcap")
        write_pcap(p, [(1_700_000_000_000_000_000 + i * 1000, udp_frame(i, 120)) for i in range(count)])
        # 12 s of traffic: at least two rotations of a 5 s writer.
        return self.ns.run(["tcpreplay", "-q", "-i", "va", "--pps", str(count // 12), p])

    def check(self, writer, push, count):
        self.traffic(count)

        def written():  # tcpdump and dumpcap write what the kernel buffered about once a second
            try:
                return sum(len(payload_ids(f)) for f in glob.glob(os.path.join(self.ring, "*"))) >= count
            except AssertionError:  # a record being written
                return False
        wait_for(written, 60, "the writer to write every packet")
        self.assertIn(stop(writer, signal.SIGINT), (0, 1))
        files = sorted(glob.glob(os.path.join(self.ring, "*")))
        self.assertGreaterEqual(len(files), 3, "the writer rolled over at least twice")
        written = [i for f in files for i in payload_ids(f)]
        self.assertEqual(sorted(written), list(range(count)), "the writer itself got every packet")
        # The last split is published on time: the clock passes its end plus the quiet period.
        quiet_from = time.time()
        wait_for(lambda: not glob.glob(self.out + "/all_*.pending") and
                 sum(len(payload_ids(f)) for f in glob.glob(self.out + "/all_*.pcap")) == count, 10,
                 "every time split published")
        self.assertLess(time.time() - quiet_from, 1 + 1 + 2, "within the quiet period and a second of the end")
        self.assertEqual(stop(push), 0)
        ids = sorted(i for f in glob.glob(self.out + "/all_*.pcap") for i in payload_ids(f))
        self.assertEqual(ids, list(range(count)), "every packet once, across the writer's files")
        odd = sorted(i for f in glob.glob(self.out + "/odd_*.pcap") for i in payload_ids(f))
        self.assertEqual(odd, list(range(1, count, 2)))
        for f in glob.glob(self.out + "/all_*.pcap"):
            start = int(os.path.basename(f)[4:].split("-")[0])
            out = subprocess.run(["tcpdump", "-n", "-r", f, "-tt"], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                                 text=True).stdout
            for line in out.splitlines():
                self.assertEqual(int(float(line.split()[0])), start, f)

    def test_tcpdump_G5(self):
        writer = self.ns.popen(["tcpdump", "-Z", "root", "-i", "vb", "-G", "5", "-U", "-w",
                                os.path.join(self.ring, "cap_%Y%m%d_%H%M%S.pcap")],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        wait_for(lambda: glob.glob(self.ring + "/*"), 10, "tcpdump's first file")
        push = self.follow()
        self.check(writer, push, 6000)

    def test_dumpcap_b_duration5_pcapng(self):
        writer = self.ns.popen(["dumpcap", "-q", "-i", "vb", "-b", "duration:5", "-w",
                                os.path.join(self.ring, "cap.pcapng")], stdout=subprocess.DEVNULL,
                               stderr=subprocess.DEVNULL)
        wait_for(lambda: glob.glob(self.ring + "/*"), 10, "dumpcap's first file")
        push = self.follow()
        self.check(writer, push, 6000)
        with open(sorted(glob.glob(self.ring + "/*"))[0], "rb") as f:
            self.assertEqual(f.read(4), bytes.fromhex("0a0d0d0a"), "dumpcap wrote pcapng")

    def test_sigkill_of_a_follow_push_publishes_every_split_once(self):
        # A writer appends numbered packets to rolling files until told to stop; one push follows
        # undisturbed, another is killed with SIGKILL 12 times at points of progress and restarted.
        # Same files.
        def start(name):
            out = self.path(name)
            return out, self.start_push(name, [
                f'Desc = "t", Path = "{out}/t_", Split = "--split-time 2e8", FileName = "--filename-epoch-nsec"',
                f'Desc = "s", Path = "{out}/s_", Split = "--split-packet 700"',
            ], "0.5")

        enough = self.path("enough")
        writer = spawn(["python3", "-c", f"""
import os, struct, sys, time
sys.path.insert(0, {HERE!r})
from harness import udp_frame
n = 0
k = 0
while k < 4 or not os.path.exists({enough!r}):
    with open({self.ring!r} + f"/roll{{k}}.pcap", "wb") as f:
        f.write(struct.pack("<IHHiIII", 0xA1B23C4D, 2, 4, 0, 0, 65535, 1))
        for chunk in range(10):
            for i in range(100):
                t = time.time_ns()
                d = udp_frame(n, 150)
                f.write(struct.pack("<IIII", t // 10**9, t % 10**9, len(d), len(d)) + d)
                n += 1
            f.flush()
            time.sleep(0.05)
    k += 1
print(n)
"""], stdout=subprocess.PIPE, text=True)
        ref, ref_p = start("ref")
        crash = self.path("crash")
        try:
            crash_p, at = kill_at_progress(crash, lambda: start("crash")[1], 12, 7, 0.3)
        finally:
            open(enough, "w").close()
            out, _ = writer.communicate(timeout=120)
        self.assertEqual(writer.returncode, 0)
        total = int(out)
        self.assertGreater(len(set(at)), 6, f"the kills came at different points: {at}")
        for out, p in ((ref, ref_p), (crash, crash_p)):
            wait_for(lambda: sum(len(payload_ids(f)) for f in glob.glob(out + "/t_*.pcap")) == total and
                     not glob.glob(out + "/t_*.pending"), 120, "every time split of " + out)
            self.assertEqual(stop(p), 0)

        def files(out):
            got = {}
            for f in glob.glob(out + "/*"):
                with open(f, "rb") as fh:
                    got[os.path.basename(f)] = fh.read()
            return got

        expected, got = files(ref), files(crash)
        self.assertEqual(sorted(i for n in expected if n.startswith("t_") for i in payload_ids(os.path.join(ref, n))),
                         list(range(total)))
        self.assertEqual(sorted(got), sorted(expected), "same names: none twice, none missing")
        for name, data in expected.items():
            self.assertEqual(got[name], data, name)

    def test_renamed_temporary_files_and_name_order(self):
        # A writer that writes hidden temporary files and renames them; names sort naturally
        # (cap9 before cap10), not as strings.
        push = self.follow(quiet="0.5")
        n = 0
        for k in (8, 9, 10, 11):
            tmp = os.path.join(self.ring, f".cap{k}.pcap.tmp")
            write_pcap(tmp, [(time.time_ns(), udp_frame(n + i, 120)) for i in range(100)])
            n += 100
            os.rename(tmp, os.path.join(self.ring, f"cap{k}.pcap"))
            time.sleep(0.2)
        wait_for(lambda: sum(len(payload_ids(f)) for f in glob.glob(self.out + "/all_*.pcap")) == n, 10,
                 "every packet published")
        self.assertEqual(stop(push), 0)
        ids = [i for f in sorted(glob.glob(self.out + "/all_*.pcap")) for i in payload_ids(f)]
        self.assertEqual(ids, list(range(n)), "in the writer's order")


if __name__ == "__main__":
    unittest.main()

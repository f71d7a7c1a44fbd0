"""Live capture into the store and realtime push from it, in a network namespace with a veth pair:
tcpreplay sends known captures into one end, `pushcap capture` records the other, `pushcap run
--store` follows. tcpdump reads every file as the oracle."""
import glob
import shutil
import os
import signal
import subprocess
import threading
import time
import unittest

from harness import spawn, PUSHCAP, REAL, TempDirTest, pcap_records, run, tcpdump_count, udp_frame, write_pcap
from live import (NetNs, kill_at_progress, payload_ids, segments, start_capture, stop, stream_meta, streams,
                  tcpdump_lines, wait_for, watermark)

HTTP = os.path.join(REAL, "ppp_4KHttpRequests.pcap")  # 385 Ethernet frames of HTTP


def config(path, targets):
    body = "\n".join(f"table.insert(Config.Target, {{ {t} }})" for t in targets)
    with open(path, "w") as f:
        f.write(f"local Config = {{}}\nConfig.Target = {{}}\nConfig.FollowStart = true\n{body}\nreturn Config\n")
    return path


class LiveTest(TempDirTest):
    def setUp(self):
        super().setUp()
        self.ns = NetNs(f"pcrt{os.getpid() % 100000}")
        self.addCleanup(self.ns.close)
        self.store = self.path("store")

    def numbered(self, name, first, count, size=200):
        """A capture of `count` UDP frames numbered from `first` (times are replaced by tcpreplay)."""
        p = self.path(name)
        write_pcap(p, [(1_700_000_000_000_000_000 + i * 1000, udp_frame(first + i, size)) for i in range(count)])
        return p

    def stored_ids(self, stream_dir):
        ids = []
        for seg in segments(stream_dir):
            ids += payload_ids(seg)
        return ids


class CaptureTest(LiveTest):
    def test_store_holds_exactly_the_packets_sent(self):
        cap = start_capture(self.ns, self.store, "--segment-size", "1M", log=self.path("cap.log"))
        sent = self.ns.replay(HTTP, "-l", "20", "--pps", "20000")
        sent += self.ns.replay(HTTP, "-t", "-l", "10")
        wait_for(lambda: watermark(streams(self.store)[0])["packets"] >= sent, 60, "the capture to store every packet")
        self.assertEqual(stop(cap), 0)
        [stream] = streams(self.store)
        segs = segments(stream)
        self.assertGreater(len(segs), 5, "1 MiB segments")
        self.assertEqual(segments(stream, complete_only=False), segs, "no .part left after a clean stop")
        # Count and bytes by tcpdump: the 385 frames of the capture, 30 times, byte for byte.
        self.assertEqual(sum(tcpdump_count(s) for s in segs), sent)
        original = [h for _, h in tcpdump_lines(HTTP)]
        stored = [h for s in segs for _, h in tcpdump_lines(s)]
        self.assertEqual(stored, original * 30)
        for s in segs:
            self.assertLessEqual(os.path.getsize(s), 1 << 20)
            with open(s, "rb") as f:
                self.assertEqual(f.read(4), bytes.fromhex("4d3cb2a1"), "nanosecond pcap")
        w = watermark(stream)
        self.assertTrue(w["ended"])
        self.assertEqual(w["packets"], sent)
        self.assertEqual(w["kernel_drops"] + w["overflow_drops"], 0)
        self.assertEqual(stream_meta(stream)["end"], "clean")
        # The index of each segment agrees with tcpdump on count and first/last times.
        import json
        for s in segs:
            with open(s[:-5] + ".idx") as f:
                idx = json.load(f)
            lines = tcpdump_lines(s)
            self.assertEqual(idx["packets"], len(lines))
            first = lines[0][0].replace(".", "")
            self.assertEqual(str(idx["first_ts"]), first.lstrip("0"))

    def test_watermark_moves_with_the_clock_on_a_quiet_link(self):
        cap = start_capture(self.ns, self.store)
        [stream] = streams(self.store)
        a = watermark(stream)
        # No packet comes: the watermark still advances with the clock, published again and again
        # (every 100 ms when the machine keeps up; a loaded one only makes this wait longer).
        b = wait_for(lambda: (lambda w: w if w["seq"] > a["seq"] + 4 and w["ts"] > a["ts"] + 300_000_000 else None)(
            watermark(stream)), 30, "the watermark to advance on a quiet link")
        self.assertEqual(b["packets"], 0)
        self.assertLessEqual(b["ts"], time.time_ns(), "never ahead of the clock")
        stop(cap)

    def test_sigkill_of_the_capture_leaves_a_readable_store_that_says_what_was_lost(self):
        log = self.path("cap.log")
        cap = start_capture(self.ns, self.store, "--segment-size", "4M", log=log)
        sent = self.ns.replay(self.numbered("a.pcap", 0, 30000), "--pps", "30000")
        time.sleep(0.3)
        stop(cap, signal.SIGKILL)
        [stream] = streams(self.store)
        self.assertTrue(glob.glob(os.path.join(stream, ".seg_*.pcap.part")), "the open segment is left as it was")
        before = watermark(stream)
        # A push of the crashed stream reads what the watermark covers.
        cfg = config(self.path("push.lua"), [f'Desc = "all", Path = "{self.path("out")}/", Split = "--split-packet 1000000"'])
        p = run(["run", "--config", cfg, "--store", self.store, "--offline", os.path.basename(stream),
                 "--log-dir", self.path("logs")], check=0)
        pushed = sum(tcpdump_count(f) for f in glob.glob(self.path("out", "*.pcap")))
        self.assertEqual(pushed, before["packets"], p.stderr)
        # The next capture recovers it: complete segments, an index, and stream.json says what happened.
        cap2 = start_capture(self.ns, self.store, log=self.path("cap2.log"))
        stop(cap2)
        meta = stream_meta(stream)
        self.assertEqual(meta["end"], "recovered")
        self.assertEqual(meta["last_watermark_ts"], before["ts"])
        self.assertFalse(glob.glob(os.path.join(stream, ".seg_*")))
        ids = self.stored_ids(stream)
        self.assertEqual(ids, list(range(len(ids))), "a prefix of what was sent, in order, nothing torn")
        self.assertGreaterEqual(len(ids), before["packets"])
        self.assertLessEqual(len(ids), sent)
        with open(self.path("cap2.log")) as f:
            self.assertIn(f"recovered stream {os.path.basename(stream)}", f.read())
        st = run(["status", "--store", self.store], check=0)
        self.assertIn("recovered", st.stdout)

    def test_bad_interface_is_refused_before_the_store_is_touched(self):
        p = run(["capture", "--store", self.store, "--iface", "nosuch0"], check=1)
        self.assertIn("interface nosuch0", p.stderr)
        self.assertFalse(os.path.exists(self.store))


class RealtimePushTest(LiveTest):
    def start_run(self, cfg, state, log_dir, *extra):
        with open(log_dir + ".stderr", "a") as err:
            return spawn([PUSHCAP, "run", "--config", cfg, "--store", self.store, "--state-dir", state,
                                     "--log-dir", log_dir] + list(extra), stdout=subprocess.DEVNULL, stderr=err)

    def test_published_splits_hold_exactly_the_packets_and_quiet_splits_publish_on_time(self):
        out = self.path("out")
        cfg = config(self.path("push.lua"), [
            f'Desc = "all", Path = "{out}/all_", Split = "--split-time 1e9", FileName = "--filename-epoch-sec-startend"',
            f'Desc = "odd", Path = "{out}/odd_", Split = "--split-time 1e9", FilterBPF = "udp[11] & 1 == 1"',
        ])
        cap = start_capture(self.ns, self.store)
        push = self.start_run(cfg, self.path("state"), self.path("logs"))  # FollowStart: from the stream's start
        sent = self.ns.replay(self.numbered("a.pcap", 0, 5000), "--pps", "5000")
        # Quiet from here: the last split must be published within a second of its end.
        quiet_from = time.time()
        last_end = int(quiet_from) + 1
        final = f"{out}/all_{last_end - 1}-{last_end}.pcap"
        wait_for(lambda: os.path.exists(final), 5, final)
        published_at = os.stat(final).st_mtime
        self.assertLess(published_at - last_end, 1.0, "a quiet split is published within 1 s of its end")
        # The other target publishes its split of that second on its own thread, just as soon.
        wait_for(lambda: not glob.glob(os.path.join(out, "*.pending")), 10, "odd's split of the last second")
        self.assertEqual(stop(push), 0)
        self.assertEqual(stop(cap), 0)
        ids = sorted(i for f in glob.glob(f"{out}/all_*.pcap") for i in payload_ids(f))
        self.assertEqual(ids, list(range(sent)), "every packet sent, once")
        odd = sorted(i for f in glob.glob(f"{out}/odd_*.pcap") for i in payload_ids(f))
        self.assertEqual(odd, [i for i in range(sent) if i % 2 == 1])
        # Each time split holds only packets of its own second (tcpdump's times).
        for f in glob.glob(f"{out}/all_*.pcap"):
            start = int(os.path.basename(f)[4:].split("-")[0])
            for ts, _ in tcpdump_lines(f):
                self.assertEqual(int(float(ts)), start)

    def test_sigkill_of_run_at_random_points_publishes_every_split_once(self):
        # Two pushes follow one live capture: one runs undisturbed, the other is killed with
        # SIGKILL at 24 points of progress and restarted each time. Their outputs must be the same.
        def targets(out):
            return [f'Desc = "time", Path = "{out}/t_", Split = "--split-time 2e8", FileName = "--filename-epoch-nsec"',
                    f'Desc = "size", Path = "{out}/s_", Split = "--split-byte 200000", FilterBPF = "udp[11] & 3 != 0"']

        def start(name):
            out = self.path(name)
            os.makedirs(out, exist_ok=True)
            cfg = config(self.path(name + ".lua"), targets(out))
            return out, self.start_run(cfg, self.path("state-" + name), self.path("logs-" + name))

        def published(out):
            files = {}
            for f in glob.glob(os.path.join(out, "*")):
                with open(f, "rb") as fh:
                    files[os.path.basename(f)] = fh.read()
            return files

        cap = start_capture(self.ns, self.store, "--segment-size", "1M")
        ref, ref_p = start("ref")
        # The sender feeds numbered chunks until the kills are done, however long they take.
        done, sent = threading.Event(), []

        def send():
            while not done.is_set():
                first = sum(sent)
                chunk = self.numbered(f"chunk{first}.pcap", first, 2000, 300)
                sent.append(self.ns.replay(chunk, "-q", "--pps", "8000"))
                os.unlink(chunk)

        sender = threading.Thread(target=send)
        sender.start()
        crash = self.path("crash")
        try:
            crash_p, at = kill_at_progress(crash, lambda: start("crash")[1], 24, 6, 0.2)
        finally:
            done.set()
            sender.join()
        total = sum(sent)
        self.assertEqual(total, 2000 * len(sent), "tcpreplay sent every packet")
        # The stream ends once the capture has everything: every time split can close.
        wait_for(lambda: watermark(streams(self.store)[0])["packets"] >= total, 60, "the capture to store every packet")
        self.assertEqual(stop(cap), 0)
        # Once the time splits hold every packet the push has read the whole stream; the last size
        # split stays open until SIGTERM publishes it.
        for out, p in ((ref, ref_p), (crash, crash_p)):
            try:
                wait_for(lambda: self.packets_in(out, "t_*.pcap") >= total, 120, "the push into " + out)
            finally:
                self.assertEqual(stop(p), 0)
        expected = published(ref)
        got = published(crash)
        self.assertGreater(len(set(at)), 10, f"the kills came at different points: {at}")
        ids = sorted(i for n in expected if n.startswith("t_") for i in payload_ids(os.path.join(ref, n)))
        self.assertEqual(ids, list(range(total)), "the undisturbed push has every packet once")
        self.assertFalse([n for n in got if n.endswith(".pending")])
        self.assertEqual(sorted(got), sorted(expected), "same names: none twice, none missing")
        for name, data in expected.items():
            self.assertEqual(got[name], data, name)

    @staticmethod
    def packets_in(out, pattern):
        return sum(len(pcap_records(f)[1]) for f in glob.glob(os.path.join(out, pattern)))


if __name__ == "__main__":
    unittest.main()


class StoreReadTest(TempDirTest):
    """Imported streams read again with --offline STREAM and --from/--to; editcap and tcpdump
    are the oracles."""

    def import_(self, *files, name="hist", segment="1M"):
        run(["import", "--store", self.path("store"), "--name", name, "--segment-size", segment] + list(files), check=0)
        return sorted(n for n in os.listdir(self.path("store")) if n.startswith(name + "_"))[-1]

    def push(self, *args):
        cfg = config(self.path("push.lua"), [f'Desc = "all", Path = "{self.path("out")}/", Split = "--split-packet 100000"'])
        shutil.rmtree(self.path("out"), ignore_errors=True)
        run(["run", "--config", cfg, "--store", self.path("store"), "--log-dir", self.path("logs")] + list(args), check=0)
        return sorted(glob.glob(self.path("out", "*.pcap")))

    def test_import_and_offline_stream_keep_every_packet(self):
        http = HTTP
        ok = os.path.join(REAL, "jc_ok.pcap")
        stream = self.import_(http, ok, http)
        segs = segments(self.path("store", stream))
        self.assertGreater(len(segs), 1)
        want = [h for f in (http, ok, http) for _, h in tcpdump_lines(f)]
        self.assertEqual([h for s in segs for _, h in tcpdump_lines(s)], want)
        got = self.push("--offline", stream)
        self.assertEqual([h for f in got for _, h in tcpdump_lines(f)], want)
        # Times: the segments are nanosecond files of the microsecond inputs, read the same.
        self.assertEqual([float(t) for f in got for t, _ in tcpdump_lines(f)],
                         [float(t) for f in (http, ok, http) for t, _ in tcpdump_lines(f)])
        p = run(["run", "--config", self.path("push.lua"), "--store", self.path("store"), "--offline",
                 "nosuch_20240101_0000", "--log-dir", self.path("log-missing")])
        self.assertNotEqual(p.returncode, 0)
        self.assertIn("no such stream", p.stderr)

    def test_from_to_selects_what_editcap_selects(self):
        dns = os.path.join(REAL, "ppp_DnsPackets.pcap")  # 464 packets over 21 minutes
        self.import_(dns, segment="1M")
        times = [float(t) for t, _ in tcpdump_lines(dns)]
        lo, hi = times[100] + 0.0000005, times[300] + 0.0000005  # between packets: no tie at either end
        got = self.push("--from", f"{lo:.7f}", "--to", f"{hi:.7f}")
        oracle = self.path("editcap.pcap")
        subprocess.run(["editcap", "-A", f"{lo:.7f}", "-B", f"{hi:.7f}", dns, oracle], check=True,
                       env=dict(os.environ, TZ="UTC"))
        self.assertEqual([h for f in got for _, h in tcpdump_lines(f)], [h for _, h in tcpdump_lines(oracle)])
        self.assertEqual(len([h for f in got for _, h in tcpdump_lines(f)]), 200)
        iso = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(int(times[100]) + 1)) + "Z"
        got = self.push("--from", iso)
        self.assertEqual(sum(len(tcpdump_lines(f)) for f in got), len([t for t in times if t >= int(times[100]) + 1]))
        bad = run(["run", "--config", self.path("push.lua"), "--store", self.path("store"), "--from", "yesterday"])
        self.assertEqual(bad.returncode, 2)
        self.assertIn("'yesterday' is not a time", bad.stderr)

"""The service around a realtime push, live in a network namespace: SIGHUP with a good and a bad
config, the schedule pausing and catching up, retention overrun by a lagging push, the metrics
endpoint and `pushcap status`. tcpdump reads every published file."""
import glob
import json
import os
import re
import signal
import subprocess
import time
import unittest
import urllib.request

from harness import spawn, PUSHCAP, TempDirTest, run, udp_frame, write_pcap
from live import NetNs, payload_ids, start_capture, stop, streams, wait_for


class ServiceTest(TempDirTest):
    def setUp(self):
        super().setUp()
        self.ns = NetNs(f"pcsv{os.getpid() % 100000}")
        self.addCleanup(self.ns.close)
        self.store = self.path("store")
        self.out = self.path("out")
        self.sent = 0

    def write(self, name, targets, extra=""):
        body = "\n".join(f"table.insert(Config.Target, {{ {t} }})" for t in targets)
        path = self.path(name)
        with open(path, "w") as f:
            f.write(f"local Config = {{}}\nConfig.Target = {{}}\nConfig.FollowStart = true\n{extra}\n{body}\nreturn Config\n")
        return path

    def push(self, cfg, *extra):
        with open(self.path("run.stderr"), "a") as err:
            return spawn([PUSHCAP, "run", "--config", cfg, "--store", self.store, "--state-dir",
                                     self.path("state"), "--log-dir", self.path("logs")] + list(extra),
                                    stdout=subprocess.DEVNULL, stderr=err)

    def send(self, count, pps=2000, size=120):
        p = self.path("burst.pcap")
        write_pcap(p, [(1_700_000_000_000_000_000 + i * 1000, udp_frame(self.sent + i, size)) for i in range(count)])
        self.ns.run(["tcpreplay", "-q", "-i", "va", "--pps", str(pps), p])
        first = self.sent
        self.sent += count
        return list(range(first, self.sent))

    def wait_seen(self, desc, packets):
        """Until the push's status says target `desc` has taken `packets` packets."""
        def seen():
            try:
                with open(self.path("state", "status.json")) as f:
                    doc = json.load(f)
            except (FileNotFoundError, ValueError):
                return False
            return any(t["Process"] == desc and t["TotalPkt"] == packets for t in doc["targets"])
        wait_for(seen, 30, f"target {desc} to take {packets} packets")

    def ids(self, pattern):
        return sorted(i for f in glob.glob(os.path.join(self.out, pattern)) for i in payload_ids(f))

    def main_log(self):
        try:
            with open(os.path.join(self.path("logs"), "pushcap.cur")) as f:
                return f.read()
        except FileNotFoundError:
            return ""

    def test_sighup_good_and_bad_config(self):
        all_t = f'Desc = "all", Path = "{self.out}/all_", Split = "--split-time 60e9"'
        a = self.write("a.lua", [all_t, f'Desc = "even", Path = "{self.out}/even_", FilterBPF = "udp[11] & 1 == 0", Split = "--split-packet 100000"'])
        cap = start_capture(self.ns, self.store)
        p = self.push(a)  # FollowStart: it reads the stream from its start, whenever it gets there
        first = self.send(400)
        # The push is up (its SIGHUP handler is installed only once the engine is made).
        self.wait_seen("all", self.sent)
        # A bad config: refused, the running one goes on.
        with open(a, "w") as f:
            f.write("local Config = {}\nConfig.Target = {{ Desc = 'x', Split = '--split-time nonsense' }}\nreturn Config\n")
        p.send_signal(signal.SIGHUP)
        wait_for(lambda: "reload refused" in self.main_log(), 30, "the refusal in the log")
        second = self.send(400)
        self.wait_seen("all", self.sent)
        # A good one: "all" unchanged (keeps its open minute split), "even" removed, "odd" new.
        b = self.write("a.lua", [all_t, f'Desc = "odd", Path = "{self.out}/odd_", FilterBPF = "udp[11] & 1 == 1", Split = "--split-packet 100000"'])
        self.assertEqual(b, a)
        p.send_signal(signal.SIGHUP)
        wait_for(lambda: "reload done" in self.main_log(), 30, "the reload in the log")
        # The removed target finalised at once: its split is published, no .pending left.
        wait_for(lambda: glob.glob(self.out + "/even_*.pcap") and not glob.glob(self.out + "/even_*.pending"), 10,
                 "even's split")
        third = self.send(400)
        self.wait_seen("all", self.sent)
        self.assertEqual(stop(p), 0)
        stop(cap)
        log = self.main_log()
        self.assertRegex(log, r"reload refused, the running config stays: .*a.lua: target 'x': field Path is missing")
        self.assertIn("reload done: kept running all; finalised even; started odd", log)
        self.assertEqual(self.ids("all_*.pcap"), first + second + third, "all ran untouched through both reloads")
        self.assertEqual(self.ids("even_*.pcap"), [i for i in first + second if i % 2 == 0])
        self.assertEqual(self.ids("odd_*.pcap"), [i for i in third if i % 2 == 1])

    def test_schedule_pauses_and_catches_up(self):
        now = time.gmtime(time.time() + 120)
        later = f"{now.tm_hour:02d}:{now.tm_min:02d}"
        end = time.gmtime(time.time() + 180)
        later_end = f"{end.tm_hour:02d}:{end.tm_min:02d}"
        target = f'Desc = "all", Path = "{self.out}/all_", Split = "--split-time 1e9"'
        cfg = self.write("s.lua", [target], f'Config.ScheduleUTC = true\nConfig.Schedule = {{ "daily {later}-{later_end}" }}')
        cap = start_capture(self.ns, self.store)
        p = self.push(cfg)
        sent = self.send(500)
        wait_for(lambda: "outside the schedule: pushing pauses" in self.main_log(), 30, "the pause in the log")
        time.sleep(2.5)  # a pause shows as the absence of files: give a wrong push time to write one
        self.assertEqual(self.ids("all_*.pcap"), [], "nothing pushed outside the schedule")
        self.assertIn("outside the schedule: pushing pauses", self.main_log())
        st = run(["status", "--store", self.store, "--state-dir", self.path("state")], check=0)
        self.assertIn("PAUSED by the schedule", st.stdout)
        # Now inside it: the push catches up with what the store kept.
        self.write("s.lua", [target], 'Config.Schedule = { "daily 00:00-24:00" }')
        p.send_signal(signal.SIGHUP)
        wait_for(lambda: self.ids("all_*.pcap") == sent, 15, "the catch-up")
        self.assertIn("inside the schedule again", self.main_log())
        self.assertEqual(stop(p), 0)
        stop(cap)

    def lagging_push(self, max_size, caught_up):
        """A capture with 1 MiB segments and a retention limit, and a push that has pushed
        `caught_up` packets of 1000 bytes and is then stopped (SIGSTOP): it lags from now on."""
        cap = start_capture(self.ns, self.store, "--segment-size", "1M", "--max-size", max_size, "--retention-every",
                            "1", log=self.path("cap.log"))
        cfg = self.write("r.lua", [f'Desc = "all", Path = "{self.out}/all_", Split = "--split-time 1e9"'])
        p = self.push(cfg)
        before = self.send(caught_up, pps=5000, size=1000)
        wait_for(lambda: self.ids("all_*.pcap") == before, 10, "the push to catch up")
        p.send_signal(signal.SIGSTOP)
        return cap, p, before

    def test_retention_overrun_by_a_lagging_push_is_said_and_counted(self):
        cap, p, before = self.lagging_push("3M", 1000)
        lagged = self.send(8000, pps=8000, size=1000)  # about 8 MB: retention keeps 3 MB
        stream = streams(self.store)[0]

        def kept_once_within_limit():  # retention deletes until the store is within its limit
            segs = glob.glob(stream + "/seg_*.pcap")
            if sum(os.path.getsize(s) for s in segs if os.path.exists(s)) > 3 << 20:
                return None
            try:
                return sorted(i for s in segs for i in payload_ids(s))
            except AssertionError:  # deleted while read
                return None
        kept = wait_for(kept_once_within_limit, 60, "retention to bring the store within its limit")
        with open(self.path("cap.log")) as f:
            self.assertIn("retention: deleted", f.read())
        p.send_signal(signal.SIGCONT)
        wait_for(lambda: "not pushed" in self.main_log(), 10, "the push to say what it skipped")
        wait_for(lambda: set(kept) <= set(self.ids("all_*.pcap")), 10, "what the store kept to be pushed")
        self.assertEqual(stop(p), 0)
        stop(cap)
        pushed = self.ids("all_*.pcap")
        missing = sorted(set(before + lagged) - set(pushed))
        self.assertTrue(missing, "retention did delete unpushed data")
        self.assertEqual(len(pushed), len(set(pushed)), "nothing twice")
        self.assertRegex(self.main_log(), r"retention deleted segments \d+ to \d+ of stream \S+ before this push read "
                                          r"it: packets from [\d.]+ to [\d.]+ were not pushed")
        with open(self.path("run.stderr")) as f:
            self.assertIn("NOT PUSHED: retention deleted", f.read())

    def test_retention_warns_before_it_deletes_what_a_lagging_push_has_not_read(self):
        cap, p, before = self.lagging_push("8M", 300)
        # 7.5 MB more: the segment the push is in, with what is newer, is within 10% of the limit,
        # but nothing is over it yet.
        lagged = self.send(7400, pps=8000, size=1000)
        time.sleep(1.5)
        p.send_signal(signal.SIGCONT)
        wait_for(lambda: "retention is about to delete what it has not read" in self.main_log(), 30, "the warning")
        wait_for(lambda: self.ids("all_*.pcap") == before + lagged, 20, "the push to catch up again")
        self.assertEqual(stop(p), 0)
        stop(cap)
        with open(self.path("cap.log")) as f:
            self.assertNotIn("retention: deleted", f.read(), "the warning came before any deletion")
        self.assertRegex(self.main_log(), r"warning: this push lags the capture \([\d.]+ s behind\) and retention is "
                                          r"about to delete what it has not read: stream feed_\S+ segment 1: the store "
                                          r"\(\d+ bytes, limit 8388608\) can take about \d+ more bytes")

    def test_grace_delays_the_close_of_a_quiet_split(self):
        cfg = self.write("g.lua", [f'Desc = "all", Path = "{self.out}/all_", Split = "--split-time 1e9", '
                                   f'FileName = "--filename-epoch-sec"'])
        cap = start_capture(self.ns, self.store)
        p = self.push(cfg, "--grace", "1.5")
        self.send(50, pps=1000)
        events = lambda: [json.loads(l.split("|", 1)[1]) for l in self.main_log().splitlines() if '"subsystem":"split"' in l]
        # The burst may straddle a second, and then its first split closes at once, on the next
        # packet; the split holding the last packet closes because the link went quiet: the grace
        # applies to it.
        wait_for(lambda: sum(e["Packets"] for e in events()) == 50, 60, "the splits of every packet")
        self.assertEqual(stop(p), 0)
        stop(cap)
        quiet = max(events(), key=lambda e: e["EndTS"])
        late = (quiet["PublishedNS"] - quiet["EndTS"]) / 1e9
        self.assertGreaterEqual(late, 1.5, "not published before the grace ran out")
        self.assertLess(late, 10, "published once the grace ran out, not at the stop")

    def test_metrics_endpoint_and_status(self):
        cfg = self.write("m.lua", [f'Desc = "all", Path = "{self.out}/all_", Split = "--split-time 1e9"',
                                   f'Desc = "odd", Path = "{self.out}/odd_", FilterBPF = "udp[11] & 1 == 1", Split = "--split-packet 100000"'])
        cap = start_capture(self.ns, self.store)
        p = self.push(cfg, "--metrics", "0")
        port = wait_for(lambda: re.search(r"metrics: http://127.0.0.1:(\d+)/metrics", self.main_log()), 10, "the port")
        url = f"http://127.0.0.1:{port.group(1)}/metrics"
        sent = self.send(600)
        # The text is refreshed each second.
        text = wait_for(lambda: (lambda t: t if f'pushcap_packets_total{{target="all"}} {len(sent)}' in t else None)(
            urllib.request.urlopen(url, timeout=5).read().decode()), 10, "the metrics to count every packet")
        self.assertIn(f'pushcap_packets_total{{target="all"}} {len(sent)}', text)
        self.assertIn(f'pushcap_packets_total{{target="odd"}} {len(sent) // 2}', text)
        self.assertIn(f'pushcap_filtered_packets_total{{target="odd"}} {len(sent) // 2}', text)
        self.assertIn('pushcap_dropped_packets_total{target="all",reason="write_failed"} 0', text)
        lag = float(re.search(r'pushcap_lag_seconds\{target="all"\} ([\d.]+)', text).group(1))
        self.assertLess(lag, 1.5, "a caught-up push lags by about the watermark period")
        for name in ("pushcap_splits_total", "pushcap_spool_bytes", "pushcap_upload_retries_total",
                     "pushcap_script_failures_total"):
            self.assertIn(f"# TYPE {name}", text)
        st = run(["status", "--store", self.store, "--state-dir", self.path("state")], check=0).stdout
        self.assertRegex(st, r"feed_\d{8}_\d{4}\s+capturing\s+600 packets")
        self.assertRegex(st, r"all\s+lag [\d.]+ s, [\d.]+ Mbps, 600 packets")
        self.assertIn("running (pid", st)
        self.assertEqual(stop(p), 0)
        stop(cap)


if __name__ == "__main__":
    unittest.main()

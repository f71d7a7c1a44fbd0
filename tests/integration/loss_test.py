"""Nothing lost, nothing twice (docs/RELIABILITY.md): a failed checkpoint write, SIGKILL of an
offline push with a state folder, orphans of a killed PipeCmd split, a full disk under lz4, one
transient write error, and log and status writes that fail. Each checks the final files against
the input record by record (timestamp and bytes, as a multiset, read with struct, not by
pushcap), and that the failure is said and shows in the exit status."""
import collections
import fcntl
import glob
import json
import os
import shutil
import signal
import struct
import subprocess
import time
import unittest

from harness import PUSHCAP, TempDirTest, capinfos, generate, pcap_records, pending_files, run, spawn
from live import wait_for


def finals(out, pattern="*.pcap"):
    return sorted(glob.glob(os.path.join(out, pattern)))


def records(paths):
    """Every packet of the classic pcap files as (timestamp in ns, original length, captured
    bytes), a multiset: files of any timestamp resolution compare."""
    out = collections.Counter()
    for p in paths:
        header, recs = pcap_records(p)
        nano = struct.unpack("<I", header[:4])[0] == 0xA1B23C4D
        for r in recs:
            sec, frac, _, orig = struct.unpack("<IIII", r[:16])
            out[(sec * 1_000_000_000 + (frac if nano else frac * 1000), orig, r[16:])] += 1
    return out


def traced(fault_path, inject, args):
    """pushcap under strace with one fault injected into the syscalls on `fault_path`."""
    return ["strace", "-f", "-qq", "-o", "/dev/null", "-P", fault_path, "-e", "trace=write", "-e", inject,
            PUSHCAP] + args


@unittest.skipUnless(shutil.which("strace"), "strace injects the faults")
class Loss(TempDirTest):
    def setUp(self):
        super().setUp()
        self.src = self.path("in.pcap")
        generate(self.src, "--packets", "60000", "--gap-ns", "100000")  # 6 s of packet time
        self.input = records([self.src])
        self.out = self.path("out")

    def config(self, *targets, follow_start=False):
        body = "".join(f"table.insert(Config.Target, {{ {t} }})\n" for t in targets)
        return self.write_config("local Config = {}\nConfig.Target = {}\n" +
                                 ("Config.FollowStart = true\n" if follow_start else "") + body + "return Config\n")

    def assert_exactly_once(self, pattern="*.pcap"):
        got = records(finals(self.out, pattern))
        self.assertEqual(sum(got.values()), sum(self.input.values()), "packets in the final files")
        self.assertEqual(got, self.input, "the final files hold each input record once")
        self.assertEqual(pending_files(self.out), [], "no .pending left")
        self.assertEqual(glob.glob(self.out + "/*.failed"), [], "nothing kept as .failed")

    def status_target(self, state):
        try:
            with open(os.path.join(state, "status.json")) as f:
                return json.load(f)["targets"][0]
        except (FileNotFoundError, ValueError, IndexError):
            return None

    def test_failed_checkpoint_write_stops_the_push_and_the_restart_publishes_the_split(self):
        store, state = self.path("store"), self.path("state")
        run(["import", "--store", store, "--name", "cap", "--segment-size", "1M", self.src], check=0)
        cfg = self.config(f'Desc = "all", Path = "{self.out}/all_", Split = "--split-time 1e9"', follow_start=True)
        push = ["run", "--config", cfg, "--store", store, "--state-dir", state, "--log-dir", self.path("log")]
        # The third checkpoint write: the first is at the first record, the second the first split's.
        p = subprocess.run(traced(os.path.join(state, "all.checkpoint.json.tmp"), "inject=write:error=ENOSPC:when=3",
                                  push), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, timeout=300)
        self.assertEqual(p.returncode, 1, "a realtime push whose target failed ends by itself:\n" + p.stderr)
        self.assertIn("checkpoint: " + state + "/all.checkpoint.json.tmp: write: No space left on device", p.stderr)
        self.assertIn("the push stops (exit status 1) so that its supervisor starts it again", p.stderr)
        self.assertIn("removed: the next run writes it again from the checkpoint", p.stderr)
        self.assertEqual(glob.glob(self.out + "/*.failed"), [])
        self.assertEqual(pending_files(self.out), [])
        before = sum(records(finals(self.out)).values())
        self.assertLess(before, 60000)
        # The restart (its supervisor's) publishes the rest, from the checkpoint.
        with open(self.path("restart.err"), "w") as err:
            r = spawn([PUSHCAP] + push, stdout=subprocess.DEVNULL, stderr=err)
        wait_for(lambda: (self.status_target(state) or {}).get("TotalPkt") == 60000 - before, 120,
                 "the restarted push to take the rest")
        r.send_signal(signal.SIGTERM)
        self.assertEqual(r.wait(timeout=60), 0)
        self.assert_exactly_once()

    def offline(self, state, *extra):
        cfg = self.config(f'Desc = "all", Path = "{self.out}/all_", Split = "--split-time 5e8"',
                          f'Desc = "udp", Path = "{self.out}/udp_", Split = "--split-packet 4000", FilterBPF = "udp"')
        return ["run", "--config", cfg, "--offline", self.src, self.path("second.pcap"), "--state-dir", state,
                "--log-dir", self.path("log"), "--no-progress"] + list(extra)

    def test_offline_push_with_a_state_folder_resumes_after_sigkill(self):
        # Two inputs: a resumed run does not read again an input that was published whole.
        generate(self.path("second.pcap"), "--packets", "40000", "--gap-ns", "100000", "--start", "1700000100000000000",
                 "--seed", "7")
        self.input = records([self.src, self.path("second.pcap")])
        state = self.path("state")
        args = self.offline(state)
        kills = 0
        for _ in range(6):
            seen = set(os.listdir(self.out)) if os.path.isdir(self.out) else set()
            p = spawn([PUSHCAP] + args, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            # Killed once it has made progress of its own (a new name), while it still runs.
            while p.poll() is None and not (os.path.isdir(self.out) and set(os.listdir(self.out)) - seen):
                time.sleep(0.01)
            if p.poll() is None:
                p.kill()
                kills += 1
            p.wait()
        self.assertGreater(kills, 0)
        run(args, check=0)
        all_files = [f for f in finals(self.out) if os.path.basename(f).startswith("all_")]
        self.assertEqual(records(all_files), self.input, "target all: each record once")
        udp_files = [f for f in finals(self.out) if os.path.basename(f).startswith("udp_")]
        self.assertEqual(sum(capinfos(f)["packets"] for f in udp_files),
                         int(subprocess.run(["tcpdump", "-n", "-r", self.src, "--count", "udp"], stdout=subprocess.PIPE,
                                            stderr=subprocess.DEVNULL, text=True).stdout.split()[0]) +
                         int(subprocess.run(["tcpdump", "-n", "-r", self.path("second.pcap"), "--count", "udp"],
                                            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                                            text=True).stdout.split()[0]),
                         "target udp: tcpdump's count of udp, once")
        self.assertEqual(pending_files(self.out), [])
        # Once more after completion: nothing new, and it says so.
        names = sorted(os.listdir(self.out))
        again = run(args, check=0)
        self.assertEqual(sorted(os.listdir(self.out)), names)
        self.assertIn("nothing new to publish", again.stderr)
        self.assertIn("0 files, 0 packets", again.stderr)

    def test_killed_pipecmd_splits_leave_no_orphans_and_a_live_pending_file_is_left_alone(self):
        # A .pending of the same naming that a live process holds (another run) is not touched.
        os.makedirs(self.out)
        live = os.path.join(self.out, "20000101_000000.pcap.pending")
        holder = open(live, "wb")
        self.addCleanup(holder.close)
        fcntl.flock(holder, fcntl.LOCK_EX)
        args = ["split", "--split-time", "1e9", "--pipe-cmd", "sleep 0.05; gzip -c -1", "-o", self.out + "/",
                "--log-dir", self.path("log"), self.src]
        for _ in range(5):
            p = spawn([PUSHCAP] + args, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            wait_for(lambda: [f for f in os.listdir(self.out) if f.endswith(".raw.pending")] or p.poll() is not None,
                     60, "a raw copy being written")
            p.kill()
            p.wait()
        done = run(args, check=0)
        self.assertRegex(done.stderr, r"removed .*\.raw\.pending, a split left open by a run that died")
        self.assertEqual(pending_files(self.out), [live], "only the live process's file is left")
        for f in finals(self.out):
            self.assertEqual(subprocess.run(["gzip", "-t", f]).returncode, 0, f)

    @unittest.skipUnless(os.geteuid() == 0, "mounting a small tmpfs needs root")
    def test_lz4_on_a_full_disk_keeps_one_failed_split_and_no_pending(self):
        os.makedirs(self.out)
        subprocess.run(["mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", self.out], check=True)
        self.addCleanup(subprocess.run, ["umount", self.out], check=False)
        cfg = self.config(f'Desc = "lz", Path = "{self.out}/lz_", Split = "--split-byte 300000", Compress = "lz4"')
        p = run(["run", "--config", cfg, "--offline", self.src, "--log-dir", self.path("log")], check=1)
        self.assertIn("No space left on device", p.stderr)
        self.assertEqual(pending_files(self.out), [])
        failed = glob.glob(self.out + "/*.failed")
        self.assertEqual(len(failed), 1, os.listdir(self.out))
        self.assertIn("; 1 splits FAILED", p.stderr)
        published = sum(int(subprocess.run(f"lz4 -dc {f} | capinfos -c -M - | awk '/Number of packets/ {{print $NF}}'",
                                           shell=True, stdout=subprocess.PIPE, text=True).stdout or 0)
                        for f in finals(self.out, "*.lz4"))
        self.assertRegex(p.stderr, rf"\b{published} packets, \d+ bytes written")

    def test_one_transient_write_error_publishes_no_part_of_a_split(self):
        os.makedirs(self.out)
        # The first write into the first split (the packets start at 2023-11-14 22:13:20 UTC);
        # only that file's writes are touched (a sanitizer's own writes are not).
        first = os.path.join(self.out, "20231114_221320.pcap.pending")
        p = subprocess.run(traced(first, "inject=write:error=ENOSPC:when=1",
                                  ["split", "--split-time", "20e6", "--filename-utc", "-o", self.out + "/",
                                   "--log-dir", self.path("log"), self.src]),
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, timeout=300)
        self.assertEqual(p.returncode, 1, p.stderr)
        self.assertEqual(finals(self.out), [], "no final name: the target stopped at the error")
        self.assertEqual(len(glob.glob(self.out + "/*.failed")), 1)
        self.assertIn("0 files, 0 packets", p.stderr)
        self.assertIn("60000 not written", p.stderr)

    def test_a_log_that_cannot_be_written_is_said_and_fails_the_run(self):
        log = self.path("log")
        os.makedirs(log)
        target_log = os.path.join(log, "push_split_" + time.strftime("%Y%m%d_%H%M"))
        p = subprocess.run(traced(target_log, "inject=write:error=ENOSPC:when=2+",
                                  ["split", "--split-time", "1e9", "-o", self.out + "/", "--log-dir", log, self.src]),
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, timeout=300)
        if "push_split_" + time.strftime("%Y%m%d_%H%M") != os.path.basename(target_log):
            self.skipTest("the minute turned during the run")
        self.assertEqual(p.returncode, 1, p.stderr)
        self.assertIn("warning: log lines are lost until the log can be written again", p.stderr)
        self.assertRegex(p.stderr, r"not recorded: .*push_split_\d+_\d+: write: No space left on device \(\d+ log writes failed\)")
        self.assert_exactly_once()  # the packets themselves are all published

    def test_a_status_file_that_cannot_be_written_is_said_and_leaves_no_temporary(self):
        store, state = self.path("store"), self.path("state")
        run(["import", "--store", store, "--name", "cap", "--segment-size", "1M", self.src], check=0)
        cfg = self.config(f'Desc = "all", Path = "{self.out}/all_", Split = "--split-time 1e9"', follow_start=True)
        os.makedirs(state)
        with open(self.path("run.err"), "w") as err:
            p = spawn(traced(os.path.join(state, "status.json.tmp"), "inject=write:error=ENOSPC:when=1+",
                             ["run", "--config", cfg, "--store", store, "--state-dir", state, "--log-dir",
                              self.path("log")]), stdout=subprocess.DEVNULL, stderr=err)
        main_log = os.path.join(self.path("log"), "pushcap.cur")
        def warned():
            if not os.path.exists(main_log):
                return False
            with open(main_log) as f:
                return "warning: status.json not updated" in f.read()
        wait_for(warned, 60, "the warning")
        # SIGTERM to pushcap itself (strace would only detach).
        child = wait_for(lambda: subprocess.run(["pgrep", "-P", str(p.pid)], stdout=subprocess.PIPE,
                                                text=True).stdout.split(), 30, "pushcap under strace")
        os.kill(int(child[0]), signal.SIGTERM)
        self.assertEqual(p.wait(timeout=60), 1, "a status that could not be written fails the run")
        self.assertFalse(os.path.exists(os.path.join(state, "status.json.tmp")))
        with open(self.path("run.err")) as f:
            err = f.read()
        self.assertIn("not recorded: status.json: " + state + "/status.json.tmp: write: No space left on device", err)

    def test_a_log_folder_that_cannot_be_made_exits_1_not_2(self):
        with open(self.path("file"), "w") as f:
            f.write("x")
        p = run(["split", "--split-time", "1e9", "-o", self.out + "/", "--log-dir", self.path("file", "log"), self.src],
                check=1)
        self.assertIn("log directory", p.stderr)


if __name__ == "__main__":
    unittest.main()

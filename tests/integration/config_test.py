"""The config contract at the command line: the seeds load with only their paths changed,
`check` prints the resolved targets and touches nothing, and each kind of bad config is refused
with a message naming where, exit status 2, and no output or log written."""
import os
import subprocess

from harness import DATA, REAL, TempDirTest, run

SEEDS = os.path.join(DATA, "seeds")


class Config(TempDirTest):
    def seed(self, name):
        with open(os.path.join(SEEDS, name)) as f:
            text = f.read()
        text = text.replace("/mnt/remote0/push/", self.path("push") + "/")
        text = text.replace("/mnt/store0/pushpcap/test_postprocess/", self.path("pp") + "/")
        text = text.replace("/opt/fmadio/etc/push_pcap_post.lua", os.path.join(SEEDS, "push_pcap_post.sh"))
        return self.write_config(text, name)

    def test_push_realtime_seed_runs_with_only_its_paths_changed(self):
        cfg = self.seed("push_realtime.lua")
        p = run(["check", "--config", cfg], check=0)
        self.assertIn("target 'pcap-all'", p.stdout)
        self.assertIn('"net 192.168.1.0/24 and tcp"', p.stdout)
        self.assertFalse(os.path.exists(self.path("push")), "check touches nothing")
        p = run(["run", "--config", cfg, "--log-dir", self.path("log"), "--offline", os.path.join(REAL, "jc_ok.pcap")],
                check=0)
        self.assertEqual(sorted(os.listdir(self.path("push"))), ["all_1528035060-1528035120.pcap"])
        for f in ("pushcap.cur", "push_pcap-all.cur", "push_pcap-tcp.cur"):
            self.assertTrue(os.path.exists(self.path("log", f)), f)

    def test_push_pcap_seed_runs_its_post_processing_for_real(self):
        # seeds/000: Config.Decap = true and a Post script that compresses each split, then MD5s it.
        cfg = self.seed("push_pcap.lua")
        capture = os.path.join(REAL, "zk_vxlan.pcap")
        p = run(["run", "--config", cfg, "--log-dir", self.path("log"), "--offline", capture], check=0)
        splits = sorted(f for f in os.listdir(self.path("pp")) if f.endswith(".pcap"))
        self.assertTrue(splits)
        for name in splits:
            f = self.path("pp", name)
            self.assertEqual(subprocess.run(["zstd", "-d", "-c", f + ".zst"], capture_output=True, check=True).stdout,
                             open(f, "rb").read())
            subprocess.run(["md5sum", "--quiet", "-c", f + ".zst.md5"], check=True)
        log = open(self.path("log", "push_all.cur")).read()
        self.assertIn("Script [" + os.path.join(SEEDS, "push_pcap_post.sh") + " " + self.path("pp", splits[0]) + "]", log)
        self.assertIn("md5sum " + self.path("pp", splits[0]) + ".zst > ", log)  # the script's own output
        self.assertIn("Post script done", log)
        self.assertIn("scripts: %d run, 0 failed" % len(splits), p.stderr)

    def bad(self, text, *expected):
        cfg = self.write_config(text, "bad.lua")
        out = self.path("never")
        for cmd in (["check", "--config", cfg],
                    ["run", "--config", cfg, "--log-dir", self.path("log"), "--offline", os.path.join(REAL, "jc_ok.pcap")]):
            p = run(cmd, check=2)
            for e in expected:
                self.assertIn(e, p.stderr)
        self.assertFalse(os.path.exists(out))
        self.assertFalse(os.path.exists(self.path("log")), "a bad config touches no log either")

    def test_errors(self):
        never = self.path("never") + "/"
        t = lambda fields: f'local C = {{ Target = {{}} }}\ntable.insert(C.Target, {{ {fields} }})\nreturn C\n'
        ok = f'Desc = "a", Path = "{never}", Split = "--split-time 60e9"'
        self.bad("local C = {\nTarget = {}\n,,\nreturn C", "bad.lua:3:")
        self.bad(t(ok + ', Spilt = "x"'), "target 'a'", "unknown field 'Spilt' (did you mean 'Split'?)")
        self.bad(t(ok + ', FilterBPF = 7'), "target 'a'", "field FilterBPF must be a string, not a number")
        self.bad(t(f'Path = "{never}", Split = "--split-time 1e9"'), "target #1: field Desc is missing")
        self.bad(f'return {{ Target = {{ {{ {ok} }}, {{ {ok} }} }} }}', "target #2: duplicate Desc 'a'")
        self.bad(t(ok.replace("--split-time", "--split-tim")), "unknown flag '--split-tim' (did you mean '--split-time'?)")
        self.bad(t(ok + ', FileName = "--filename-epoch"'), "field FileName", "unknown flag '--filename-epoch'")
        self.bad(t(ok + ', FilterBPF = "tcp and port"'), "field FilterBPF \"tcp and port\": libpcap:")
        self.bad(t(ok + ', PipeCmd = "gzip -c", Compress = "zstd"'), "target 'a'", "both compress: choose one")
        self.bad(t(ok + ', Mode = "RCLONE"'), "target 'a'", "field Path", "must name an rclone remote")
        sched = lambda v: f'local C = {{ Target = {{}}, Schedule = {v} }}\ntable.insert(C.Target, {{ {ok} }})\nreturn C\n'
        self.bad(sched('{ "Mon-Fri 08:00-18:00", "Sun 8-9" }'), "Config: Schedule entry 2 \"Sun 8-9\": times must be HH:MM-HH:MM")
        self.bad(sched('{ "Funday 08:00-09:00" }'), "Schedule entry 1", "unknown day")
        self.bad(sched('7'), "field Schedule must be a string or a list of strings")
        self.bad("while true do end", "did not finish within its time budget")
        self.bad("local t = {} local s = string.rep('x', 1 << 20) for i = 1, 1e6 do t[i] = s .. i end return t",
                 "MiB of memory")

    def test_bad_arguments(self):
        p = run(["run", "--config", self.path("missing.lua"), "--offline", "x"], check=2)
        self.assertIn("missing.lua", p.stderr)
        p = run(["split", "--split-time", "soon"], check=2)
        self.assertIn("--split-time: 'soon' is not a number", p.stderr)
        p = run(["split", "--bogus"], check=2)
        self.assertIn("unknown flag '--bogus'", p.stderr)
        p = run(["split", "--split-time", "1e9", "/no/such/input.pcap"], check=2)
        self.assertIn("/no/such/input.pcap", p.stderr)

"""File names: every --filename-* layout against Python's own calendar arithmetic, the local
zone and --filename-utc, the Path prefix rule of configs, and names that would collide."""
import datetime
import os
import unittest
import zoneinfo

from harness import TempDirTest, capinfos, run, split_events, udp_frame, write_pcap

S = 1_000_000_000
T = 1638402659123456789  # 2021-12-01 23:50:59.123456789 UTC


def local(ts_ns, zone):
    return datetime.datetime.fromtimestamp(ts_ns // S, zoneinfo.ZoneInfo(zone))


class Names(TempDirTest):
    def one_split(self, flags, env_tz="Asia/Kolkata", ts=T):
        src = self.path("in.pcap")
        write_pcap(src, [(ts, udp_frame(1))], nano=True)
        out = self.path("o%d" % len(os.listdir(self.tmp)))
        env = dict(os.environ, TZ=env_tz)
        run(["split", "--split-packet", "10"] + flags + ["-o", out + "/", src], check=0, env=env)
        (name,) = os.listdir(out)
        return name

    def test_every_layout(self):
        d = local(T, "Asia/Kolkata")
        want = {
            "--filename-epoch-sec": f"{T // S}.pcap",
            "--filename-epoch-msec": f"{T // 1_000_000}.pcap",
            "--filename-epoch-usec": f"{T // 1000}.pcap",
            "--filename-epoch-nsec": f"{T}.pcap",
            "--filename-tstr-HHMM": d.strftime("%Y%m%d_%H%M") + ".pcap",
            "--filename-tstr-HHMMSS": d.strftime("%Y%m%d_%H%M%S") + ".pcap",
            "--filename-tstr-HHMMSS_NS": d.strftime("%Y%m%d_%H%M%S") + ".123.456.789.pcap",
            "--filename-tstr-HHMMSS_SUB": d.strftime("%Y%m%d_%H-%M-%S") + ".123456789.pcap",
            "--filename-tstr-HHMMSS_TZ": d.strftime("%Y-%m-%d_%H:%M:%S") + "+05:30.pcap",
        }
        for flag, name in want.items():
            with self.subTest(flag=flag):
                self.assertEqual(self.one_split([flag]), name)
        self.assertEqual(self.one_split(["--filename-tstr-HHMMSS", "--filename-utc"]), "20211201_235059.pcap")
        self.assertEqual(self.one_split(["--filename-strftime", "feed-%Y%j-%H"]), d.strftime("feed-%Y%j-%H") + ".pcap")
        self.assertEqual(self.one_split(["--filename-suffix", ".cap"]), d.strftime("%Y%m%d_%H%M%S") + ".cap")

    def test_tz_offset_is_the_packets_own(self):
        july = 1722016800 * S  # 2024-07-26 18:00 UTC: New York is on daylight time then
        self.assertEqual(self.one_split(["--filename-tstr-HHMMSS_TZ"], "America/New_York", july),
                         "2024-07-26_14:00:00-04:00.pcap")

    def test_time_mode_names_after_aligned_start_startend(self):
        src = self.path("in.pcap")
        write_pcap(src, [(1616334655 * S + 5, udp_frame(1))], nano=True)
        run(["split", "--split-time", "60e9", "--filename-epoch-sec-startend", "-o", self.path("o") + "/", src], check=0)
        self.assertEqual(os.listdir(self.path("o")), ["1616334600-1616334660.pcap"])

    def test_colliding_names_never_overwrite(self):
        # HHMM names with 1 s splits: 5 splits in one minute share one name.
        src = self.path("in.pcap")
        write_pcap(src, [(1616334600 * S + i * S, udp_frame(i)) for i in range(5)], nano=True)
        out = self.path("o")
        os.mkdir(out)
        with open(os.path.join(out, "20210321_1350.pcap"), "w") as f:
            f.write("an earlier run's file")
        env = dict(os.environ, TZ="UTC")
        run(["split", "--split-time", "1e9", "--filename-tstr-HHMM", "-o", out + "/", "--log-dir", self.path("log"), src],
            check=0, env=env)
        names = sorted(os.listdir(out))
        self.assertEqual(names, ["20210321_1350.pcap"] + [f"20210321_1350_{i}.pcap" for i in range(1, 6)])
        with open(os.path.join(out, "20210321_1350.pcap")) as f:
            self.assertEqual(f.read(), "an earlier run's file")
        self.assertEqual(sum(capinfos(e["Name"])["packets"] for e in split_events(self.path("log"))), 5)

    def test_config_path_prefix_rule(self):
        src = self.path("in.pcap")
        write_pcap(src, [(1616334600 * S, udp_frame(1))], nano=True)
        cases = {"dir/": "dir/1616334600.pcap", "all": "all_1616334600.pcap", "all_": "all_1616334600.pcap",
                 "all-": "all-1616334600.pcap", "all.": "all.1616334600.pcap"}
        for i, (path, want) in enumerate(cases.items()):
            cfg = self.write_config(f'return {{ Target = {{ {{ Desc = "t", Path = "{self.path("p%d" % i, path)}", '
                                    f'Split = "--split-time 60e9", FileName = "--filename-epoch-sec" }} }} }}', f"c{i}.lua")
            run(["run", "--config", cfg, "--log-dir", self.path("log%d" % i), "--offline", src], check=0)
            self.assertTrue(os.path.exists(self.path("p%d" % i, want)), (path, os.listdir(self.path("p%d" % i))))


class Ownership(TempDirTest):
    @unittest.skipUnless(os.geteuid() == 0, "chown to another user needs root")
    def test_dash_z_owns_the_final_files(self):
        import pwd
        nobody = pwd.getpwnam("nobody")
        src = self.path("in.pcap")
        write_pcap(src, [(1616334600 * S + i * S, udp_frame(i)) for i in range(3)], nano=True)
        run(["split", "--split-time", "1e9", "-Z", f"nobody:{nobody.pw_gid}", "-o", self.path("o") + "/", src], check=0)
        files = os.listdir(self.path("o"))
        self.assertEqual(len(files), 3)
        for f in files:
            st = os.stat(self.path("o", f))
            self.assertEqual((st.st_uid, st.st_gid), (nobody.pw_uid, nobody.pw_gid))

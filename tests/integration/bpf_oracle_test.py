"""FilterBPF counts against tcpdump's (tests/data/real/ORACLE.tsv), on every file and filter
where tcpdump exited 0. One run per file, one target per filter, the input read once."""
import collections
import os
import unittest

from harness import REAL, TempDirTest, final_status, run, tsv


def lua_string(s):
    return '"' + s.replace("\\", "\\\\").replace('"', '\\"') + '"'


class BpfOracle(TempDirTest):
    def test_every_file_and_filter_tcpdump_reads(self):
        by_file = collections.defaultdict(list)
        for row in tsv("ORACLE.tsv"):
            if row["tcpdump_rc"] == "0":
                by_file[row["file"]].append((row["filter"], int(row["count"])))
        self.assertGreater(len(by_file), 100)
        checked = 0
        for name, filters in sorted(by_file.items()):
            with self.subTest(file=name):
                out = self.path(name)
                targets = []
                for i, (flt, _) in enumerate(filters):
                    targets.append(f'{{ Desc = "f{i}", Path = "{out}/f{i}/", Split = "--split-packet 1e9", '
                                   f'FilterBPF = {lua_string(flt)} }}')
                cfg = self.write_config("return { Target = {\n" + ",\n".join(targets) + "\n} }\n", name + ".lua")
                logs = self.path(name + ".log")
                p = run(["run", "--config", cfg, "--log-dir", logs, "--offline", os.path.join(REAL, name)])
                self.assertEqual(p.returncode, 0, p.stderr)
                status = final_status(logs)
                for i, (flt, want) in enumerate(filters):
                    s = status[f"f{i}"]
                    # A matching packet is written, or counted as not representable in pcap (after 2106).
                    got = s["TotalPkt"] + s["Dropped"]["ts_unrepresentable"]
                    self.assertEqual(got, want, f"{name} filter {flt!r}: pushcap {got}, tcpdump {want}")
                    self.assertEqual(s["Dropped"]["filter_linktype"], 0)
                    checked += 1
        print(f"checked {checked} (file, filter) pairs against tcpdump")
        self.assertGreater(checked, 1500)


if __name__ == "__main__":
    unittest.main()

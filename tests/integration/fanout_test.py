"""Fan-out: 64 targets generated in a Lua loop from one read of the input, each with its own
filter, counted against tcpdump, each writing its own files."""
import os

from harness import TempDirTest, final_status, generate, run, split_events, tcpdump_count


class FanOut(TempDirTest):
    def test_64_targets_one_read(self):
        src = self.path("in.pcap")
        generate(src, "--packets", "20000")
        out = self.path("out")
        cfg = self.write_config(f'''
local Config = {{ Target = {{}} }}
for i = 0, 63 do
  local flt = (i < 16) and ("udp and dst port " .. (30001 + i)) or ((i < 32) and ("vlan " .. (100 + i % 4)) or
              ((i < 48) and "tcp" or nil))
  table.insert(Config.Target, {{ Desc = "t" .. i, Path = "{out}/t" .. i .. "/", Split = "--split-time 1e9",
                                FileName = "--filename-epoch-nsec", FilterBPF = flt }})
end
return Config
''')
        p = run(["run", "--config", cfg, "--log-dir", self.path("log"), "--offline", src], check=0)
        self.assertIn(f"{os.path.getsize(src)} bytes", p.stderr.splitlines()[0], "the input is read once")
        status = final_status(self.path("log"))
        self.assertEqual(len(status), 64)
        for i in range(64):
            flt = (f"udp and dst port {30001 + i}" if i < 16 else f"vlan {100 + i % 4}" if i < 32 else
                   "tcp" if i < 48 else "")
            want = tcpdump_count(src, flt)
            self.assertEqual(status[f"t{i}"]["TotalPkt"], want, flt)
        events = split_events(self.path("log"))
        for i in (0, 20, 40, 63):
            mine = [e for e in events if e["Target"] == f"t{i}"]
            self.assertEqual(sum(e["Packets"] for e in mine), status[f"t{i}"]["TotalPkt"])
            self.assertEqual(sorted(os.listdir(os.path.join(out, f"t{i}"))),
                             sorted(os.path.basename(e["Name"]) for e in mine))

#!/usr/bin/env python3
"""The fault campaign (docs/RELIABILITY.md): runs pushcap with faults injected and checks, packet
by packet, that nothing was lost, nothing duplicated, no partial file is under a final name and
no temporary file is left behind, and that every fault shows in the exit status.

Each *run* is one scenario (a mode: split, offline, offline with a state folder, realtime from
the store, follow; an encoder: plain, gzip, zstd, lz4, PipeCmd) and one fault:

  syscall  one data-path syscall (openat, write, pwrite64, fsync, fdatasync, rename, renameat2,
           close, unlink) on pushcap's own files (splits, state, logs, spool) fails with ENOSPC,
           EIO or EDQUOT at call index N, once or from N on (strace -e inject, -P on the paths a
           clean run of the same scenario touched)
  kill     SIGKILL at a random moment, again and again, each time restarting

then, for the modes that keep state, the same command runs again without a fault (the recovery,
timed). The oracle for what each target must hold is the input itself, filtered by tcpdump; the
final files are read here with struct (and gzip, zstd, lz4), not by pushcap.

Figures per run: packets expected, packets in final files, lost (expected, not in any final file
and not said as not written), duplicated, partial files (a final name whose content does not
decode whole), orphans (.pending, .tmp left after the last run), the exit statuses, injections,
and silent faults (a fault was injected and the run exited 0 without a word).

  campaign.py --pushcap BIN --runs 60 --seed 1 --kills 100 [--modes ...] [--markdown]
"""
import argparse
import collections
import glob
import json
import os
import random
import re
import shutil
import signal
import struct
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
GEN = os.path.join(HERE, "..", "integration", "gen_capture.py")

MODES = ["split", "offline", "offline-state", "store", "follow"]
ENCODERS = ["plain", "gzip", "zstd", "lz4", "pipecmd"]
SYSCALLS = ["openat", "write", "pwrite64", "fsync", "fdatasync", "rename", "renameat2", "close", "unlink"]
ERRNOS = ["ENOSPC", "EIO", "EDQUOT"]
STATEFUL = {"offline-state", "store", "follow"}
REALTIME = {"store", "follow"}


# ---- reading what was published ----------------------------------------------------------

def decode(path):
    """The pcap bytes of a final file (decompressed by its magic), or None when it does not
    decode whole."""
    with open(path, "rb") as f:
        head = f.read(4)
    tool = {b"\x1f\x8b": ["gzip", "-dc"], b"\x28\xb5": ["zstd", "-dcq"], b"\x04\x22": ["lz4", "-dcq"]}.get(head[:2])
    if tool is None:
        with open(path, "rb") as f:
            return f.read()
    p = subprocess.run(tool + [path], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    return p.stdout if p.returncode == 0 else None


def packets_of(data):
    """(timestamp ns, original length, bytes) of each record of classic pcap bytes; None when the
    bytes are not a whole pcap file (a cut record, a bad header)."""
    if data is None or len(data) < 24:
        return None
    magic = struct.unpack("<I", data[:4])[0]
    if magic in (0xA1B2C3D4, 0xA1B23C4D):
        e = "<"
    elif struct.unpack(">I", data[:4])[0] in (0xA1B2C3D4, 0xA1B23C4D):
        e, magic = ">", struct.unpack(">I", data[:4])[0]
    else:
        return None
    nano = magic == 0xA1B23C4D
    out, pos = [], 24
    while pos < len(data):
        if pos + 16 > len(data):
            return None
        sec, frac, caplen, orig = struct.unpack(e + "IIII", data[pos:pos + 16])
        if pos + 16 + caplen > len(data):
            return None
        out.append((sec * 1_000_000_000 + (frac if nano else frac * 1000), orig, data[pos + 16:pos + 16 + caplen]))
        pos += 16 + caplen
    return out


def is_final(name):
    return not (name.endswith(".pending") or name.endswith(".failed") or ".pipecmd-failed" in name or
                name.endswith(".tmp") or name.startswith("."))


def temporaries(root):
    """Temporary files left anywhere under root (outputs, state, spool)."""
    found = []
    for dirpath, _, files in os.walk(root):
        for n in files:
            if n.endswith(".pending") or n.rsplit(".", 1)[-1].startswith("tmp"):
                found.append(os.path.join(dirpath, n))
    return found


# ---- the scenario -------------------------------------------------------------------------

class Scenario:
    """One mode and encoder over the campaign's input, in its own folder."""

    def __init__(self, pushcap, mode, encoder, work, src, expected):
        self.pushcap, self.mode, self.encoder = pushcap, mode, encoder
        self.work, self.src, self.expected = work, src, expected
        self.out = os.path.join(work, "out")
        self.state = os.path.join(work, "state")
        self.logs = os.path.join(work, "log")
        self.store = os.path.join(work, "store")
        self.ring = os.path.join(work, "ring")

    def reset(self):
        for d in (self.out, self.state, self.logs):
            shutil.rmtree(d, ignore_errors=True)
        os.makedirs(self.out)
        os.makedirs(self.state)
        os.makedirs(self.logs)
        if self.mode == "store" and not os.path.isdir(self.store):
            subprocess.run([self.pushcap, "import", "--store", self.store, "--name", "cap", "--segment-size", "1M",
                            self.src], check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        if self.mode == "follow" and not os.path.isdir(self.ring):
            os.makedirs(self.ring)
            shutil.copy(self.src, os.path.join(self.ring, "cap1.pcap"))

    def encoder_fields(self):
        return {"plain": "", "gzip": ', Compress = "gzip"', "zstd": ', Compress = "zstd"', "lz4": ', Compress = "lz4"',
                "pipecmd": ', PipeCmd = "gzip -c -1"'}[self.encoder]

    def command(self):
        if self.mode == "split":
            enc = {"plain": [], "gzip": ["--compress", "gzip"], "zstd": ["--compress", "zstd"],
                   "lz4": ["--compress", "lz4"], "pipecmd": ["--pipe-cmd", "gzip -c -1"]}[self.encoder]
            return [self.pushcap, "split", "--split-time", "5e8", "-o", self.out + "/all_", "--log-dir", self.logs,
                    "--no-progress"] + enc + [self.src]
        cfg = os.path.join(self.work, "push.lua")
        with open(cfg, "w") as f:
            f.write("local Config = {}\nConfig.Target = {}\nConfig.FollowStart = true\n"
                    f'table.insert(Config.Target, {{ Desc = "all", Path = "{self.out}/all_", '
                    f'Split = "--split-time 5e8"{self.encoder_fields()} }})\n'
                    f'table.insert(Config.Target, {{ Desc = "udp", Path = "{self.out}/udp_", '
                    f'Split = "--split-packet 3000", FilterBPF = "udp" }})\n'
                    "return Config\n")
        base = [self.pushcap, "run", "--config", cfg, "--log-dir", self.logs]
        if self.mode == "offline":
            return base + ["--offline", self.src, "--no-progress"]
        if self.mode == "offline-state":
            return base + ["--offline", self.src, "--state-dir", self.state, "--no-progress"]
        if self.mode == "store":
            return base + ["--store", self.store, "--state-dir", self.state]
        return base + ["--follow", self.ring, "--quiet-period", "0.5", "--state-dir", self.state]

    def targets(self):
        """(file prefix, name in the summary) of each target."""
        return [("all", "split")] if self.mode == "split" else [("all", "all"), ("udp", "udp")]

    # A realtime push never ends by itself: it is stopped once every target's counters stand
    # still for three status updates (it has read what there is), or when it ended on its own.
    def run(self, prefix=(), deadline=120, kill_after=None):
        """Runs the command (under `prefix`, e.g. strace); returns (exit status, stderr, seconds)."""
        started = time.monotonic()
        err_path = os.path.join(self.work, "stderr.txt")
        with open(err_path, "w") as err:
            p = subprocess.Popen(list(prefix) + self.command(), stdout=subprocess.DEVNULL, stderr=err,
                                 start_new_session=True)
            status = self.wait(p, started, deadline, kill_after)
        with open(err_path) as f:
            return status, f.read(), time.monotonic() - started

    def wait(self, p, started, deadline, kill_after):
        last, still = None, 0
        while p.poll() is None:
            now = time.monotonic()
            if kill_after is not None and now - started >= kill_after:
                os.killpg(p.pid, signal.SIGKILL)
                return p.wait()
            if now - started > deadline:
                os.killpg(p.pid, signal.SIGKILL)
                p.wait()
                return "hung"
            if self.mode in REALTIME and kill_after is None:
                seen = self.status_counts()
                if seen is not None and seen == last:
                    still += 1
                    if still >= 3:
                        self.stop(p)
                        return p.wait()
                else:
                    still = 0
                last = seen
                time.sleep(1.0)
            else:
                time.sleep(0.02)
        return p.returncode

    def stop(self, p):
        # SIGTERM to pushcap itself: under strace the child is the one to stop.
        kids = subprocess.run(["pgrep", "-P", str(p.pid)], stdout=subprocess.PIPE, text=True).stdout.split()
        os.kill(int(kids[0]) if kids and "strace" in self.proc_name(p.pid) else p.pid, signal.SIGTERM)

    @staticmethod
    def proc_name(pid):
        try:
            with open(f"/proc/{pid}/comm") as f:
                return f.read().strip()
        except OSError:
            return ""

    def status_counts(self):
        try:
            with open(os.path.join(self.state, "status.json")) as f:
                doc = json.load(f)
        except (OSError, ValueError):
            return None
        return tuple((t.get("TotalPkt"), t.get("Filtered"), t.get("ResumeSkipped"), json.dumps(t.get("Dropped")),
                      t.get("Splits"), t.get("IsUp")) for t in doc.get("targets", []))

    # ---- checks ----
    def inspect(self, stderr_texts):
        """Figures of what is in the output now."""
        fig = collections.Counter()
        for t, desc in self.targets():
            want = self.expected[t]
            got = collections.Counter()
            for path in sorted(glob.glob(os.path.join(self.out, t + "_*"))):
                if not is_final(os.path.basename(path)):
                    continue
                recs = packets_of(decode(path))
                if recs is None or any(r not in want for r in recs):
                    fig["partial"] += 1
                    continue
                got.update(recs)
            fig["expected"] += sum(want.values())
            fig["published"] += sum(got.values())
            fig["duplicated"] += sum((got - want).values())
            missing = sum((want - got).values())
            last = stderr_texts[-1] if stderr_texts else ""
            # A run that could not start (its logs cannot be opened) says so and writes nothing.
            refused = "pushcap: read " not in last and last.startswith("pushcap: ")
            said = missing if refused else not_written(last, desc)
            fig["missing"] += missing
            fig["said"] += min(said, missing)
            fig["lost"] += max(0, missing - said)
        # A temporary file the last run named (a split it could not even rename to .failed, said
        # as "kept as NAME.pending") is accounted for; any other is an orphan.
        said_text = stderr_texts[-1] if stderr_texts else ""
        fig["orphans"] = sum(1 for p in temporaries(self.out) + temporaries(self.state) if p not in said_text)
        return fig


def not_written(stderr, target):
    m = re.search(rf"target '{re.escape(target)}': \d+ files, \d+ packets, \d+ bytes written; \d+ filtered out; "
                  r"(\d+) not written", stderr)
    return int(m.group(1)) if m else 0


# ---- faults -------------------------------------------------------------------------------

def learn(sc):
    """A clean run under strace: the files it touched under its folder, and how many calls of
    each data-path syscall touched them."""
    sc.reset()
    trace = os.path.join(sc.work, "learn.trace")
    sc.run(["strace", "-f", "-qq", "-o", trace, "-e", "trace=%file,write,pwrite64,fsync,fdatasync,close", "-y"])
    paths = set()
    with open(trace) as f:
        text = f.read()
    for m in re.finditer(r'"(' + re.escape(sc.work) + r'/[^"]*)"|<(' + re.escape(sc.work) + r'/[^>]*)>', text):
        p = m.group(1) or m.group(2)
        if any(p == d or p.startswith(d + "/") for d in (sc.out, sc.state, sc.logs)):
            paths.add(p)
    counts = collections.Counter()
    sc.reset()
    trace2 = os.path.join(sc.work, "count.trace")
    args = ["strace", "-f", "-qq", "-o", trace2, "-e", "trace=" + ",".join(SYSCALLS)]
    for p in sorted(paths):
        args += ["-P", p]
    sc.run(args)
    with open(trace2) as f:
        for line in f:
            m = re.match(r"\d+\s+(\w+)\(", line)
            if m:
                counts[m.group(1)] += 1
    return sorted(paths), counts


def lock_close(line, out):
    """True for the close of a split's lock descriptor, after its rename (sink/pending_file.h):
    the data was synced and its own descriptor closed, checked, before; nothing is at stake."""
    m = re.search(r"close\(\d+<([^>]*)>\)", line)
    return bool(m) and m.group(1).startswith(out + "/") and not m.group(1).endswith(".pending")


def syscall_run(sc, paths, counts, rng, fault=None):
    """One run with one syscall fault (random, or `fault` = "SYSCALL:ERRNO:N[+]"); then the
    recovery for stateful modes."""
    calls = [s for s in SYSCALLS if counts[s] > 0]
    syscall = rng.choice(calls)
    n = rng.randint(1, counts[syscall])
    err = rng.choice(ERRNOS)
    from_n = rng.random() < 0.5
    if fault:
        syscall, err, when = fault.split(":")
        from_n, n = when.endswith("+"), int(when.rstrip("+"))
    sc.reset()
    trace = os.path.join(sc.work, "fault.trace")
    args = ["strace", "-f", "-qq", "-y", "-o", trace, "-e", "trace=" + syscall, "-e",
            f"inject={syscall}:error={err}:when={n}{'+' if from_n else ''}"]
    for p in paths:
        args += ["-P", p]
    status, stderr, _ = sc.run(args)
    with open(os.path.join(sc.work, "repro.sh"), "w") as f:  # kept with --keep, to replay one run
        f.write(" ".join(f"'{a}'" for a in args + sc.command()) + "\n")
    with open(trace) as f:
        injected = sum(1 for line in f if "(INJECTED)" in line and not lock_close(line, sc.out))
    statuses = [status]
    texts = [stderr]
    recover = 0.0
    if sc.mode in STATEFUL:
        s2, e2, recover = sc.run()
        statuses.append(s2)
        texts.append(e2)
    fig = sc.inspect(texts)
    fig["runs"] += 1
    fig["faults"] += 1 if injected else 0
    silent = injected > 0 and statuses[0] == 0 and "warning" not in stderr and "error" not in stderr
    fig["silent"] += 1 if silent else 0
    fig["hung"] += sum(1 for s in statuses if s == "hung")
    what = f"{syscall}:{err}:when={n}{'+' if from_n else ''}"
    return fig, statuses, recover, what


def kill_runs(sc, kills, rng):
    """SIGKILL at random moments until `kills` kills landed, restarting each time; then a clean
    run to the end (stateful modes) and the checks."""
    sc.reset()
    _, _, clean_seconds = sc.run()
    sc.reset()
    landed, statuses = 0, []
    while landed < kills:
        # Within the time a clean run takes, so that most kills land while it works.
        status, _, _ = sc.run(kill_after=rng.uniform(0.005, max(0.01, clean_seconds * 0.9)))
        statuses.append(status)
        if status == -signal.SIGKILL:
            landed += 1
        if sc.mode not in STATEFUL:
            sc.reset()  # without state every run starts afresh: each is checked on its own below
    status, stderr, recover = sc.run()
    statuses.append(status)
    fig = sc.inspect([stderr])
    fig["runs"] += len(statuses)
    fig["faults"] += landed
    fig["hung"] += sum(1 for s in statuses if s == "hung")
    return fig, statuses, recover


# ---- the campaign -------------------------------------------------------------------------

def expected_sets(src, work):
    def of(path):
        with open(path, "rb") as f:
            return collections.Counter(packets_of(f.read()))
    udp = os.path.join(work, "udp.pcap")
    subprocess.run(["tcpdump", "-r", src, "-w", udp, "udp"], check=True, stderr=subprocess.DEVNULL)
    return {"all": of(src), "udp": of(udp)}


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--pushcap", required=True)
    ap.add_argument("--runs", type=int, default=60, help="syscall-fault runs in all")
    ap.add_argument("--kills", type=int, default=100, help="SIGKILLs in all (over the stateful scenarios)")
    ap.add_argument("--seed", type=int, default=int(time.time()))
    ap.add_argument("--packets", type=int, default=20000)
    ap.add_argument("--modes", default=",".join(MODES))
    ap.add_argument("--encoders", default=",".join(ENCODERS))
    ap.add_argument("--markdown", action="store_true", help="print the table row for docs/RELIABILITY.md")
    ap.add_argument("--keep", action="store_true", help="keep the work folder (each scenario's last repro.sh)")
    ap.add_argument("--fault", help="replay one fault in every run: SYSCALL:ERRNO:N or SYSCALL:ERRNO:N+")
    args = ap.parse_args()
    rng = random.Random(args.seed)
    root = tempfile.mkdtemp(prefix="pushcap-faults-")
    try:
        src = os.path.join(root, "in.pcap")
        subprocess.run([sys.executable, GEN, src, "--packets", str(args.packets), "--gap-ns", "100000", "--seed",
                        str(args.seed % 1000 + 1)], check=True, stderr=subprocess.DEVNULL)
        expected = expected_sets(src, root)
        modes = args.modes.split(",")
        encoders = args.encoders.split(",")
        scenarios = [(m, e) for m in modes for e in encoders]
        total = collections.Counter()
        exits = collections.Counter()
        recover = []
        rows = []
        learned = {}
        for i in range(args.runs):
            mode, enc = scenarios[i % len(scenarios)]
            work = os.path.join(root, f"{mode}-{enc}")
            os.makedirs(work, exist_ok=True)
            sc = Scenario(args.pushcap, mode, enc, work, src, expected)
            if (mode, enc) not in learned:
                learned[(mode, enc)] = learn(sc)
            paths, counts = learned[(mode, enc)]
            fig, statuses, rec, what = syscall_run(sc, paths, counts, rng, args.fault)
            total.update(fig)
            exits.update(str(s) for s in statuses)
            if mode in STATEFUL:
                recover.append(rec)
            bad = fig["lost"] or fig["duplicated"] or fig["partial"] or fig["orphans"] or fig["silent"] or fig["hung"]
            rows.append(f"{'FAIL' if bad else 'ok  '} {mode:14} {enc:8} {what:34} exit {statuses} "
                        f"published {fig['published']}/{fig['expected']} said {fig['said']} lost {fig['lost']} "
                        f"dup {fig['duplicated']} partial {fig['partial']} orphans {fig['orphans']}")
            print(rows[-1], flush=True)
        stateful = [(m, e) for m, e in scenarios if m in STATEFUL]
        if stateful and args.kills > 0:
            per = max(1, args.kills // len(stateful))
            for mode, enc in stateful:
                work = os.path.join(root, f"{mode}-{enc}")
                os.makedirs(work, exist_ok=True)
                sc = Scenario(args.pushcap, mode, enc, work, src, expected)
                fig, statuses, rec = kill_runs(sc, per, rng)
                total.update(fig)
                exits.update(str(s) for s in statuses)
                recover.append(rec)
                bad = fig["lost"] or fig["duplicated"] or fig["partial"] or fig["orphans"] or fig["hung"]
                print(f"{'FAIL' if bad else 'ok  '} {mode:14} {enc:8} {per} x SIGKILL{'':20} "
                      f"published {fig['published']}/{fig['expected']} lost {fig['lost']} dup {fig['duplicated']} "
                      f"partial {fig['partial']} orphans {fig['orphans']}", flush=True)
        commit = subprocess.run(["git", "-C", HERE, "rev-parse", "--short", "HEAD"], stdout=subprocess.PIPE,
                                text=True).stdout.strip()
        summary = {
            "date": time.strftime("%Y-%m-%d"), "commit": commit, "seed": args.seed, "runs": total["runs"],
            "faults": total["faults"], "packets_in": total["expected"], "published": total["published"],
            "not_written_said": total["said"], "lost": total["lost"], "duplicated": total["duplicated"],
            "partial": total["partial"], "orphans": total["orphans"], "silent": total["silent"],
            "hung": total["hung"], "exits": dict(exits),
            "recover_s_max": round(max(recover), 2) if recover else 0.0,
        }
        print(json.dumps(summary))
        if args.markdown:
            ex = " ".join(f"{k}:{v}" for k, v in sorted(exits.items()))
            print(f"| {summary['date']} | {commit} | {summary['runs']} | {summary['faults']} | {summary['packets_in']} "
                  f"| {summary['published']} | {summary['not_written_said']} | {summary['lost']} "
                  f"| {summary['duplicated']} | {summary['partial']} | {summary['orphans']} | {summary['silent']} "
                  f"| {ex} | {summary['recover_s_max']} |")
        failed = any(summary[k] for k in ("lost", "duplicated", "partial", "orphans", "silent", "hung"))
        return 1 if failed else 0
    finally:
        if args.keep:
            print(f"kept {root}")
        else:
            shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())

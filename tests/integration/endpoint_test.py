"""RCLONE targets against real servers on 127.0.0.1: rclone serve sftp, OpenSSH
sshd, s3rver, vsftpd, rclone serve webdav. For each: every split arrives under its final name
with the bytes (MD5) of the same split written locally by a File target, and no temporary
name or spool entry is left. The oracle for the splits themselves is tcpdump."""
import hashlib
import os
import subprocess

from harness import REAL, TempDirTest, run, tcpdump_count
import servers

CAPTURE = os.path.join(REAL, "jc_ok.pcap")  # 851 packets over 12 seconds: 12 one-second splits


def read(path, mode="r"):
    with open(path, mode) as f:
        return f.read()


def md5(data):
    return hashlib.md5(data).hexdigest()


class Upload(TempDirTest):
    """Runs one RCLONE target and the same target as a local File target, and compares."""

    def config(self, server, extra="", split="--split-time 1e9", path="up/all"):
        conf = self.path("rclone.conf")
        with open(conf, "w") as f:
            f.write(server.remote("ep"))
        return self.write_config(
            f'return {{ RcloneConfig = "{conf}", SpoolDir = "{self.path("spool")}", RetryMaxDelay = 1,\n'
            f'  RcloneTimeout = 3, Target = {{ {{ Desc = "up", Mode = "RCLONE", Path = "ep:{server.path}{path}",\n'
            f'  Split = "{split}" {extra} }} }} }}\n', "up.lua")

    def local_splits(self, extra="", split="--split-time 1e9", capture=CAPTURE):
        out = self.path("local") + "/"
        cfg = self.write_config(
            f'return {{ Target = {{ {{ Desc = "loc", Path = "{out}all", Split = "{split}" {extra} }} }} }}\n', "loc.lua")
        run(["run", "--config", cfg, "--log-dir", self.path("loclog"), "--offline", capture], check=0)
        return {n: read(out + n, "rb") for n in os.listdir(out)}

    def push(self, server, extra="", check=0, capture=CAPTURE, **kw):
        return run(["run", "--config", self.config(server, extra), "--log-dir", self.path("log"), "--offline", capture],
                   check=check, **kw)

    def assert_arrived_once(self, server, expected, prefix="up/"):
        got = server.files()
        partial = [n for n in got if n.endswith(".partial")]
        self.assertEqual(partial, [], "no temporary name is left")
        uploaded = {n[len(prefix):]: b for n, b in got.items() if n.startswith(prefix)}
        self.assertEqual(sorted(uploaded), sorted(expected), "every split under its final name, exactly once")
        for name, data in expected.items():
            self.assertEqual(md5(uploaded[name]), md5(data), name)
        spool = self.path("spool", "up")
        self.assertEqual(sorted(os.listdir(spool)), [".lock"], "the spool is empty after the uploads")
        return uploaded


class Endpoints(Upload):
    def check_endpoint(self, server, prefix=None, **kw):
        expected = self.local_splits()
        self.assertEqual(len(expected), 12)
        server.start()
        try:
            p = self.push(server, **kw)
            uploaded = self.assert_arrived_once(server, expected, prefix or "up/")
        finally:
            server.stop()
        self.assertIn("uploads: 12 done, 0 failed attempts retried, 0 still in the spool", p.stderr)
        # The splits themselves, by tcpdump: every packet of the input, once.
        total = 0
        for name, data in uploaded.items():
            f = self.path("check.pcap")
            with open(f, "wb") as out:
                out.write(data)
            total += tcpdump_count(f)
        self.assertEqual(total, tcpdump_count(CAPTURE))
        log = read(self.path("log", "push_up.cur"))
        self.assertIn("size checked, hash by rclone where the backend has one", log)
        return log

    def test_rclone_serve_sftp(self):
        self.check_endpoint(servers.RcloneSftp(self.path("srv")))

    def test_openssh_sshd(self):
        self.check_endpoint(servers.Sshd(self.path("srv")))

    def test_s3rver(self):
        # rclone 1.60 fails every S3 call while AWS_CA_BUNDLE is set: pushcap removes it.
        env = dict(os.environ, AWS_CA_BUNDLE="/etc/ssl/certs/ca-certificates.crt")
        self.check_endpoint(servers.S3rver(self.path("srv")), env=env)

    def test_vsftpd(self):
        self.check_endpoint(servers.Vsftpd(self.path("srv")))

    def test_rclone_serve_webdav(self):
        self.check_endpoint(servers.RcloneWebdav(self.path("srv")))

    def test_streaming_mode_and_compression(self):
        # Upload = "stream": rclone rcat to the temporary name as the split is written, then moved.
        expected = {n + ".zst": d for n, d in self.local_splits().items()}
        server = servers.RcloneSftp(self.path("srv")).start()
        try:
            p = self.push(server, ', Upload = "stream", Compress = "zstd"')
            got = server.files()
        finally:
            server.stop()
        self.assertIn("uploads: 12 done", p.stderr)
        self.assertEqual([n for n in got if n.endswith(".partial")], [])
        self.assertEqual(sorted(n[3:] for n in got), sorted(expected))
        for name, data in expected.items():
            plain = subprocess.run(["zstd", "-d", "-c"], input=got["up/" + name], capture_output=True, check=True).stdout
            self.assertEqual(md5(plain), md5(data), name)
        self.assertFalse(os.path.exists(self.path("spool")), "streaming keeps no local copy")

    def test_scripts_run_after_the_upload(self):
        # Close script: the ten arguments with the remote name; Post: the local spooled copy,
        # still there when it runs, with PUSHCAP_* metadata.
        record = self.path("scripts.txt")
        server = servers.RcloneSftp(self.path("srv")).start()
        try:
            self.push(server, f', ScriptClose = "echo close >> {record}; echo", '
                              f'Post = "sh -c \'echo post $0 $(stat -c %s $0) $PUSHCAP_REMOTE $PUSHCAP_PACKETS >> {record}\'"')
        finally:
            server.stop()
        lines = read(record).split("\n")
        posts = [line.split() for line in lines if line.startswith("post ")]
        self.assertEqual(len(posts), 12)
        for _, path, size, remote, packets in posts:
            self.assertTrue(path.startswith(self.path("spool", "up")), path)
            self.assertTrue(remote.startswith("ep:up/all_"), remote)
            data = server.files()["up/" + remote[len("ep:up/"):]]
            self.assertEqual(int(size), len(data))
        log = read(self.path("log", "push_up.cur"))
        closes = [line.split("Script [", 1)[1] for line in log.splitlines() if "Script [echo close" in line]
        self.assertEqual(len(closes), 12)
        args = closes[0].rstrip("]").split()[-10:]
        self.assertTrue(args[0].startswith("ep:up/all_"))
        self.assertEqual(len(args), 10)


if __name__ == "__main__":
    import unittest
    unittest.main()

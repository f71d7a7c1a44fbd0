"""Upload faults (endpoint killed, stopped with SIGSTOP, or slowed) against rclone serve sftp on 127.0.0.1:
the endpoint down at start and started later, killed mid-upload and restarted, hung
(SIGSTOP), refusing writes (read-only), pushcap's own rclone daemon hung (SIGSTOP: pushcap's
deadline kills it) or killed, pushcap interrupted (SIGINT) during an upload, and pushcap
itself killed with SIGKILL during an upload; each run again. In every case every split arrives
exactly once, complete (the MD5 of the same split written by a local File target), and no
temporary name or spool entry is left. A bad RcloneFlags entry ends the run with an error
naming it and keeps the spooled splits."""
import os
import re
import signal
import subprocess
import time

from endpoint_test import Upload, read
from harness import PUSHCAP, generate
import servers

# Uploads limited to 400 kB/s so a fault can be injected while one is in flight.
SLOW = ', RcloneFlags = "--bwlimit 400k"'


class UploadFaults(Upload):
    def setUp(self):
        super().setUp()
        self.capture = self.path("in.pcap")
        # ~3 MB over ~7 s: seven or eight one-second splits of ~400 kB.
        generate(self.capture, "--bytes", "3e6", "--gap-ns", "500000")
        self.expected = self.local_splits(capture=self.capture)
        self.assertGreaterEqual(len(self.expected), 6)

    def start_push(self, server, extra=""):
        cmd = [PUSHCAP, "run", "--config", self.config(server, extra), "--log-dir", self.path("log"), "--offline",
               self.capture, "--no-progress"]
        self.proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        return self.proc

    def tearDown(self):
        if getattr(self, "proc", None) and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()
        super().tearDown()

    def log(self):
        p = self.path("log", "push_up.cur")
        return read(p) if os.path.exists(p) else ""

    def wait_for(self, what, predicate, seconds=60):
        end = time.time() + seconds
        while time.time() < end:
            if predicate():
                return
            time.sleep(0.05)
        raise AssertionError(f"timed out waiting for {what}; target log:\n{self.log()}")

    def uploading(self, server):
        return lambda: any(n.endswith(".partial") for n in server.files())

    def finish(self, seconds=180):
        out, err = self.proc.communicate(timeout=seconds)
        self.assertEqual(self.proc.returncode, 0, err)
        return err

    def test_endpoint_down_at_start_and_started_later(self):
        # A spool smaller than the capture: the reader waits for room and says so.
        server = servers.RcloneSftp(self.path("srv"))
        self.start_push(server, ', SpoolLimit = "900K"')
        self.wait_for("two failed attempts", lambda: self.log().count("upload failed") >= 2)
        self.wait_for("a full spool", lambda: "is full" in self.log())
        server.start()
        try:
            err = self.finish()
            self.assert_arrived_once(server, self.expected)
        finally:
            server.stop()
        log = self.log()
        # The failing step, rclone's status and its error text.
        self.assertRegex(log, r"rclone stat ep:up/all_\S+ failed \(HTTP status 500\): .*connection refused")
        self.assertIn("reading waits until uploads make room", log)
        self.assertIn("the reader waited", err)

    def test_endpoint_killed_mid_upload_and_restarted(self):
        server = servers.RcloneSftp(self.path("srv")).start()
        try:
            self.start_push(server, SLOW)
            self.wait_for("an upload in flight", self.uploading(server))
            server.stop()
            time.sleep(2)
            server.start()
            self.finish()
            self.assert_arrived_once(server, self.expected)
        finally:
            server.stop()
        self.assertIn("upload failed", self.log())

    def test_endpoint_hung_then_resumed(self):
        # RcloneTimeout 3 s: rclone's own timeout or pushcap's deadline (10 s) ends the attempt.
        server = servers.RcloneSftp(self.path("srv")).start()
        try:
            self.start_push(server, SLOW)
            self.wait_for("an upload in flight", self.uploading(server))
            server.signal(signal.SIGSTOP)
            self.wait_for("a failed attempt while hung", lambda: "upload failed" in self.log(), 60)
            time.sleep(1)
            server.signal(signal.SIGCONT)
            self.finish()
            self.assert_arrived_once(server, self.expected)
        finally:
            server.stop()

    def test_remote_refuses_writes_then_accepts(self):
        server = servers.RcloneSftp(self.path("srv"), read_only=True).start()
        try:
            self.start_push(server)
            self.wait_for("refused writes", lambda: self.log().count("upload failed") >= 2)
            self.assertRegex(self.log(), r"rclone copyfile \S+ to ep:up/\.all_\S+\.partial failed .*Read only file system")
            server.stop()
            server.read_only = False
            server.start()
            self.finish()
            self.assert_arrived_once(server, self.expected)
        finally:
            server.stop()

    def rclone_daemon_pid(self):
        pids = re.findall(r"rclone rcd \(pid (\d+)\) serves", self.log())
        return int(pids[-1]) if pids else None

    def test_rclone_daemon_hung_is_killed_by_the_deadline(self):
        # RcloneTimeout 3 s: a call's deadline is max(10 s, 2 x 3 s) plus 1 s per MiB moved.
        server = servers.RcloneSftp(self.path("srv")).start()
        try:
            self.start_push(server, SLOW + ", RcloneTimeout = 3")
            self.wait_for("an upload in flight", self.uploading(server))
            hung = self.rclone_daemon_pid()
            os.kill(hung, signal.SIGSTOP)
            self.wait_for("the hung daemon killed", lambda: f"killing rclone rcd (pid {hung})" in self.log(), 60)
            self.finish()
            self.assert_arrived_once(server, self.expected)
        finally:
            server.stop()
        self.assertIn("did not end within its", self.log())
        self.assertNotEqual(self.rclone_daemon_pid(), hung, "a new daemon served the retries")

    def test_rclone_daemon_killed_is_started_again(self):
        server = servers.RcloneSftp(self.path("srv")).start()
        try:
            self.start_push(server, SLOW)
            self.wait_for("an upload in flight", self.uploading(server))
            killed = self.rclone_daemon_pid()
            os.kill(killed, signal.SIGKILL)
            self.finish()
            self.assert_arrived_once(server, self.expected)
        finally:
            server.stop()
        self.assertIn("upload failed", self.log())
        self.assertNotEqual(self.rclone_daemon_pid(), killed)

    def test_bad_rclone_flag_ends_the_run_and_keeps_the_spool(self):
        server = servers.RcloneSftp(self.path("srv")).start()
        try:
            self.start_push(server, ', RcloneFlags = "--no-such-flag"')
            out, err = self.proc.communicate(timeout=60)
            self.assertNotEqual(self.proc.returncode, 0)
            self.assertIn("rclone rcd did not start (exit status 1)", err)
            self.assertIn("unknown flag: --no-such-flag", err)
            self.assertEqual(server.files(), {})
        finally:
            server.stop()
        # Whatever was complete before the target stopped waits in the spool for the next run.
        spooled = [n for n in os.listdir(self.path("spool", "up")) if n.endswith(".json")]
        self.assertTrue(spooled)
        self.assertIn("uploads abandoned: rclone cannot start", self.log())

    def test_interrupt_during_upload_ends_at_once_and_the_spool_resumes(self):
        server = servers.RcloneSftp(self.path("srv")).start()
        try:
            self.start_push(server, SLOW)
            self.wait_for("an upload in flight", self.uploading(server))
            t0 = time.time()
            self.proc.send_signal(signal.SIGINT)
            self.proc.communicate(timeout=60)
            # The step in flight is cut (its daemon killed), not left to its deadline (10 s + 1 s/MiB).
            self.assertLess(time.time() - t0, 5)
            self.assertEqual(self.proc.returncode, 128 + signal.SIGINT)
            self.assertTrue([n for n in os.listdir(self.path("spool", "up")) if n.endswith(".json")])
            self.start_push(server)
            self.finish()
            self.assert_arrived_once(server, self.expected)
        finally:
            server.stop()

    def test_pushcap_killed_during_upload_and_run_again(self):
        server = servers.RcloneSftp(self.path("srv")).start()
        try:
            self.start_push(server, SLOW)
            self.wait_for("one split uploaded and the next in flight",
                          lambda: any(n.endswith(".pcap") for n in server.files()) and self.uploading(server)())
            self.proc.send_signal(signal.SIGKILL)
            self.proc.wait()
            left = [n for n in os.listdir(self.path("spool", "up")) if n.endswith(".json")]
            self.assertTrue(left, "complete splits wait in the spool")
            # The same run again: the spool is taken up first, the re-made splits that are already
            # on the remote are recognised by their content and not uploaded twice.
            self.start_push(server)
            self.finish()
            self.assert_arrived_once(server, self.expected)
        finally:
            server.stop()
        self.assertIn("left in the spool", self.log())
        self.assertIn("already on the remote with the same content", self.log())


if __name__ == "__main__":
    import unittest
    unittest.main()

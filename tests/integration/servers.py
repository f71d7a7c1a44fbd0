"""Real endpoint servers for the upload tests, each started on 127.0.0.1 by the test itself and
stopped by PID: rclone serve sftp / webdav, OpenSSH sshd, s3rver (npm), vsftpd.
Each server knows the rclone config section that reaches it and where its files land."""
import os
import signal
import socket
import subprocess
import time

HERE = os.path.dirname(os.path.abspath(__file__))
S3RVER = os.environ.get("PUSHCAP_S3RVER",
                        os.path.join(HERE, "../../build/test-servers/node_modules/.bin/s3rver"))


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def obscure(password):
    return subprocess.run(["rclone", "obscure", password], capture_output=True, text=True, check=True).stdout.strip()


def wait_port(port, seconds=20):
    end = time.time() + seconds
    while time.time() < end:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.05)
    raise AssertionError(f"no server came up on 127.0.0.1:{port}")


class Server:
    """A server process in its own process group, so stop() and kill() reach every child."""
    name = "server"

    def __init__(self, root):
        self.root = root
        self.port = free_port()
        self.proc = None
        self.log = os.path.join(root, f"{self.name}.log")
        os.makedirs(root, exist_ok=True)

    def command(self):
        raise NotImplementedError

    def start(self):
        with open(self.log, "ab") as log:
            self.proc = subprocess.Popen(self.command(), stdout=log, stderr=subprocess.STDOUT,
                                         stdin=subprocess.DEVNULL, start_new_session=True)
        wait_port(self.port)
        return self

    def signal(self, sig):
        os.killpg(self.proc.pid, sig)

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.signal(signal.SIGCONT)
            self.signal(signal.SIGKILL)
            self.proc.wait()
        self.proc = None

    def files(self):
        """{relative path: bytes} of what the server stored."""
        out = {}
        for d, _, names in os.walk(self.data):
            for n in names:
                p = os.path.join(d, n)
                try:
                    with open(p, "rb") as f:
                        out[os.path.relpath(p, self.data)] = f.read()
                except FileNotFoundError:
                    pass  # renamed by the server while this looked (a temporary name being moved)
        return out


class RcloneSftp(Server):
    name = "rclone-sftp"

    def __init__(self, root, read_only=False):
        super().__init__(root)
        self.data = os.path.join(root, "data")
        os.makedirs(self.data, exist_ok=True)
        self.read_only = read_only

    def command(self):
        return (["rclone", "serve", "sftp", self.data, "--addr", f"127.0.0.1:{self.port}", "--user", "u", "--pass",
                 "p", "--config", "/dev/null"] + (["--read-only"] if self.read_only else []))

    def remote(self, name):
        return f"[{name}]\ntype = sftp\nhost = 127.0.0.1\nport = {self.port}\nuser = u\npass = {obscure('p')}\n"

    path = ""  # remote paths are relative to the served folder


class RcloneWebdav(RcloneSftp):
    name = "rclone-webdav"

    def command(self):
        return ["rclone", "serve", "webdav", self.data, "--addr", f"127.0.0.1:{self.port}", "--user", "u", "--pass",
                "p", "--config", "/dev/null"]

    def remote(self, name):
        return (f"[{name}]\ntype = webdav\nurl = http://127.0.0.1:{self.port}/\nvendor = other\nuser = u\n"
                f"pass = {obscure('p')}\n")


class Sshd(Server):
    name = "sshd"

    def __init__(self, root):
        super().__init__(root)
        self.data = os.path.join(root, "data")
        os.makedirs(self.data, exist_ok=True)
        self.host_key = os.path.join(root, "host_key")
        self.user_key = os.path.join(root, "user_key")
        for key in (self.host_key, self.user_key):
            if not os.path.exists(key):
                subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", key], check=True)
        self.config = os.path.join(root, "sshd_config")
        with open(self.config, "w") as f:
            f.write(f"Port {self.port}\nListenAddress 127.0.0.1\nHostKey {self.host_key}\n"
                    f"AuthorizedKeysFile {self.user_key}.pub\nPasswordAuthentication no\nStrictModes no\n"
                    "PidFile none\nUsePAM no\nSubsystem sftp internal-sftp\n")
        os.makedirs("/run/sshd", exist_ok=True)

    def command(self):
        return ["/usr/sbin/sshd", "-D", "-e", "-f", self.config]

    def remote(self, name):
        return (f"[{name}]\ntype = sftp\nhost = 127.0.0.1\nport = {self.port}\nuser = root\n"
                f"key_file = {self.user_key}\n")

    @property
    def path(self):
        return self.data + "/"


class S3rver(Server):
    name = "s3rver"
    bucket = "pcaps"

    def __init__(self, root):
        super().__init__(root)
        self.data = os.path.join(root, "data")
        os.makedirs(self.data, exist_ok=True)

    def command(self):
        if not os.access(S3RVER, os.X_OK):
            raise AssertionError(f"s3rver is not installed at {S3RVER}: run scripts/install-test-servers.sh")
        return [S3RVER, "-d", self.data, "-a", "127.0.0.1", "-p", str(self.port), "--configure-bucket", self.bucket,
                "--silent"]

    def remote(self, name):
        return (f"[{name}]\ntype = s3\nprovider = Other\naccess_key_id = S3RVER\nsecret_access_key = S3RVER\n"
                f"region = us-east-1\nendpoint = http://127.0.0.1:{self.port}\nforce_path_style = true\n")

    path = bucket + "/"

    def files(self):
        """Objects read back through rclone (s3rver keeps its own layout on disk)."""
        conf = os.path.join(self.root, "read.conf")
        with open(conf, "w") as f:
            f.write(self.remote("s3"))
        # rclone 1.60 fails every S3 call while AWS_CA_BUNDLE is set.
        env = {k: v for k, v in os.environ.items() if k != "AWS_CA_BUNDLE"}
        names = subprocess.run(["rclone", "--config", conf, "lsf", "-R", "--files-only", f"s3:{self.bucket}"],
                               capture_output=True, text=True, check=True, env=env).stdout.split()
        return {n: subprocess.run(["rclone", "--config", conf, "cat", f"s3:{self.bucket}/{n}"], capture_output=True,
                                  check=True, env=env).stdout for n in names}


class Vsftpd(Server):
    name = "vsftpd"

    def __init__(self, root):
        super().__init__(root)
        # vsftpd refuses a writable anon_root: uploads go to a writable folder inside it.
        self.anon_root = os.path.join(root, "ftp")
        self.data = os.path.join(self.anon_root, "pub")
        os.makedirs(self.data, exist_ok=True)
        os.chmod(self.anon_root, 0o555)
        os.chmod(self.data, 0o777)
        os.makedirs("/var/run/vsftpd/empty", exist_ok=True)
        pasv = free_port()
        self.config = os.path.join(root, "vsftpd.conf")
        with open(self.config, "w") as f:
            f.write(f"listen=YES\nlisten_ipv6=NO\nlisten_address=127.0.0.1\nlisten_port={self.port}\nbackground=NO\n"
                    f"anonymous_enable=YES\nlocal_enable=NO\nwrite_enable=YES\nanon_upload_enable=YES\n"
                    f"anon_mkdir_write_enable=YES\nanon_other_write_enable=YES\nanon_umask=022\n"
                    f"anon_root={self.anon_root}\nno_anon_password=YES\npasv_enable=YES\npasv_address=127.0.0.1\n"
                    f"pasv_min_port={pasv}\npasv_max_port={pasv + 20}\nseccomp_sandbox=NO\n"
                    f"secure_chroot_dir=/var/run/vsftpd/empty\nxferlog_enable=NO\nforce_dot_files=YES\n")

    def command(self):
        return ["/usr/sbin/vsftpd", self.config]

    def remote(self, name):
        return (f"[{name}]\ntype = ftp\nhost = 127.0.0.1\nport = {self.port}\nuser = anonymous\n"
                f"pass = {obscure('pushcap@')}\n")

    path = "pub/"

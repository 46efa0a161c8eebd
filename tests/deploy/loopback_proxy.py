"""gunicorn and the shipped nginx config, on loopback, for tests/deploy/test_proxy_slow_clients.py.

The nginx config is deploy/nginx/templates/autograder.conf.template, the file
docker-compose.yml mounts, with only its ${PROXY_...} names filled in (as the
nginx image's envsubst step does at start). It is included in a minimal main
config that keeps pid, logs and temp files in a private directory, so nginx
needs no root and touches nothing of the machine's.
"""

import os
import re
import shutil
import signal
import socket
import ssl
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
NGINX_TEMPLATE = ROOT / "deploy" / "nginx" / "templates" / "autograder.conf.template"
GUNICORN_CONF = ROOT / "scripts" / "gunicorn_conf.py"
SERVER_NAME = "localhost"
PLACEHOLDER = re.compile(r"\$\{(PROXY_[A-Z0-9_]+)\}")
# Start-up on a loaded 2-core machine: Django's import in each gunicorn worker.
START_DEADLINE = 60.0
# When we are root, nginx runs as nobody, as the image runs it as an unprivileged user.
NOBODY = 65534

# What the nginx image's nginx.conf sets around `include conf.d/*.conf`, so a
# directive the template repeats fails here as it would in the container.
MAIN_CONFIG = """\
daemon off;
master_process on;
worker_processes 1;
pid {dir}/nginx.pid;
error_log {dir}/error.log warn;
events {{
    worker_connections 512;
}}
http {{
    access_log off;
    client_body_temp_path {dir}/client_body;
    proxy_temp_path {dir}/proxy;
    fastcgi_temp_path {dir}/fastcgi;
    uwsgi_temp_path {dir}/uwsgi;
    scgi_temp_path {dir}/scgi;
    default_type application/octet-stream;
    sendfile on;
    keepalive_timeout 65;
    include {dir}/autograder.conf;
}}
"""


def template_names() -> set[str]:
    return set(PLACEHOLDER.findall(NGINX_TEMPLATE.read_text()))


def render_template(values: dict[str, str]) -> str:
    text = NGINX_TEMPLATE.read_text()
    missing = template_names() - values.keys()
    assert not missing, f"the template needs {sorted(missing)}"
    return PLACEHOLDER.sub(lambda match: values[match.group(1)], text)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def nginx_binary() -> str:
    found = shutil.which("nginx") or shutil.which("nginx", path="/usr/sbin:/sbin")
    assert found, "nginx is not installed: run `make system-deps` (as root)"
    return found


def _wait_until(ready, process: subprocess.Popen, what: str, log: Path | None = None) -> None:
    deadline = time.monotonic() + START_DEADLINE
    while time.monotonic() < deadline:
        if process.poll() is not None:
            detail = log.read_text(errors="replace") if log and log.exists() else ""
            raise AssertionError(f"{what} exited with {process.returncode} at start\n{detail}")
        if ready():
            return
        time.sleep(0.1)
    raise AssertionError(f"{what} did not come up in {START_DEADLINE:.0f} s")


def _answers(host: str, port: int, context: ssl.SSLContext | None = None) -> bool:
    try:
        status, _, _ = http_get(host, port, "/healthz", timeout=2.0, context=context)
    except OSError:
        return False
    return status == 200


def http_request(host, port, method, path, *, timeout, context=None, headers=None, body=b""):
    """One HTTP/1.1 request on a new connection; (status, headers, body). The timeout bounds every step."""
    deadline = time.monotonic() + timeout
    sock = socket.create_connection((host, port), timeout=timeout)
    try:
        if context is not None:
            sock = context.wrap_socket(sock, server_hostname=SERVER_NAME)
        lines = [f"{method} {path} HTTP/1.1", f"Host: {SERVER_NAME}", "Connection: close"]
        lines += [f"{name}: {value}" for name, value in (headers or {}).items()]
        if body:
            lines.append(f"Content-Length: {len(body)}")
        sock.sendall(("\r\n".join(lines) + "\r\n\r\n").encode() + body)
        received = b""
        while True:
            sock.settimeout(max(deadline - time.monotonic(), 0.001))
            chunk = sock.recv(65536)
            if not chunk:
                break
            received += chunk
    finally:
        sock.close()
    head, _, payload = received.partition(b"\r\n\r\n")
    status_line, *header_lines = head.decode("latin-1").split("\r\n")
    parsed = {}
    for line in header_lines:
        name, _, value = line.partition(":")
        parsed[name.strip().lower()] = value.strip()
    return int(status_line.split()[1]), parsed, payload


def http_get(host, port, path, *, timeout, context=None, headers=None):
    return http_request(host, port, "GET", path, timeout=timeout, context=context, headers=headers)


@dataclass
class LoopbackStack:
    """gunicorn (sync workers) and nginx in front of it, all on 127.0.0.1."""

    workers: int = 2
    directory: Path = field(default_factory=lambda: Path(tempfile.mkdtemp(prefix="proxy-test-")))
    gunicorn_port: int = field(default_factory=free_port)
    http_port: int = field(default_factory=free_port)
    https_port: int = field(default_factory=free_port)
    processes: list = field(default_factory=list)  # (Popen, the signal that stops it quickly)

    @property
    def certificate(self) -> Path:
        return self.directory / "certificate.pem"

    def client_tls(self) -> ssl.SSLContext:
        """A client that verifies the proxy's certificate (made for this test) and its name."""
        return ssl.create_default_context(cafile=str(self.certificate))

    def start(self) -> None:
        self._start_gunicorn()
        self._start_nginx()

    def _start_gunicorn(self) -> None:
        env = {
            **os.environ,
            "HOST": "127.0.0.1",
            "PORT": str(self.gunicorn_port),
            "WEB_CONCURRENCY": str(self.workers),
            "WEB_THREADS": "1",
            "WEB_ACCESS_LOG": "0",
            "DEBUG": "0",
            "SECRET_KEY": "proxy-test-only-secret-key",
            "ALLOWED_HOSTS": SERVER_NAME,
            # The production shape: Django trusts the scheme only because nginx sets it;
            # HSTS is left to its default (a year with DEBUG off).
            "BEHIND_TLS_PROXY": "1",
            "SECURE_SSL_REDIRECT": "1",
        }
        log = self.directory / "gunicorn.log"
        process = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "-c", str(GUNICORN_CONF), "config.wsgi"],
            cwd=ROOT, env=env, stdin=subprocess.DEVNULL, stdout=log.open("wb"), stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        # SIGINT: gunicorn's quick shutdown (SIGTERM would wait for graceful_timeout).
        self.processes.append((process, signal.SIGINT))
        _wait_until(lambda: _answers("127.0.0.1", self.gunicorn_port), process, "gunicorn", log)

    def wait_until_gunicorn_answers(self) -> None:
        process = self.processes[0][0]
        _wait_until(lambda: _answers("127.0.0.1", self.gunicorn_port), process, "gunicorn")

    def _start_nginx(self) -> None:
        key = self.directory / "certificate.key"
        subprocess.run(
            ["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
             "-days", "1", "-subj", f"/CN={SERVER_NAME}", "-addext", f"subjectAltName=DNS:{SERVER_NAME}",
             "-keyout", str(key), "-out", str(self.certificate)],
            check=True, capture_output=True, timeout=60,
        )
        (self.directory / "autograder.conf").write_text(render_template({
            "PROXY_UPSTREAM": f"127.0.0.1:{self.gunicorn_port}",
            "PROXY_SERVER_NAME": SERVER_NAME,
            "PROXY_HTTP_LISTEN": f"127.0.0.1:{self.http_port}",
            "PROXY_HTTPS_LISTEN": f"127.0.0.1:{self.https_port}",
            "PROXY_TLS_CERTIFICATE": str(self.certificate),
            "PROXY_TLS_CERTIFICATE_KEY": str(key),
        }))
        config = self.directory / "nginx.conf"
        config.write_text(MAIN_CONFIG.format(dir=self.directory))
        as_user = {}
        if os.geteuid() == 0:
            for path in [self.directory, *self.directory.iterdir()]:
                os.chown(path, NOBODY, NOBODY)
            as_user = {"user": NOBODY, "group": NOBODY, "extra_groups": []}
        log = self.directory / "error.log"
        process = subprocess.Popen(
            [nginx_binary(), "-p", str(self.directory), "-c", str(config), "-e", str(log)],
            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT,
            start_new_session=True, **as_user,
        )
        # SIGTERM: nginx's fast shutdown.
        self.processes.append((process, signal.SIGTERM))
        _wait_until(lambda: _answers("127.0.0.1", self.http_port), process, "nginx", log)

    def stop(self) -> None:
        """Stop what we started; whatever is left of a process group after 10 s is killed."""
        for process, stop_signal in reversed(self.processes):
            if process.poll() is None:
                process.send_signal(stop_signal)
        for process, _ in reversed(self.processes):
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                pass
            try:
                os.killpg(process.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            process.wait(timeout=10)
        self.processes.clear()
        shutil.rmtree(self.directory, ignore_errors=True)


class SlowClients:
    """Connections that send a request header (or body) a byte at a time and never finish it."""

    HEADER = f"GET /healthz HTTP/1.1\r\nHost: {SERVER_NAME}\r\nX-Slow: ".encode()

    def __init__(self):
        self.sockets = []

    def open(self, count, port, *, context=None, prefix=HEADER, rounds=8, pause=0.05):
        """Connect `count` clients, then send them `rounds` more bytes each, a byte per client per pause."""
        for _ in range(count):
            sock = socket.create_connection(("127.0.0.1", port), timeout=5)
            if context is not None:
                sock = context.wrap_socket(sock, server_hostname=SERVER_NAME)
            self.sockets.append(sock)
        sent = 0
        for index in range(len(prefix)):
            for sock in self.sockets:
                sock.sendall(prefix[index:index + 1])
            sent += 1
            if sent >= len(prefix) - rounds:
                time.sleep(pause)

    def all_held_open(self) -> bool:
        """No client was answered or dropped: each is still waiting, with nothing to read."""
        return all(_still_waiting(sock) for sock in self.sockets)

    def close(self) -> None:
        for sock in self.sockets:
            try:
                sock.close()
            except OSError:
                pass
        self.sockets.clear()


def _still_waiting(sock) -> bool:
    sock.setblocking(False)
    try:
        # TLS: this also reads the session ticket nginx may send after the handshake.
        sock.recv(1)
    except (BlockingIOError, ssl.SSLWantReadError):
        return True
    except OSError:
        return False
    finally:
        sock.settimeout(5)
    return False  # an answer, or the end of the connection

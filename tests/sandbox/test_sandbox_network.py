"""THREATS 2: no network: not the broker, the database, loopback, DNS or a host UNIX socket."""

import json
import socket
import tempfile
from pathlib import Path

from grader.sandbox import Call

NETWORK_PROBE = """
import ctypes, json, socket
def attempt(label, action, report):
    try:
        action()
        report[label] = "connected"
    except BaseException as exc:
        report[label] = type(exc).__name__

def tcp(host, port, family=socket.AF_INET):
    def go():
        s = socket.socket(family, socket.SOCK_STREAM)
        s.settimeout(1)
        s.connect((host, port))
    return go

def unix(path):
    def go():
        s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        s.connect(path)
    return go

def probe(listen_port, listen_port6, unix_path):
    report = {}
    attempt("redis", tcp("127.0.0.1", 6379), report)
    attempt("postgres", tcp("127.0.0.1", 5432), report)
    attempt("listener", tcp("127.0.0.1", listen_port), report)
    attempt("listener6", tcp("::1", listen_port6, socket.AF_INET6), report)
    attempt("pg_unix", unix("/var/run/postgresql/.s.PGSQL.5432"), report)
    attempt("host_unix", unix(unix_path), report)
    attempt("dns", lambda: socket.getaddrinfo("pypi.org", 443), report)
    attempt("udp", lambda: socket.socket(socket.AF_INET, socket.SOCK_DGRAM).sendto(b"x", ("127.0.0.1", 53)), report)
    # Around the socket module: the raw system calls.
    libc = ctypes.CDLL(None, use_errno=True)
    for label, family in (("raw_inet", 2), ("raw_netlink", 16), ("raw_packet", 17), ("raw_unix", 1)):
        fd = libc.syscall(41, family, 1, 0)  # socket(2) on x86_64
        report[label] = "fd" if fd >= 0 else ctypes.get_errno()
    return json.dumps(report)
"""


def test_it_reaches_no_socket_of_any_kind(sandbox):
    with tempfile.TemporaryDirectory() as tmp:
        listener = socket.create_server(("127.0.0.1", 0))
        listener6 = socket.create_server(("::1", 0), family=socket.AF_INET6)
        unix_path = str(Path(tmp) / "host.sock")
        unix_listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        unix_listener.bind(unix_path)
        unix_listener.listen()
        try:
            args = (listener.getsockname()[1], listener6.getsockname()[1], unix_path)
            outcome = sandbox.run(NETWORK_PROBE, calls=[Call(name="probe", function="probe", args=args)])
            report = json.loads(outcome.calls["probe"].value)
            for server in (listener, listener6, unix_listener):
                server.settimeout(0.2)
                try:
                    connection, peer = server.accept()
                except (TimeoutError, socket.timeout):
                    continue
                connection.close()
                raise AssertionError(f"the sandbox connected to {server.getsockname()} from {peer}")
        finally:
            listener.close()
            listener6.close()
            unix_listener.close()
    assert "connected" not in report.values(), report
    # socket(2) itself is refused by seccomp: a Python PermissionError, EPERM underneath.
    for label in ("redis", "postgres", "listener", "listener6", "pg_unix", "host_unix", "udp"):
        assert report[label] == "PermissionError", report
    assert report["dns"] in ("gaierror", "PermissionError"), report
    for label in ("raw_inet", "raw_netlink", "raw_packet", "raw_unix"):
        assert report[label] == 1, report  # EPERM
    sandbox.assert_honest_submission_works()

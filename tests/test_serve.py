"""`involve serve` as it is deployed: a real uvicorn process, its response headers and the log lines it writes."""

import json
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx

from tests.conftest import free_port

ROOT = Path(__file__).resolve().parents[1]


def _raw(port: int, request: bytes) -> bytes:
    """Everything the server sends back on a connection it closes (httpx would hide a body sent to a HEAD)."""
    with socket.create_connection(("127.0.0.1", port), timeout=5) as conn:
        conn.sendall(request)
        received = b""
        while chunk := conn.recv(65536):
            received += chunk
    return received


def test_the_served_api_names_no_server_and_writes_one_json_access_line_a_request(tmp_path):
    port = free_port()
    env = {**os.environ, "INVOLVE_DATABASE_URL": f"sqlite:///{tmp_path / 'serve.db'}", "INVOLVE_ENV": "development",
           "INVOLVE_LOG_LEVEL": "INFO"}
    server = subprocess.Popen([sys.executable, "-m", "api.cli", "serve", "--port", str(port)], cwd=ROOT, env=env,
                              stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        response = None
        for _ in range(150):
            try:
                response = httpx.get(f"http://127.0.0.1:{port}/healthz?email=someone@example.org",
                                     headers={"X-Request-ID": "serve-test-1"}, timeout=1)
                break
            except httpx.TransportError:
                time.sleep(0.1)
        assert response is not None and response.status_code == 200, "the server did not start"
        assert "server" not in response.headers
        assert response.headers["x-request-id"] == "serve-test-1"
        head = _raw(port, b"HEAD /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        assert head.startswith(b"HTTP/1.1 200") and b"content-length: " in head.lower()
        assert head.endswith(b"\r\n\r\n"), head  # the headers of the GET and no body
    finally:
        server.terminate()
        _, stderr = server.communicate(timeout=30)

    lines = [json.loads(line) for line in stderr.decode().splitlines() if line.startswith("{")]
    access = [line for line in lines if line.get("logger") == "api.access"]
    assert [line["method"] for line in access] == ["GET", "HEAD"], stderr.decode()
    line = access[0]
    assert isinstance(line.pop("time"), str) and isinstance(line.pop("duration_ms"), float)
    assert line == {"level": "INFO", "logger": "api.access", "message": "request", "request_id": "serve-test-1",
                    "method": "GET", "path": "/healthz", "status": 200}
    assert "someone@example.org" not in stderr.decode()


def _statuses_from_forwarded_clients(tmp_path, *options: str) -> list[int]:
    """Three requests from 127.0.0.1, each forwarded for another client, under a limit of two a minute per client."""
    port = free_port()
    env = {**os.environ, "INVOLVE_DATABASE_URL": f"sqlite:///{tmp_path / 'proxy.db'}", "INVOLVE_ENV": "development",
           "INVOLVE_RATE_LIMIT_ENABLED": "true", "INVOLVE_RATE_LIMIT_DEFAULT": "2/minute"}
    server = subprocess.Popen([sys.executable, "-m", "api.cli", "serve", "--port", str(port), *options], cwd=ROOT,
                              env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        for _ in range(150):
            try:
                httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1)
                break
            except httpx.TransportError:
                assert server.poll() is None, "the server did not start"
                time.sleep(0.1)
        return [httpx.get(f"http://127.0.0.1:{port}/api/v1/me", headers={"X-Forwarded-For": f"203.0.113.{i}"},
                          timeout=5).status_code for i in range(3)]
    finally:
        server.terminate()
        server.communicate(timeout=30)


def test_serve_is_told_which_proxies_name_the_client(tmp_path):
    # A proxy on this host is trusted by default: each forwarded client has its own allowance
    assert _statuses_from_forwarded_clients(tmp_path) == [401, 401, 401]
    # Trusting only a balancer elsewhere, this host's X-Forwarded-For is not believed: one client, limited
    assert _statuses_from_forwarded_clients(tmp_path, "--forwarded-allow-ips", "10.9.9.9") == [401, 401, 429]

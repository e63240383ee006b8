"""Running the two services as child processes, as `orderflow up` and the tests do."""

import os
import subprocess
import sys
import time
from dataclasses import dataclass
from typing import IO

import httpx

APPS = {
    "client": "client_service.app:create_app",
    "supplier": "supplier_service.app:create_app",
}


@dataclass
class ServiceProcess:
    name: str
    url: str
    process: subprocess.Popen[bytes]
    log: IO[bytes] | None = None

    def stop(self, timeout_s: float = 15) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=timeout_s)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        if self.log is not None:
            self.log.close()


def spawn(
    name: str,
    *,
    host: str,
    port: int,
    env: dict[str, str],
    log_path: str | None = None,
) -> ServiceProcess:
    """Starts one service under uvicorn in its own process."""
    command = [
        sys.executable,
        "-m",
        "uvicorn",
        "--factory",
        APPS[name],
        "--host",
        host,
        "--port",
        str(port),
        "--no-access-log",
        "--timeout-graceful-shutdown",
        "10",
        # Longer than clients keep idle connections (httpx: 5 s), so a client
        # never reuses a connection the server is just closing.
        "--timeout-keep-alive",
        "30",
    ]
    output = open(log_path, "ab") if log_path else None  # noqa: SIM115
    process = subprocess.Popen(
        command, env={**os.environ, **env}, stdout=output, stderr=output
    )
    return ServiceProcess(name, f"http://{host}:{port}", process, output)


def wait_ready(service: ServiceProcess, timeout_s: float = 60) -> None:
    """Blocks until the service answers its readiness check."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if service.process.poll() is not None:
            raise RuntimeError(
                f"{service.name} exited with code {service.process.returncode}"
            )
        try:
            if httpx.get(f"{service.url}/health/ready", timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    raise TimeoutError(f"{service.name} was not ready within {timeout_s} s")

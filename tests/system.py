"""Both services as separate uvicorn processes on free loopback ports."""

import os
import socket
import subprocess
import sys
from collections.abc import Generator, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from orderflow.secrets import SECRET_NAMES, new_secret
from orderflow.services import ServiceProcess, spawn, wait_ready
from orderflow.users import read_logins, write_users

# Fast retries and timers, so outages and expiry play out within seconds.
SCHEDULE = "[0.5, 0.5, 1, 1, 1" + ", 2" * 10 + "]"
FAST = {
    "CLIENT_OUTBOX_RETRY_SCHEDULE_S": SCHEDULE,
    "SUPPLIER_OUTBOX_RETRY_SCHEDULE_S": SCHEDULE,
    "CLIENT_OUTBOX_BURST_WAIT_INITIAL_S": "0.05",
    "SUPPLIER_OUTBOX_BURST_WAIT_INITIAL_S": "0.05",
    "CLIENT_OUTBOX_BURST_WAIT_MAX_S": "0.2",
    "SUPPLIER_OUTBOX_BURST_WAIT_MAX_S": "0.2",
    "CLIENT_OUTBOX_POLL_INTERVAL_S": "0.5",
    "SUPPLIER_OUTBOX_POLL_INTERVAL_S": "0.5",
    "CLIENT_HTTP_TIMEOUT_S": "5",
    "SUPPLIER_HTTP_TIMEOUT_S": "5",
}


# Everyone the tests log in as.
TEST_USERS = {
    "bob": ["buyer"],
    "bea": ["buyer"],
    "clara": ["clerk"],
    "carl": ["clerk"],
    "fay": ["fulfilment"],
    "vic": ["viewer"],
    "ada": ["admin"],
}

# Running services by "host:port", so a request's URL tells whose token it needs.
_RUNNING: dict[str, tuple["System", str]] = {}


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@dataclass
class System:
    database_url: str
    log_dir: Path
    env: dict[str, str]
    client_port: int = field(default_factory=free_port)
    supplier_port: int = field(default_factory=free_port)
    client: ServiceProcess | None = None
    supplier: ServiceProcess | None = None
    logins: dict[str, str] = field(default_factory=dict)
    logins_file: Path | None = None
    _tokens: dict[tuple[str, str], str] = field(default_factory=dict)

    @property
    def client_url(self) -> str:
        return f"http://127.0.0.1:{self.client_port}"

    @property
    def supplier_url(self) -> str:
        return f"http://127.0.0.1:{self.supplier_port}"

    @classmethod
    @contextmanager
    def started(
        cls, database_url: str, log_dir: Path, **settings: str
    ) -> Iterator["System"]:
        users_file, logins_file = write_users(log_dir / "users", TEST_USERS)
        secrets = {name: new_secret() for name in SECRET_NAMES}
        files = {
            "CLIENT_USERS_FILE": str(users_file),
            "SUPPLIER_USERS_FILE": str(users_file),
        }
        system = cls(database_url, log_dir, {**FAST, **secrets, **files, **settings})
        system.logins_file = logins_file
        system.logins = {
            login["username"]: login["password"] for login in read_logins(logins_file)
        }
        try:
            system.start("client")
            system.start("supplier")
            yield system
        finally:
            system.stop("client")
            system.stop("supplier")

    def _env(self) -> dict[str, str]:
        return {
            **self.env,
            "DATABASE_URL": self.database_url,
            "CLIENT_URL": self.client_url,
            "SUPPLIER_URL": self.supplier_url,
        }

    def start(self, name: str) -> None:
        port = self.client_port if name == "client" else self.supplier_port
        service = spawn(
            name,
            host="127.0.0.1",
            port=port,
            env=self._env(),
            log_path=str(self.log_dir / f"{name}.log"),
        )
        setattr(self, name, service)
        wait_ready(service)
        _RUNNING[f"127.0.0.1:{port}"] = (self, name)

    def stop(self, name: str) -> None:
        service: ServiceProcess | None = getattr(self, name)
        if service is not None:
            service.stop()
            setattr(self, name, None)

    def spawn_dispatcher(self, name: str) -> subprocess.Popen[bytes]:
        """An extra process running only the service's background work."""
        log = (self.log_dir / f"{name}-dispatcher.log").open("ab")
        return subprocess.Popen(
            [sys.executable, "-m", "orderflow.cli", "dispatch", name],
            env={**os.environ, **self._env()},
            stdout=log,
            stderr=log,
        )

    def token(self, service: str, user: str) -> str:
        """A bearer token of ``user`` for ``service``, logged in once and kept."""
        key = (service, user)
        if key not in self._tokens:
            base = self.client_url if service == "client" else self.supplier_url
            response = httpx.post(
                f"{base}/auth/token",
                data={"username": user, "password": self.logins[user]},
                timeout=30,
            )
            response.raise_for_status()
            self._tokens[key] = response.json()["access_token"]
        return self._tokens[key]

    def secret(self, direction: str) -> str:
        return self.env[f"WEBHOOK_SECRET_{direction}"]


class As(httpx.Auth):
    """Sends each request with ``user``'s token for the service it goes to."""

    def __init__(self, user: str) -> None:
        self.user = user

    def auth_flow(
        self, request: httpx.Request
    ) -> Generator[httpx.Request, httpx.Response, None]:
        running = _RUNNING.get(f"{request.url.host}:{request.url.port}")
        if running is not None:
            system, service = running
            request.headers["Authorization"] = (
                f"Bearer {system.token(service, self.user)}"
            )
        yield request

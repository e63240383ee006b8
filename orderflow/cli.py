"""The `orderflow` command: run the system, a single service, or a replay."""

import argparse
import asyncio
import os
import signal
import socket
import sys
import time
from contextlib import ExitStack
from pathlib import Path
from secrets import token_hex

from orderflow.embedded_db import embedded_postgres
from orderflow.secrets import SECRET_NAMES, local_secrets, new_secret
from orderflow.services import spawn, wait_ready
from orderflow.users import DEV_USERS, dev_users, read_logins, write_users

CHECKOUT = Path(__file__).resolve().parents[1]
DEFAULT_CLIENT_PORT = 8001
DEFAULT_SUPPLIER_PORT = 8002


def _data_dir() -> Path:
    return Path(os.environ.get("ORDERFLOW_DATA_DIR", CHECKOUT / ".data"))


def _port_taken(host: str, port: int) -> bool:
    with socket.socket() as probe:
        # As uvicorn binds: connections of a run just stopped must not count.
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError:
            return True
    return False


def _interrupt(_signum: int, _frame: object) -> None:
    # SIGTERM (from a supervisor, or `kill`) stops as cleanly as Ctrl-C.
    raise KeyboardInterrupt


def cmd_up(args: argparse.Namespace) -> int:
    for name, port in (("client", args.client_port), ("supplier", args.supplier_port)):
        if _port_taken(args.host, port):
            print(
                f"port {port} on {args.host} is in use; "
                f"choose another with --{name}-port",
                file=sys.stderr,
            )
            return 1
    signal.signal(signal.SIGTERM, _interrupt)
    data_dir = _data_dir()
    client_url = f"http://{args.host}:{args.client_port}"
    supplier_url = f"http://{args.host}:{args.supplier_port}"
    with ExitStack() as stack:
        database_url = os.environ.get("DATABASE_URL")
        if not database_url:
            database_url = stack.enter_context(embedded_postgres(data_dir / "postgres"))
            print(f"embedded PostgreSQL: data in {data_dir / 'postgres'}")
        users_file, logins_file = dev_users(data_dir)
        env = {
            **local_secrets(data_dir / "secrets.env"),
            "CLIENT_USERS_FILE": str(users_file),
            "SUPPLIER_USERS_FILE": str(users_file),
            "DATABASE_URL": database_url,
            "CLIENT_URL": client_url,
            "SUPPLIER_URL": supplier_url,
        }
        services = [
            spawn("client", host=args.host, port=args.client_port, env=env),
            spawn("supplier", host=args.host, port=args.supplier_port, env=env),
        ]
        for service in services:
            stack.callback(service.stop)
        for service in services:
            wait_ready(service)
        print(f"client service:   {client_url}   (API docs: {client_url}/docs)")
        print(f"supplier service: {supplier_url}   (API docs: {supplier_url}/docs)")
        print(f"logins (user, password, roles) are in {logins_file}:")
        for login in read_logins(logins_file):
            roles = ", ".join(login["roles"])
            print(f"  {login['username']:<6} {login['password']}  ({roles})")
        print("Press Ctrl-C to stop.", flush=True)
        try:
            while all(service.process.poll() is None for service in services):
                time.sleep(0.5)
        except KeyboardInterrupt:
            print("\nstopping...")
            return 0
        stopped = [s.name for s in services if s.process.poll() is not None]
        print(f"{', '.join(stopped)} stopped unexpectedly; stopping the rest")
        return 1


def cmd_serve(args: argparse.Namespace) -> int:
    import uvicorn

    from orderflow.services import APPS

    uvicorn.run(
        APPS[args.service],
        factory=True,
        host=args.host,
        port=args.port,
        timeout_keep_alive=30,
    )
    return 0


def cmd_dispatch(args: argparse.Namespace) -> int:
    from orderflow.workers_only import run_workers

    asyncio.run(run_workers(args.service))
    return 0


def cmd_replay(args: argparse.Namespace) -> int:
    from orderflow.replay import Policy, replay

    policy = Policy(
        max_quote_total=args.max_quote_total, dispute_every=args.dispute_every
    )
    return asyncio.run(
        replay(
            Path(args.folder),
            client_url=args.client_url,
            supplier_url=args.supplier_url,
            policy=policy,
            limit=args.limit,
            concurrency=args.concurrency,
            timeout_s=args.timeout,
            as_json=args.json,
            logins=read_logins(Path(args.logins)),
        )
    )


def cmd_secrets(_args: argparse.Namespace) -> int:
    for name in SECRET_NAMES:
        print(f"{name}={new_secret()}")
    # Passwords end up inside URLs: letters and digits only.
    for name in ("GRAFANA_ADMIN_PASSWORD", "GRAFANA_DB_PASSWORD"):
        print(f"{name}={token_hex(16)}")
    return 0


def cmd_users(args: argparse.Namespace) -> int:
    _users_file, logins_file = write_users(Path(args.folder), DEV_USERS)
    for login in read_logins(logins_file):
        print(
            f"{login['username']:<6} {login['password']}  ({', '.join(login['roles'])})"
        )
    return 0


def cmd_token(args: argparse.Namespace) -> int:
    import httpx

    logins = {x["username"]: x["password"] for x in read_logins(Path(args.logins))}
    if args.user not in logins:
        print(f"{args.user} is not in {args.logins}", file=sys.stderr)
        return 2
    port = DEFAULT_CLIENT_PORT if args.service == "client" else DEFAULT_SUPPLIER_PORT
    url = args.url or f"http://127.0.0.1:{port}"
    try:
        response = httpx.post(
            f"{url}/auth/token",
            data={"username": args.user, "password": logins[args.user]},
        )
    except httpx.HTTPError as exc:
        print(f"cannot reach {url}: {exc}", file=sys.stderr)
        return 1
    if response.status_code != 200:
        print(response.text, file=sys.stderr)
        return 1
    print(response.json()["access_token"])
    return 0


def _positive(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError("must be 1 or more")
    return value


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="orderflow", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)

    up = commands.add_parser("up", help="run both services and their background work")
    up.add_argument("--host", default="127.0.0.1")
    up.add_argument("--client-port", type=int, default=DEFAULT_CLIENT_PORT)
    up.add_argument("--supplier-port", type=int, default=DEFAULT_SUPPLIER_PORT)
    up.set_defaults(run=cmd_up)

    serve = commands.add_parser("serve", help="run one service in this process")
    serve.add_argument("service", choices=["client", "supplier"])
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=DEFAULT_CLIENT_PORT)
    serve.set_defaults(run=cmd_serve)

    dispatch = commands.add_parser(
        "dispatch", help="run one service's outbox dispatcher and jobs, without HTTP"
    )
    dispatch.add_argument("service", choices=["client", "supplier"])
    dispatch.set_defaults(run=cmd_dispatch)

    replay = commands.add_parser(
        "replay", help="replay orders.csv and order_details.csv from FOLDER"
    )
    replay.add_argument("folder")
    replay.add_argument(
        "--client-url", default=f"http://127.0.0.1:{DEFAULT_CLIENT_PORT}"
    )
    replay.add_argument(
        "--supplier-url", default=f"http://127.0.0.1:{DEFAULT_SUPPLIER_PORT}"
    )
    replay.add_argument("--limit", type=int, help="replay only the first N orders")
    replay.add_argument("--concurrency", type=int, default=16)
    replay.add_argument(
        "--timeout", type=float, default=300, help="seconds to wait for every end"
    )
    replay.add_argument(
        "--max-quote-total",
        type=float,
        default=5000,
        help="the buyer declines quotes above this total",
    )
    replay.add_argument(
        "--dispute-every",
        type=_positive,
        default=20,
        help="the buyer disputes orders whose Northwind id is a multiple of this",
    )
    replay.add_argument(
        "--logins",
        default=str(_data_dir() / "logins.json"),
        help="users to act as (JSON, as `orderflow up` writes it)",
    )
    replay.add_argument("--json", action="store_true", help="end with one JSON line")
    replay.set_defaults(run=cmd_replay)

    secrets = commands.add_parser(
        "secrets", help="print new secrets and passwords in .env format"
    )
    secrets.set_defaults(run=cmd_secrets)

    users = commands.add_parser(
        "users",
        help="make one user of each role with a new password: "
        "FOLDER/users.json (hashes) and FOLDER/logins.json (passwords)",
    )
    users.add_argument("folder")
    users.set_defaults(run=cmd_users)

    token = commands.add_parser(
        "token", help="log in as USER (from the logins file) and print a bearer token"
    )
    token.add_argument("service", choices=["client", "supplier"])
    token.add_argument("user")
    token.add_argument("--url", help="the service's address, if not the default")
    token.add_argument("--logins", default=str(_data_dir() / "logins.json"))
    token.set_defaults(run=cmd_token)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    code: int = args.run(args)
    return code


if __name__ == "__main__":
    sys.exit(main())

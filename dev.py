#!/usr/bin/env python3
"""The two commands of this project, runnable on a machine with only Python 3.11.

    python3 dev.py up      run both services (embedded PostgreSQL without DATABASE_URL)
    python3 dev.py test    run every check: formatting, lint, types and the test suite

Each installs what it needs first: a virtual environment in .venv with the project
and its dependencies; for the tests also Node packages (bpmnlint), Debian's
docker-compose, and Debian's Chromium for the browser tests (never a downloaded
browser). Extra arguments go to `orderflow up` or to pytest.
"""

import hashlib
import os
import shutil
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
BIN = VENV / "bin"
STAMP = VENV / ".orderflow-installed"


def run(*command: str | Path, **kwargs: object) -> None:
    print("+", " ".join(str(part) for part in command), flush=True)
    subprocess.run([str(part) for part in command], check=True, cwd=ROOT, **kwargs)  # type: ignore[call-overload]


def fingerprint(*files: Path) -> str:
    digest = hashlib.sha256()
    for file in files:
        digest.update(file.read_bytes())
    return digest.hexdigest()


def ensure_python_packages() -> None:
    if not (BIN / "python").exists():
        venv.create(VENV, with_pip=True)
    wanted = fingerprint(ROOT / "pyproject.toml")
    if STAMP.exists() and STAMP.read_text() == wanted:
        return
    run(BIN / "python", "-m", "pip", "install", "--quiet", "--upgrade", "pip")
    run(BIN / "python", "-m", "pip", "install", "--quiet", "-e", ".[test]")
    STAMP.write_text(wanted)


def apt_install(*packages: str) -> None:
    sudo = [] if os.geteuid() == 0 else ["sudo"]
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    run(*sudo, "apt-get", "update", "-qq", env=env)
    run(
        *sudo,
        "apt-get",
        "install",
        "-y",
        "-qq",
        "--no-install-recommends",
        *packages,
        env=env,
    )


def ensure_test_tools() -> None:
    missing = [
        package
        for command, package in (
            ("npm", "npm"),
            ("docker-compose", "docker-compose"),
            ("chromium", "chromium"),
            ("prometheus", "prometheus"),
        )
        if shutil.which(command) is None
    ]
    if missing:
        apt_install(*missing)
    ensure_node_packages()


def ensure_node_packages() -> None:
    """bpmn-js (the dashboards' diagram) and bpmnlint, from package-lock.json."""
    stamp = ROOT / "node_modules" / ".orderflow-installed"
    wanted = fingerprint(ROOT / "package-lock.json")
    if not stamp.exists() or stamp.read_text() != wanted:
        run("npm", "ci", "--no-audit", "--no-fund")
        stamp.write_text(wanted)


def up(args: list[str]) -> int:
    ensure_python_packages()
    if shutil.which("npm") is not None:
        ensure_node_packages()
    else:
        print("npm is missing: the dashboards will show no BPMN diagram", flush=True)
    os.execv(BIN / "orderflow", ["orderflow", "up", *args])


def test(args: list[str]) -> int:
    ensure_python_packages()
    ensure_test_tools()
    run(BIN / "ruff", "format", "--check", ".")
    run(BIN / "ruff", "check", ".")
    run(BIN / "mypy", ".")
    return subprocess.run([BIN / "python", "-m", "pytest", *args], cwd=ROOT).returncode


def main() -> int:
    commands = {"up": up, "test": test}
    if len(sys.argv) < 2 or sys.argv[1] not in commands:
        print(__doc__)
        return 2
    try:
        return commands[sys.argv[1]](sys.argv[2:])
    except subprocess.CalledProcessError as exc:
        return exc.returncode or 1


if __name__ == "__main__":
    sys.exit(main())

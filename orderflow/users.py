"""Users files: hashes for the services, and the matching logins for local use."""

import json
import secrets
from pathlib import Path
from typing import TypedDict

from shared.auth.passwords import hash_password

# The people of a local run: one of each role.
DEV_USERS = {
    "bob": ["buyer"],
    "clara": ["clerk"],
    "fay": ["fulfilment"],
    "vic": ["viewer"],
    "ada": ["admin"],
}


def write_users(folder: Path, people: dict[str, list[str]]) -> tuple[Path, Path]:
    """Makes a random password for each person.

    Writes ``users.json`` (hashes, for the services) and ``logins.json``
    (passwords, readable by the owner only) into ``folder``.
    """
    folder.mkdir(parents=True, exist_ok=True)
    logins = [
        Login(username=name, password=secrets.token_urlsafe(12), roles=roles)
        for name, roles in people.items()
    ]
    users = [
        {
            "username": login["username"],
            "roles": login["roles"],
            "password_hash": hash_password(login["password"]),
        }
        for login in logins
    ]
    users_file = folder / "users.json"
    logins_file = folder / "logins.json"
    users_file.write_text(json.dumps(users, indent=2))
    logins_file.touch(mode=0o600)
    logins_file.write_text(json.dumps(logins, indent=2))
    return users_file, logins_file


def dev_users(folder: Path) -> tuple[Path, Path]:
    """The users of local runs, made on the first run and kept afterwards."""
    users_file, logins_file = folder / "users.json", folder / "logins.json"
    if users_file.exists() and logins_file.exists():
        return users_file, logins_file
    return write_users(folder, DEV_USERS)


class Login(TypedDict):
    username: str
    password: str
    roles: list[str]


def read_logins(path: Path) -> list[Login]:
    logins: list[Login] = json.loads(path.read_text())
    return logins

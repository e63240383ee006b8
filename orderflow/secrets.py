"""Secrets for local runs (webhook and token signing keys): made once, kept locally."""

import base64
import os
import secrets
from pathlib import Path

SECRET_NAMES = (
    "WEBHOOK_SECRET_CLIENT_TO_SUPPLIER",
    "WEBHOOK_SECRET_SUPPLIER_TO_CLIENT",
    "CLIENT_JWT_SECRET",
    "SUPPLIER_JWT_SECRET",
)


def new_secret() -> str:
    """``whsec_`` and 32 random bytes in base64: a Standard Webhooks secret.

    The same form serves as a JWT signing key.
    """
    return "whsec_" + base64.b64encode(secrets.token_bytes(32)).decode()


def local_secrets(path: Path) -> dict[str, str]:
    """Secrets from the environment, else from ``path``, else newly made there."""
    if all(name in os.environ for name in SECRET_NAMES):
        return {name: os.environ[name] for name in SECRET_NAMES}
    if path.exists():
        pairs = (
            line.split("=", 1) for line in path.read_text().splitlines() if "=" in line
        )
        stored = {key.strip(): value.strip() for key, value in pairs}
        if all(name in stored for name in SECRET_NAMES):
            return {name: stored[name] for name in SECRET_NAMES}

    made = {name: new_secret() for name in SECRET_NAMES}
    path.parent.mkdir(parents=True, exist_ok=True)
    path.touch(mode=0o600)
    path.write_text("".join(f"{name}={value}\n" for name, value in made.items()))
    return made

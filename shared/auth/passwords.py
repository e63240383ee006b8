"""Password hashing with argon2 (pwdlib's recommended settings)."""

from pwdlib import PasswordHash

_hasher = PasswordHash.recommended()
# Verifying against this keeps a login for an unknown user as slow as a real one.
_DUMMY_HASH = _hasher.hash("not a password anyone has")


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(password: str, password_hash: str | None) -> bool:
    if password_hash is None:
        _hasher.verify(password, _DUMMY_HASH)
        return False
    return _hasher.verify(password, password_hash)

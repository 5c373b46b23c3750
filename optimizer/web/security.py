"""The desk's safety rails: private files, opaque ids, the access token and CSRF tokens.

Everything the desk writes is the planner's data (names, birth dates): files 0600, folders
0700 whatever the umask. URLs carry only random ids, never a path or a person's details."""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import re
import secrets
from pathlib import Path

ID_RE = re.compile(r"^[0-9a-f]{16}$")
LOCAL_HOSTS = ("127.0.0.1", "localhost", "::1")
AUTH_FILE = "desk-auth.json"


def new_id() -> str:
    """A random id for a dataset, job or upload: 16 hex digits, never a file name."""
    return secrets.token_hex(8)


def valid_id(text: str) -> bool:
    return bool(ID_RE.match(text or ""))


def private_dir(path: Path) -> Path:
    """Make ``path`` (and missing parents) a folder only its owner can enter."""
    path.mkdir(parents=True, exist_ok=True, mode=0o700)
    os.chmod(path, 0o700)
    return path


def private_write(path: Path, data: bytes) -> Path:
    """Write ``data`` to a new or replaced file readable by its owner only."""
    private_dir(path.parent)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        os.fchmod(fd, 0o600)
        os.write(fd, data)
    finally:
        os.close(fd)
    return path


def hash_secret(secret: str, salt: bytes | None = None) -> dict[str, str]:
    """scrypt: a stolen hash file does not give the token back."""
    salt = salt or secrets.token_bytes(16)
    digest = hashlib.scrypt(secret.encode(), salt=salt, n=2**14, r=8, p=1)
    return {"salt": salt.hex(), "hash": digest.hex()}


def secret_matches(secret: str, stored: dict[str, str]) -> bool:
    got = hash_secret(secret, bytes.fromhex(stored["salt"]))["hash"]
    return hmac.compare_digest(got, stored["hash"])


def is_local(host: str) -> bool:
    return host in LOCAL_HOSTS


def ensure_token(workdir: Path) -> tuple[dict[str, str], str | None]:
    """The stored hash of the access token, and the token itself when it was just made (first
    start on a non-local address): the console shows it once, only the hash is kept."""
    path = workdir / AUTH_FILE
    if path.is_file():
        return json.loads(path.read_text(encoding="utf-8")), None
    token = secrets.token_urlsafe(18)
    stored = hash_secret(token)
    private_write(path, json.dumps(stored).encode())
    return stored, token


def csrf_matches(cookie: str | None, sent: str | None) -> bool:
    """Double-submit check: the form's hidden token equals the SameSite cookie's."""
    return bool(cookie) and bool(sent) and hmac.compare_digest(str(cookie), str(sent))

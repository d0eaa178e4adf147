"""Uploads kept between the dry run and the import: one file per random token, bound to its user.

The checked file waits in the instance folder, so the user confirms without uploading it again
and the import reads exactly the bytes that were checked. Files older than a day are removed.
"""
import json
import re
import secrets
import time
from pathlib import Path

from flask import current_app

KEEP_SECONDS = 24 * 3600
_TOKEN = re.compile(r"^[A-Za-z0-9_-]{32}$")


def _folder() -> Path:
    folder = Path(current_app.config.get("IMPORT_FOLDER") or Path(current_app.instance_path) / "imports")
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def keep(data: bytes, kind: str, user_id: int, filename: str) -> str:
    """Store a checked upload and return the token that names it."""
    _remove_expired()
    token = secrets.token_urlsafe(24)
    folder = _folder()
    (folder / f"{token}.xlsx").write_bytes(data)
    (folder / f"{token}.json").write_text(json.dumps(
        {"kind": kind, "user_id": user_id, "filename": filename, "kept_at": time.time()}))
    return token


def load(token: str, kind: str, user_id: int) -> tuple[bytes, str] | None:
    """Return (bytes, original filename) of the user's upload, or None if it is not theirs or gone."""
    if not isinstance(token, str) or not _TOKEN.match(token):
        return None
    folder = _folder()
    try:
        meta = json.loads((folder / f"{token}.json").read_text())
        data = (folder / f"{token}.xlsx").read_bytes()
    except (OSError, ValueError):
        return None
    if meta.get("kind") != kind or meta.get("user_id") != user_id or time.time() - meta.get("kept_at", 0) > KEEP_SECONDS:
        return None
    return data, meta.get("filename") or ""


def discard(token: str) -> None:
    if isinstance(token, str) and _TOKEN.match(token):
        for suffix in (".xlsx", ".json"):
            (_folder() / f"{token}{suffix}").unlink(missing_ok=True)


def _remove_expired() -> None:
    cutoff = time.time() - KEEP_SECONDS
    for path in _folder().glob("*.json"):
        try:
            if path.stat().st_mtime < cutoff:
                path.with_suffix(".xlsx").unlink(missing_ok=True)
                path.unlink(missing_ok=True)
        except OSError:
            continue

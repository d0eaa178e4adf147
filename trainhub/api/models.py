"""API tokens: only a hash is stored; the token itself is shown once, when it is created."""
from __future__ import annotations

import hashlib
import secrets
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from trainhub.accounts.models import User
from trainhub.extensions import db

TOKEN_PREFIX = "th_"


def hash_token(token: str) -> str:
    """SHA-256 is enough: tokens are 32 random bytes, so there is nothing to guess by brute force."""
    return hashlib.sha256(token.encode()).hexdigest()


class ApiToken(db.Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("user.id"), index=True)
    name: Mapped[str] = mapped_column(sa.String(60))
    token_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=datetime.utcnow)
    last_used_at: Mapped[datetime | None]
    revoked_at: Mapped[datetime | None]

    user: Mapped[User] = relationship()

    @classmethod
    def issue(cls, user: User, name: str) -> tuple[ApiToken, str]:
        """Create a token for `user`; return the record and the token text (not stored anywhere)."""
        token = TOKEN_PREFIX + secrets.token_urlsafe(32)
        record = cls(user=user, name=name, token_hash=hash_token(token))
        db.session.add(record)
        db.session.flush()
        return record, token

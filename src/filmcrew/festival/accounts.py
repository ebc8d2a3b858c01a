"""Accounts: passwords hashed with Argon2id (memory-hard), sessions held by a random token whose SHA-256 alone is
stored, a form token per session against cross-site requests, and rate limits counted in the database (so they
hold across the server's threads and processes)."""

from __future__ import annotations

import hashlib
import re
import secrets
import time

from ..errors import FilmcrewError

ROLES = ("organiser", "entrant", "juror")
SESSION_S = 14 * 24 * 3600  # a sign-in lasts two weeks
EMAIL = re.compile(r"^[^@\s]{1,64}@[^@\s]{1,190}\.[^@\s]{2,}$")
MIN_PASSWORD = 10
# rate limits: (kind, how many, in how many seconds)
LIMITS = {"login-user": (5, 900), "login-ip": (30, 900), "register-ip": (20, 3600), "upload": (40, 3600),
          "reset": (3, 3600)}
RESET_S = 3600  # a password reset link works for an hour, once


class Refusal(FilmcrewError):
    """A request the festival refuses: `status` is the HTTP status, the message says why and what to do."""

    def __init__(self, status: int, why: str, retry_after: int | None = None):
        super().__init__(why)
        self.status, self.why, self.retry_after = status, why, retry_after


def hasher():
    try:
        from argon2 import PasswordHasher
        from argon2.profiles import RFC_9106_LOW_MEMORY
    except ImportError:
        from .db import INSTALL
        raise FilmcrewError(f"the festival hashes passwords with Argon2: {INSTALL}") from None
    return PasswordHasher.from_parameters(RFC_9106_LOW_MEMORY)  # Argon2id, 64 MiB, 3 passes


def hash_password(password: str) -> str:
    return hasher().hash(password)


def verify_password(stored: str, password: str) -> bool:
    from argon2.exceptions import InvalidHashError, VerificationError
    if not stored:
        return False
    try:
        return hasher().verify(stored, password)
    except (VerificationError, InvalidHashError):
        return False


DUMMY = None  # a hash to verify against when the e-mail is unknown (the answer takes as long either way)


def dummy_hash() -> str:
    global DUMMY
    if DUMMY is None:
        DUMMY = hash_password(secrets.token_urlsafe(16))
    return DUMMY


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def check_new_account(email: str, name: str, password: str) -> str:
    """The e-mail as stored (lower-cased), or Refusal naming the field."""
    email = (email or "").strip().lower()
    if not EMAIL.match(email):
        raise Refusal(400, "e-mail: write an address such as name@example.org")
    if not (name or "").strip() or len(name) > 120:
        raise Refusal(400, "name: write the name to show (at most 120 characters)")
    if len(password or "") < MIN_PASSWORD:
        raise Refusal(400, f"password: at least {MIN_PASSWORD} characters")
    if len(password) > 1024:
        raise Refusal(400, "password: at most 1024 characters")
    return email


def now() -> float:
    return time.time()


def new_token() -> str:
    return secrets.token_urlsafe(32)


def require_role(user: dict | None, *roles: str) -> None:
    """Refusal unless `user` is signed in and plays one of `roles` (every operation asks this first)."""
    if user is None:
        raise Refusal(401, "sign in first")
    if user["role"] not in roles:
        raise Refusal(403, f"this is for the {' or '.join(roles)}")

"""Password hashing (argon2id, off the event loop), access tokens (JWT) and opaque tokens.

Knows no domain: callers pass ids and roles in, and get claims or `InvalidTokenError` out.
"""

import asyncio
import contextlib
import hashlib
import os
import secrets
import sys
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import jwt
from pwdlib import PasswordHash
from pwdlib.hashers.argon2 import Argon2Hasher

from app.core.config import Settings

JWT_ALGORITHM = "HS256"  # pinned: a token can never choose its own algorithm
REQUIRED_CLAIMS = ["sub", "sid", "role", "jti", "exp", "iat", "iss", "aud"]
HASH_THREAD_NICENESS = 10  # weight 110 against the event loop's 1024 (nice 0)
REMEMBERED_TOKENS = 4096  # verified tokens kept per process: about 2 MB


class PasswordHasher:
    """argon2id in worker threads of its own, so hashing never blocks other requests.

    Each hash in flight holds `memory_kib` of memory (64 MiB by default) and a core, so at
    most `concurrency` run at once; more would only add memory, not throughput. Others wait
    their turn in the pool's queue without blocking the event loop.

    The hashing threads run at a lower scheduling priority than the event loop: a login
    storm then takes the cores the loop leaves idle, and every other request still gets
    the CPU first (docs/decisions.md, "Password hashing").
    """

    def __init__(self, *, time_cost: int, memory_kib: int, concurrency: int, parallelism: int = 1) -> None:
        self._context = PasswordHash(
            (Argon2Hasher(time_cost=time_cost, memory_cost=memory_kib, parallelism=parallelism),)
        )
        self._concurrency = concurrency
        self._threads: ThreadPoolExecutor | None = None  # started at the first hash, after a close too
        self._dummy_hash: str | None = None

    @classmethod
    def from_settings(cls, settings: Settings) -> "PasswordHasher":
        return cls(
            time_cost=settings.password_hash_time_cost,
            memory_kib=settings.password_hash_memory_kib,
            concurrency=settings.hash_concurrency,
            parallelism=settings.password_hash_parallelism,
        )

    async def hash(self, password: str) -> str:
        return await asyncio.get_running_loop().run_in_executor(self._pool(), self._context.hash, password)

    async def verify(self, password: str, password_hash: str) -> tuple[bool, str | None]:
        """Whether it matches, and a new hash when the stored one uses old parameters."""
        return await asyncio.get_running_loop().run_in_executor(
            self._pool(), self._context.verify_and_update, password, password_hash
        )

    def close(self) -> None:
        if self._threads is not None:
            self._threads.shutdown(wait=False, cancel_futures=True)
            self._threads = None

    def _pool(self) -> ThreadPoolExecutor:
        if self._threads is None:
            self._threads = ThreadPoolExecutor(
                max_workers=self._concurrency, thread_name_prefix="keel-hash", initializer=_yield_to_the_loop
            )
        return self._threads

    async def verify_against_dummy(self, password: str) -> None:
        """Spend the time of a real check, so an unknown account is not revealed by speed."""
        if self._dummy_hash is None:
            self._dummy_hash = await self.hash(secrets.token_urlsafe(16))
        await self.verify(password, self._dummy_hash)


def _yield_to_the_loop() -> None:
    """Lower this hashing thread's priority (Linux schedules threads one by one)."""
    if sys.platform != "linux":
        return
    # Fails only when the process already runs lower than that: then it stays as it is.
    with contextlib.suppress(OSError):
        os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), HASH_THREAD_NICENESS)


class InvalidTokenError(Exception):
    """The token is malformed, tampered with, expired or not meant for us."""


class ExpiredTokenError(InvalidTokenError):
    pass


@dataclass(frozen=True, slots=True)
class AccessClaims:
    user_id: int
    session_id: int
    role: str
    token_id: str
    issued_at: int
    expires_at: int


class AccessTokens:
    """Issues and checks access tokens.

    A token's signature and claims cannot change, so each token is verified once and its
    claims remembered (a bounded LRU); later uses only check expiry. Verifying the HS256
    signature and the claims with PyJWT cost more than the rest of authentication. Invalid
    tokens are never remembered, so garbage cannot push valid ones out of the cache.
    """

    def __init__(
        self,
        *,
        secret: str,
        issuer: str,
        audience: str,
        ttl_seconds: int,
        remembered_tokens: int = REMEMBERED_TOKENS,
    ) -> None:
        self._secret = secret
        self._issuer = issuer
        self._audience = audience
        self.ttl_seconds = ttl_seconds
        self._verified = lru_cache(maxsize=remembered_tokens)(self._verify)

    @classmethod
    def from_settings(cls, settings: Settings) -> "AccessTokens":
        return cls(
            secret=settings.secret_key.get_secret_value(),
            issuer=settings.jwt_issuer,
            audience=settings.jwt_audience,
            ttl_seconds=settings.access_token_ttl_seconds,
        )

    def issue(self, *, user_id: int, session_id: int, role: str) -> str:
        now = int(time.time())
        claims: dict[str, Any] = {
            "sub": str(user_id),
            "sid": session_id,
            "role": role,
            "jti": uuid.uuid4().hex,
            "iat": now,
            "exp": now + self.ttl_seconds,
            "iss": self._issuer,
            "aud": self._audience,
        }
        return jwt.encode(claims, self._secret, algorithm=JWT_ALGORITHM)

    def decode(self, token: str) -> AccessClaims:
        claims = self._verified(token)
        if claims.expires_at <= time.time():  # PyJWT's rule: expired from `exp` on
            raise ExpiredTokenError
        return claims

    def _verify(self, token: str) -> AccessClaims:
        try:
            claims = jwt.decode(
                token,
                self._secret,
                algorithms=[JWT_ALGORITHM],
                audience=self._audience,
                issuer=self._issuer,
                options={"require": REQUIRED_CLAIMS},
            )
            return AccessClaims(
                user_id=int(claims["sub"]),
                session_id=int(claims["sid"]),
                role=str(claims["role"]),
                token_id=str(claims["jti"]),
                issued_at=int(claims["iat"]),
                expires_at=int(claims["exp"]),
            )
        except jwt.ExpiredSignatureError as exc:
            raise ExpiredTokenError from exc
        except (jwt.InvalidTokenError, ValueError, TypeError) as exc:
            raise InvalidTokenError from exc


def new_opaque_token() -> str:
    """256 random bits, URL-safe: refresh, reset and verification tokens."""
    return secrets.token_urlsafe(32)


def token_digest(token: str) -> str:
    """What is stored instead of an opaque token: a leaked table reveals no usable token."""
    return hashlib.sha256(token.encode()).hexdigest()


def same_secret(a: str, b: str) -> bool:
    return secrets.compare_digest(a.encode(), b.encode())

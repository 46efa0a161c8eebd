"""Issuing, checking and revoking LMS tokens.

A token reads `lms_<key id>_<secret>`: the key id (8 random bytes, hex) finds
the row; the secret (32 random bytes, hex) is never stored, only the SHA-256
of the whole token, compared with hmac.compare_digest. 256 random bits need no
slow password hash: nobody can guess a preimage, fast or slow.
"""

import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass
from datetime import timedelta

from django.contrib.auth.models import AbstractBaseUser
from django.db.models import Q
from django.utils import timezone

from courses.models import Course
from lms.models import LmsToken, Scope

TOKEN_PREFIX = "lms_"
_TOKEN = re.compile(r"lms_([0-9a-f]{16})_([0-9a-f]{64})")
# last_used_at is written when it is older than this: one UPDATE a minute per busy token, not one per request.
LAST_USED_RESOLUTION = timedelta(minutes=1)
MAX_EXPIRY_DAYS = 3660


class LmsTokenInvalid(ValueError):
    """Why a token cannot be issued, in both languages."""

    def __init__(self, message: str, message_zh: str):
        super().__init__(message)
        self.message = message
        self.message_zh = message_zh


class LmsTokenRefused(Exception):
    """Why a presented token does not authenticate: code is invalid, revoked or expired."""

    def __init__(self, code: str):
        super().__init__(code)
        self.code = code


@dataclass(frozen=True)
class IssuedToken:
    token: str  # shown once
    row: LmsToken


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode("ascii")).hexdigest()


def lms_scopes_parse(text: str) -> list[str]:
    """`grades:read,roster:read` → the scope list, checked; duplicates dropped, order kept."""
    names = [name.strip() for name in text.split(",") if name.strip()]
    return lms_scopes_validate(names)


def lms_scopes_validate(names) -> list[str]:
    if not isinstance(names, (list, tuple)) or not names:
        raise LmsTokenInvalid("Give at least one scope.", "至少需要一个权限范围。")
    known = set(Scope.values)
    unknown = [name for name in names if name not in known]
    if unknown:
        raise LmsTokenInvalid(
            f"Unknown scope {', '.join(map(str, unknown))}; the scopes are {', '.join(Scope.values)}.",
            f"未知的权限范围 {', '.join(map(str, unknown))}；可用的有 {', '.join(Scope.values)}。",
        )
    return list(dict.fromkeys(names))


def lms_token_issue(
    *,
    course: Course,
    scopes,
    name: str,
    expires_in_days: int | None = None,
    created_by: AbstractBaseUser | None = None,
) -> IssuedToken:
    """A new token for `course` with `scopes`; the token string is returned once and never stored."""
    scopes = lms_scopes_validate(scopes)
    name = name.strip()
    if not name:
        raise LmsTokenInvalid("Give the token a name (who uses it).", "请为令牌命名（说明谁在使用）。")
    if expires_in_days is not None and not 1 <= expires_in_days <= MAX_EXPIRY_DAYS:
        raise LmsTokenInvalid(
            f"Expiry must be between 1 and {MAX_EXPIRY_DAYS} days.", f"有效期必须在 1 到 {MAX_EXPIRY_DAYS} 天之间。"
        )
    key_id = secrets.token_hex(8)
    token = f"{TOKEN_PREFIX}{key_id}_{secrets.token_hex(32)}"
    row = LmsToken.objects.create(
        course=course,
        name=name[:200],
        key_id=key_id,
        digest=_digest(token),
        scopes=scopes,
        created_by=created_by if created_by is not None and created_by.is_authenticated else None,
        expires_at=timezone.now() + timedelta(days=expires_in_days) if expires_in_days else None,
    )
    return IssuedToken(token=token, row=row)


def lms_token_revoke(*, token: LmsToken) -> None:
    """From now on the token is refused; the row stays, so its history (name, last use) does."""
    LmsToken.objects.filter(pk=token.pk, revoked_at__isnull=True).update(revoked_at=timezone.now())


def lms_token_authenticate(raw: str) -> LmsToken:
    """The live token row (with its course) for a presented token string, or LmsTokenRefused. One query."""
    match = _TOKEN.fullmatch(raw)
    if match is None:
        raise LmsTokenRefused("invalid")
    row = LmsToken.objects.select_related("course").filter(key_id=match.group(1)).first()
    # Compared even when no row was found, so a miss and a wrong secret take the same time.
    expected = row.digest if row is not None else "0" * 64
    if not hmac.compare_digest(expected, _digest(raw)) or row is None:
        raise LmsTokenRefused("invalid")
    now = timezone.now()
    if row.revoked_at is not None:
        raise LmsTokenRefused("revoked")
    if row.expires_at is not None and row.expires_at <= now:
        raise LmsTokenRefused("expired")
    _record_use(row, now)
    return row


def _record_use(row: LmsToken, now) -> None:
    if row.last_used_at is not None and now - row.last_used_at < LAST_USED_RESOLUTION:
        return
    # Conditional: of several processes serving the same token, one writes.
    LmsToken.objects.filter(pk=row.pk).filter(
        Q(last_used_at__isnull=True) | Q(last_used_at__lt=now - LAST_USED_RESOLUTION)
    ).update(last_used_at=now)
    row.last_used_at = now

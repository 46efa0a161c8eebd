"""API tokens: random, stored only as a hash, expiring, a few per user, revocable.

django-rest-knox keeps the token model: 32 random bytes shown once, a SHA-512
digest stored, compared in constant time, an expiry. What this module adds:

- Rotation on login: every login issues a new token. A user keeps at most
  API_TOKENS_PER_USER live tokens (a laptop, a lab machine, a script); a
  login beyond that revokes the oldest, so an old leaked token does not
  stay valid for ever. Expired tokens are deleted when their user logs in.
- Revocation: logout deletes the token it came with; logout-all deletes every
  one of the user's; a password change does the same (accounts.signals).
- A strict header check: a token is 64 hex digits, anything else is refused
  before the database is asked (knox would send a NUL to PostgreSQL, or fail
  to decode non-UTF-8 bytes, and answer 500).
"""

import re
from datetime import datetime

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.utils import timezone
from knox.auth import TokenAuthentication
from knox.models import AuthToken
from rest_framework import exceptions

_TOKEN = re.compile(rb"[0-9a-f]{64}")


def api_token_issue(*, user: AbstractBaseUser) -> tuple[str, datetime]:
    """A new token for `user` and its expiry; the oldest beyond API_TOKENS_PER_USER are revoked."""
    with transaction.atomic():
        AuthToken.objects.filter(user=user, expiry__lte=timezone.now()).delete()
        instance, token = AuthToken.objects.create(user=user, expiry=settings.API_TOKEN_TTL)
        keep = AuthToken.objects.filter(user=user).order_by("-created", "-expiry")[: settings.API_TOKENS_PER_USER]
        AuthToken.objects.filter(user=user).exclude(digest__in=list(keep.values_list("digest", flat=True))).delete()
    return token, instance.expiry


def api_token_revoke(*, token: AuthToken) -> None:
    token.delete()


def api_tokens_revoke_all(*, user_id: int) -> int:
    deleted, _ = AuthToken.objects.filter(user_id=user_id).delete()
    return deleted


class ApiTokenAuthentication(TokenAuthentication):
    """`Authorization: Token <64 hex digits>`; request.auth is the AuthToken row."""

    def authenticate_credentials(self, token: bytes):
        if not _TOKEN.fullmatch(token):
            raise exceptions.AuthenticationFailed("Invalid token.")
        return super().authenticate_credentials(token)

    def _cleanup_token(self, auth_token) -> bool:
        # This token only. knox also sweeps the user's other expired tokens on
        # every request, a query each time; api_token_issue does that at login.
        if auth_token.expiry is not None and auth_token.expiry < timezone.now():
            auth_token.delete()
            return True
        return False

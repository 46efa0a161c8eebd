"""The tool's own signing keys: generate, rotate, publish, sign.

The newest key signs (deep-linking responses and AGS token requests, later);
the JWKS publishes it and the one before, so a platform that cached our keyset
before a rotation still verifies what we signed with the previous key until
that key is removed. Private keys leave this module only as signatures.
"""

from __future__ import annotations

import json
import time

import jwt
from django.db import transaction
from jwcrypto.jwk import JWK

from lti.models import ToolKey

PUBLISHED_KEY_COUNT = 2  # the current one and the previous one


def tool_key_generate() -> ToolKey:
    jwk = JWK.generate(kty="RSA", size=2048)
    return ToolKey.objects.create(
        kid=jwk.thumbprint(),
        public_pem=jwk.export_to_pem().decode("ascii"),
        private_pem=jwk.export_to_pem(private_key=True, password=None).decode("ascii"),
    )


@transaction.atomic
def tool_key_rotate(*, remove_older: bool = False) -> tuple[ToolKey, int]:
    """A new current key; with remove_older, every key but the new one and its predecessor is deleted.

    Returns the new key and how many keys were removed.
    """
    new_key = tool_key_generate()
    removed = 0
    if remove_older:
        keep = list(ToolKey.objects.values_list("id", flat=True)[:PUBLISHED_KEY_COUNT])
        removed, _ = ToolKey.objects.exclude(id__in=keep).delete()
    return new_key, removed


def tool_key_current() -> ToolKey:
    """The signing key, made on first use so a new installation needs no step to publish a keyset."""
    key = ToolKey.objects.first()
    return key if key is not None else tool_key_generate()


def tool_jwks() -> dict:
    keys = []
    for key in ToolKey.objects.all()[:PUBLISHED_KEY_COUNT]:
        public = json.loads(JWK.from_pem(key.public_pem.encode("ascii")).export_public())
        keys.append({**public, "kid": key.kid, "alg": "RS256", "use": "sig"})
    return {"keys": keys}


def tool_message_sign(*, claims: dict, lifetime_seconds: int = 300) -> str:
    """A JWT with `claims`, signed by the current key (iat and exp added)."""
    key = tool_key_current()
    now = int(time.time())
    payload = {"iat": now, "exp": now + lifetime_seconds, **claims}
    return jwt.encode(payload, key.private_pem, algorithm="RS256", headers={"kid": key.kid})

"""The tool's keyset: current and previous key published, rotation, removal, and no private key anywhere."""

import io
import json

import jwt
import pytest
from django.core.management import call_command
from jwcrypto.jwk import JWK

from lti.keys import tool_message_sign
from lti.models import ToolKey

pytestmark = pytest.mark.django_db

PRIVATE_PARAMS = {"d", "p", "q", "dp", "dq", "qi"}


def _jwks(client):
    response = client.get("/lti/jwks/")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    return response.json()


def _platform_verifies(client, token):
    """What an LMS does with a message we signed: pick our key by kid from /lti/jwks/ and check."""
    kid = jwt.get_unverified_header(token)["kid"]
    keys = {key["kid"]: key for key in _jwks(client)["keys"]}
    if kid not in keys:
        return False
    public_pem = JWK(**keys[kid]).export_to_pem()
    try:
        jwt.decode(token, public_pem, algorithms=["RS256"], audience="https://lms.example.edu")
    except jwt.InvalidTokenError:
        return False
    return True


def _rotate(**options):
    call_command("lti_rotate_key", stdout=io.StringIO(), **options)


def test_a_new_installation_publishes_one_key_made_on_first_signature(client):
    assert _jwks(client) == {"keys": []}
    token = tool_message_sign(claims={"aud": "https://lms.example.edu"})
    assert _platform_verifies(client, token)
    assert len(_jwks(client)["keys"]) == 1


def test_after_rotation_both_keys_are_published_and_both_signatures_verify(client):
    before = tool_message_sign(claims={"aud": "https://lms.example.edu"})
    _rotate()
    after = tool_message_sign(claims={"aud": "https://lms.example.edu"})
    keys = _jwks(client)["keys"]
    assert len(keys) == 2
    assert jwt.get_unverified_header(before)["kid"] != jwt.get_unverified_header(after)["kid"]
    assert {key["kid"] for key in keys} == {jwt.get_unverified_header(t)["kid"] for t in (before, after)}
    assert all(key["alg"] == "RS256" and key["use"] == "sig" and key["kty"] == "RSA" for key in keys)
    assert _platform_verifies(client, before) and _platform_verifies(client, after)


def test_removing_older_keys_unpublishes_them(client):
    oldest = tool_message_sign(claims={"aud": "https://lms.example.edu"})
    _rotate()
    previous = tool_message_sign(claims={"aud": "https://lms.example.edu"})
    _rotate(remove_older=True)
    current = tool_message_sign(claims={"aud": "https://lms.example.edu"})
    assert ToolKey.objects.count() == 2
    assert not _platform_verifies(client, oldest)
    assert _platform_verifies(client, previous) and _platform_verifies(client, current)


def test_a_message_signed_by_another_key_with_our_kid_does_not_verify(client):
    genuine = tool_message_sign(claims={"aud": "https://lms.example.edu"})
    kid = jwt.get_unverified_header(genuine)["kid"]
    forger = JWK.generate(kty="RSA", size=2048)
    forged = jwt.encode({"aud": "https://lms.example.edu"}, forger.export_to_pem(private_key=True, password=None),
                        algorithm="RS256", headers={"kid": kid})
    assert not _platform_verifies(client, forged)


def test_the_keyset_never_carries_a_private_part(client):
    _rotate()
    _rotate()
    body = client.get("/lti/jwks/").content.decode()
    assert "PRIVATE" not in body
    for key in json.loads(body)["keys"]:
        assert PRIVATE_PARAMS.isdisjoint(key)
    for key in ToolKey.objects.all():
        assert key.private_pem.splitlines()[1] not in body
        assert "PRIVATE" not in repr(key) and "PRIVATE" not in str(key)


def test_the_command_says_which_key_it_made(capsys):
    call_command("lti_rotate_key")
    out = capsys.readouterr().out
    assert ToolKey.objects.get().kid in out
    assert "PRIVATE" not in out

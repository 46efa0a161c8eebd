"""A minimal LMS for tests: signs id_tokens with its own RSA key and serves its keyset over loopback.

The tool fetches the keyset over real HTTP, as it would from Canvas or
Moodle, but only from 127.0.0.1: no test reaches the network.
"""

from __future__ import annotations

import json
import threading
import time
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

import jwt
from jwcrypto.jwk import JWK

CLAIM = "https://purl.imsglobal.org/spec/lti/claim/"
LEARNER = "http://purl.imsglobal.org/vocab/lis/v2/membership#Learner"
INSTRUCTOR = "http://purl.imsglobal.org/vocab/lis/v2/membership#Instructor"
TEACHING_ASSISTANT = "http://purl.imsglobal.org/vocab/lis/v2/membership/Instructor#TeachingAssistant"


class KeysetServer:
    """Serves a JWKS at http://127.0.0.1:<port>/jwks and counts how often it was asked."""

    def __init__(self):
        self.jwks = {"keys": []}
        self.requests = 0
        owner = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):
                owner.requests += 1
                body = json.dumps(owner.jwks).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args):
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}/jwks"

    def close(self):
        self._server.shutdown()
        self._server.server_close()


class TestPlatform:
    """One LMS: issuer, client id, a deployment, and a key pair of its own."""

    __test__ = False  # not a pytest test class

    def __init__(self, *, keyset_url: str, issuer="https://lms.example.edu", client_id="tool-client-1"):
        self.issuer = issuer
        self.client_id = client_id
        self.deployment_id = "deployment-1"
        self.auth_login_url = f"{issuer}/auth"
        self.keyset_url = keyset_url
        self.key = JWK.generate(kty="RSA", size=2048, kid=uuid.uuid4().hex)

    def public_jwks(self) -> dict:
        return {"keys": [{**json.loads(self.key.export_public()), "alg": "RS256", "use": "sig"}]}

    def login_params(self, *, target_link_uri: str) -> dict:
        return {
            "iss": self.issuer,
            "login_hint": "hint-1",
            "target_link_uri": target_link_uri,
            "client_id": self.client_id,
            "lti_deployment_id": self.deployment_id,
        }

    def id_token(self, *, nonce: str, sub="student-42", roles=(LEARNER,), target_link_uri="", custom=None,
                 signing_key: JWK | None = None, expires_in=300, deployment_id=None, extra=None) -> str:
        now = int(time.time())
        claims = {
            "iss": self.issuer,
            "aud": self.client_id,
            "sub": sub,
            "iat": now - 5,
            "exp": now + expires_in,
            "nonce": nonce,
            "given_name": "Lin",
            "family_name": "Wei",
            "name": "Lin Wei",
            "email": "lin.wei@example.edu",
            CLAIM + "message_type": "LtiResourceLinkRequest",
            CLAIM + "version": "1.3.0",
            CLAIM + "deployment_id": deployment_id or self.deployment_id,
            CLAIM + "target_link_uri": target_link_uri,
            CLAIM + "resource_link": {"id": "link-1"},
            CLAIM + "roles": list(roles),
            CLAIM + "context": {"id": "context-1", "title": "LLM Foundations"},
        }
        if custom is not None:
            claims[CLAIM + "custom"] = custom
        claims.update(extra or {})
        key = signing_key or self.key
        return jwt.encode(claims, key.export_to_pem(private_key=True, password=None), algorithm="RS256",
                          headers={"kid": self.key.kid})

    @staticmethod
    def auth_request(location: str) -> dict:
        """The parameters the tool sent to the platform's authorisation endpoint."""
        return {name: values[0] for name, values in parse_qs(urlsplit(location).query).items()}


def login(client, platform, *, target="http://testserver/exercises/attention/"):
    """OIDC login initiation; returns the nonce and state the tool sent to the platform."""
    response = client.post("/lti/login/", platform.login_params(target_link_uri=target))
    assert response.status_code == 302, response.content
    auth = platform.auth_request(response["Location"])
    assert auth["client_id"] == platform.client_id
    assert auth["redirect_uri"] == "http://testserver/lti/launch/"
    return auth["nonce"], auth["state"]


def launch(client, platform, *, target="http://testserver/exercises/attention/", state=None, **token):
    nonce, issued_state = login(client, platform, target=target)
    id_token = platform.id_token(nonce=nonce, target_link_uri=target, **token)
    data = {"id_token": id_token, "state": issued_state if state is None else state}
    if state == "":
        del data["state"]
    return client.post("/lti/launch/", data), data

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


# --- The emulated LMS: lti1p3platform's platform services over loopback HTTP ----------------
#
# lti1p3platform (PyPI) implements the platform side of LTI 1.3 as framework-free
# pieces: the OAuth2 client-credentials endpoint (checks our signed assertion
# against our keyset), the AGS and NRPS request handlers (check the bearer token
# and its scopes), and the deep-linking response check (our signature, message
# type, content item types). It has no HTTP server and no storage of its own, so
# this is both: a ThreadingHTTPServer on 127.0.0.1:0 routing to those handlers,
# and dictionaries for line items, scores and members.

from lti1p3platform.ags import LtiAgs  # noqa: E402
from lti1p3platform.deep_linking import LtiDeepLinking  # noqa: E402
from lti1p3platform.exceptions import (  # noqa: E402
    LineItemNotFoundException,
    LtiDeepLinkingResponseException,
    LtiException,
)
from lti1p3platform.ltiplatform import LTI1P3PlatformConfAbstract  # noqa: E402
from lti1p3platform.membership import Context  # noqa: E402
from lti1p3platform.nrps import LtiNrps  # noqa: E402
from lti1p3platform.registration import Registration as PlatformRegistrationConf  # noqa: E402
from lti1p3platform.request import Request as PlatformRequest  # noqa: E402
from lti1p3platform.score import UpdateScoreStatus  # noqa: E402
from lti1p3platform.service_connector import AssignmentsGradesService, NamesRoleProvisioningService  # noqa: E402

DEEP_LINKING_REQUEST = "LtiDeepLinkingRequest"


class _Conf(LTI1P3PlatformConfAbstract):
    def init_platform_config(self, registration):
        self._registration = registration

    def get_registration_by_params(self, **kwargs):
        return self._registration


class _HttpRequest(PlatformRequest):
    """lti1p3platform's view of one request the loopback server received."""

    def build_metadata(self, request):
        handler, body = request
        split = urlsplit(handler.path)
        query = {name: values[0] for name, values in parse_qs(split.query).items()}
        for name in ("page", "limit"):  # the library does arithmetic on these
            if name in query:
                query[name] = int(query[name])
        content_type = handler.headers.get("Content-Type", "")
        form = {name: values[0] for name, values in parse_qs(body.decode()).items()} if "form" in content_type else {}
        parsed = None
        if "json" in content_type and body:
            parsed = json.loads(body)
        return {
            "method": handler.command, "form_data": form, "get_data": query, "headers": handler.headers,
            "content_type": content_type, "path": split.path, "json": parsed,
        }  # fmt: skip


def _iso(value: str) -> float:
    from datetime import datetime

    return datetime.fromisoformat(value.replace("Z", "+00:00")).timestamp()


class EmulatedLms(TestPlatform):
    """An LMS on 127.0.0.1: keyset, token endpoint, line items and scores (AGS), memberships (NRPS), deep-link return.

    `down = True` answers every service call with 503, as an LMS under
    maintenance does. Everything it received is kept for the tests to read.
    """

    def __init__(self, *, issuer="https://lms.example.edu", client_id="tool-client-1", tool_keyset_url=None):
        super().__init__(keyset_url="", issuer=issuer, client_id=client_id)
        self.lock = threading.RLock()
        self.down = False
        self.token_requests = 0
        self.lineitems: dict[str, dict] = {}
        self.score_posts: list[dict] = []  # every score received, accepted or not, with "status"
        self.results: dict[tuple[str, str], dict] = {}  # (line item id, user id) -> the last accepted score
        self.members: list[dict] = []
        self.deep_link_returns: list[list[dict]] = []  # content items of each verified response
        self.score_arrived = threading.Condition(self.lock)
        registration = (
            PlatformRegistrationConf()
            .set_iss(issuer)
            .set_client_id(client_id)
            .set_deployment_id(self.deployment_id)
            .set_platform_public_key(self.key.export_to_pem().decode())
            .set_platform_private_key(self.key.export_to_pem(private_key=True, password=None).decode())
        )
        if tool_keyset_url:
            registration.set_tool_key_set_url(tool_keyset_url)
        self.conf = _Conf(registration=registration)
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler_class())
        self._server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}"
        self.keyset_url = self.url + "/jwks"
        self.token_url = self.url + "/token"
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()

    def close(self):
        self._server.shutdown()
        self._server.server_close()

    # --- what the tool is told ---------------------------------------------------------

    def trust_tool_keys(self, jwks: dict) -> None:
        """Our keyset as the LMS has it on file (tests without a web server to fetch /lti/jwks/ from)."""
        self.conf.get_registration().set_tool_key_set(jwks)

    def lineitems_url(self, context_id="context-1") -> str:
        return f"{self.url}/contexts/{context_id}/lineitems"

    def memberships_url(self, context_id="context-1", *, limit=None) -> str:
        url = f"{self.url}/contexts/{context_id}/memberships"
        return f"{url}?limit={limit}" if limit else url

    def add_lineitem(self, *, resource_id: str, score_maximum: float, label="", resource_link_id="link-1",
                     context_id="context-1") -> str:
        with self.lock:
            item_id = str(len(self.lineitems) + 1)
            url = f"{self.lineitems_url(context_id)}/{item_id}"
            self.lineitems[item_id] = {
                "id": url, "scoreMaximum": score_maximum, "label": label or resource_id, "resourceId": resource_id,
                "resourceLinkId": resource_link_id,
            }  # fmt: skip
        return url

    def placement_claims(self, *, lineitem_url=None, resource_link_id="link-1", context_id="context-1",
                         memberships_limit=None) -> dict:
        """What a resource-link launch of a placement carries: its link, context, AGS endpoint and NRPS service."""
        return {
            CLAIM + "resource_link": {"id": resource_link_id},
            CLAIM + "context": {"id": context_id, "title": "LLM Foundations"},
            **LtiAgs(lineitems_url=self.lineitems_url(context_id), lineitem_url=lineitem_url,
                     allow_creating_lineitems=True).get_lti_ags_launch_claim(),
            **LtiNrps(context_memberships_url=self.memberships_url(context_id, limit=memberships_limit))
            .get_lti_nrps_launch_claim(),
        }  # fmt: skip

    def deep_linking_claims(self, *, data="opaque-42") -> dict:
        claims = LtiDeepLinking(deep_linking_return_url=self.url + "/deep-link-return").get_lti_deep_linking_launch_claim(
            title="Add an activity", accept_types={"ltiResourceLink"}, extra_data=data
        )
        claims[CLAIM + "message_type"] = DEEP_LINKING_REQUEST
        return claims

    # --- what it received ----------------------------------------------------------------

    def scores_for(self, user_id: str) -> list[dict]:
        with self.lock:
            return [post for post in self.score_posts if post["score"].get("userId") == user_id]

    def wait_for_scores(self, count: int, *, timeout: float) -> list[dict]:
        """The accepted scores once there are `count` of them (or what there is when `timeout` s pass)."""
        deadline = time.monotonic() + timeout
        with self.score_arrived:
            while True:
                accepted = [post for post in self.score_posts if post["status"] in (200, 201)]
                remaining = deadline - time.monotonic()
                if len(accepted) >= count or remaining <= 0:
                    return accepted
                self.score_arrived.wait(remaining)

    # --- the services -----------------------------------------------------------------------

    def _ags(self, request, context_id):
        lms = self

        class Service(AssignmentsGradesService):
            def find_lineitems(self, page=1, limit=None, line_item_id=None, resource_link_id=None, resource_id=None,
                               tag=None, **_ignored):
                items = [i for i in lms.lineitems.values()
                         if resource_id in (None, i["resourceId"]) and resource_link_id in (None, i["resourceLinkId"])]
                return {"content": items, "has_next": False}

            def find_lineitem(self, line_item_id):
                if line_item_id not in lms.lineitems:
                    raise LineItemNotFoundException(line_item_id)
                return lms.lineitems[line_item_id]

            def create_lineitem(self, creation_data):
                url = lms.add_lineitem(resource_id=creation_data.get("resourceId", ""),
                                       score_maximum=creation_data["scoreMaximum"], label=creation_data.get("label", ""),
                                       resource_link_id=creation_data.get("resourceLinkId", ""), context_id=context_id)
                return lms.lineitems[url.rsplit("/", 1)[1]]

            def update_lineitem(self, update_data):
                raise LineItemNotFoundException("not supported here")

            def delete_lineitem(self, line_item_id):
                raise LineItemNotFoundException("not supported here")

            def update_score(self, line_item_id, score):
                self.find_lineitem(line_item_id)
                key = (line_item_id, str(score.get("userId")))
                previous = lms.results.get(key)
                # AGS 2.0 §3.4.1: a score older than (or as old as) the last one taken is not applied
                if previous is not None and _iso(score["timestamp"]) <= _iso(previous["timestamp"]):
                    return UpdateScoreStatus.OLD_TIMESTAMP
                lms.results[key] = score
                return UpdateScoreStatus.SUCCESS if previous is not None else UpdateScoreStatus.CREATED

            def get_results(self, line_item_id, page=1, limit=None, user_id=None):
                self.find_lineitem(line_item_id)
                content = [{"userId": user, "resultScore": s.get("scoreGiven"), "resultMaximum": s["scoreMaximum"]}
                           for (item, user), s in lms.results.items() if item == line_item_id]
                return {"content": content, "has_next": False}

        return Service(request, self.conf, lineitems_url=self.lineitems_url(context_id))

    def _nrps(self, request, context_id):
        lms = self

        class Service(NamesRoleProvisioningService):
            def get_member_data_page(self, page=1, limit=None, role=None, since=None, **_ignored):
                members = lms.members
                if limit is None:
                    return {"content": list(members), "has_next": False}
                start = (page - 1) * limit
                return {"content": members[start:start + limit], "has_next": start + limit < len(members)}

            def get_context_by_id(self):
                return Context(id=context_id, label="LLM", title="LLM Foundations")

            def is_resource_link_valid(self, context_id, resource_link_id):
                return True

        return Service(request, self.conf, context_memberships_url=self.memberships_url(context_id))

    def _deep_link_return(self, request) -> tuple[int, dict]:
        token = request.form_data.get("JWT", "")
        try:
            items = self.conf.validate_deeplinking_resp({"JWT": token})
        except (LtiDeepLinkingResponseException, jwt.InvalidTokenError, AssertionError, KeyError, ValueError) as exc:
            return 400, {"error": f"{type(exc).__name__}: {exc}"}
        body = jwt.decode(token, options={"verify_signature": False})  # verified just above
        # what the library leaves to the platform: the message is ours, for us, for this deployment
        if (body.get("iss") != self.client_id or self.issuer not in (body.get("aud") if isinstance(body.get("aud"), list) else [body.get("aud")])
                or body.get(CLAIM + "deployment_id") != self.deployment_id):  # fmt: skip
            return 400, {"error": "iss, aud or deployment_id do not match"}
        with self.lock:
            placed = []
            for item in items:
                line_item = item.get("lineItem")
                lineitem_url = None
                if line_item:
                    lineitem_url = self.add_lineitem(resource_id=line_item.get("resourceId", ""),
                                                     score_maximum=line_item["scoreMaximum"],
                                                     label=line_item.get("label", ""))
                placed.append({**item, "lineitem_url": lineitem_url,
                               "data": body.get("https://purl.imsglobal.org/spec/lti-dl/claim/data")})
            self.deep_link_returns.append(placed)
        return 200, {"placed": len(placed)}

    def _route(self, handler, body: bytes) -> tuple[int, str, bytes, dict]:
        path = urlsplit(handler.path).path
        request = _HttpRequest((handler, body))
        if path == "/jwks":
            return 200, "application/json", json.dumps(self.public_jwks()).encode(), {}
        if self.down:
            return 503, "text/plain", b"down for maintenance", {}
        try:
            return self._route_service(handler, request, path)
        except (jwt.InvalidTokenError, LtiException) as exc:  # a bearer token the library cannot read
            return 401, "application/json", json.dumps({"error": f"invalid token: {exc}"}).encode(), {}

    def _route_service(self, handler, request, path: str) -> tuple[int, str, bytes, dict]:
        parts = path.strip("/").split("/")
        with self.lock:
            if path == "/token" and handler.command == "POST":
                self.token_requests += 1
                try:
                    result = self.conf.get_access_token(request.form_data)
                except Exception as exc:  # the library raises several kinds; each is a refused request
                    return 400, "application/json", json.dumps({"error": "invalid_client", "detail": str(exc)}).encode(), {}
                return 200, "application/json", json.dumps(result).encode(), {}
            if path == "/deep-link-return" and handler.command == "POST":
                status, result = self._deep_link_return(request)
                return status, "application/json", json.dumps(result).encode(), {}
            if len(parts) >= 3 and parts[0] == "contexts":
                context_id = parts[1]
                if parts[2] == "memberships":
                    response = self._nrps(request, context_id).handle_resp(self._nrps(request, context_id).handle_get_members)
                    return self._reply(response)
                if parts[2] == "lineitems":
                    service = self._ags(request, context_id)
                    if len(parts) == 3:
                        handle = service.handle_get_lineitems if handler.command == "GET" else service.handle_create_lineitem
                        return self._reply(service.handle_resp(handle))
                    if len(parts) == 5 and parts[4] == "scores":
                        response = service.handle_resp(service.handle_update_score, line_item_id=parts[3])
                        self.score_posts.append({"score": request.json or {}, "status": response.code,
                                                 "lineitem": parts[3], "received_at": time.time()})
                        self.score_arrived.notify_all()
                        return self._reply(response)
                    if len(parts) == 4:
                        return self._reply(service.handle_resp(service.handle_get_lineitem, line_item_id=parts[3]))
        return 404, "text/plain", b"no such endpoint", {}

    @staticmethod
    def _reply(response) -> tuple[int, str, bytes, dict]:
        if response.result is None:
            body = b"" if response.code < 400 else json.dumps({"error": response.message}).encode()
            return response.code, "application/json", body, {}
        return response.code, response.media_type, json.dumps(response.result).encode(), {}

    def _handler_class(self):
        lms = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def _serve(self):
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                status, content_type, payload, headers = lms._route(self, body)
                self.send_response(status)
                self.send_header("Content-Type", content_type)
                self.send_header("Content-Length", str(len(payload)))
                for name, value in headers.items():
                    self.send_header(name, value)
                self.end_headers()
                self.wfile.write(payload)

            do_GET = do_POST = do_PUT = do_DELETE = _serve

            def log_message(self, *args):
                pass

        return Handler


def http_launch(session, base_url: str, platform, *, target: str, state=None, replay=None, **token):
    """The browser's part of a launch over real HTTP: login initiation, then the id_token posted back with the state cookie.

    Returns the launch response (redirects not followed) and the form posted,
    which `replay` posts again as is.
    """
    if replay is not None:
        return session.post(base_url + "/lti/launch/", data=replay, allow_redirects=False, timeout=10), replay
    login_response = session.post(base_url + "/lti/login/", data=platform.login_params(target_link_uri=target),
                                  allow_redirects=False, timeout=10)
    assert login_response.status_code == 302, login_response.text[:500]
    auth = platform.auth_request(login_response.headers["Location"])
    form = {"id_token": platform.id_token(nonce=auth["nonce"], target_link_uri=target, **token),
            "state": auth["state"] if state is None else state}
    if state == "":
        del form["state"]
    return session.post(base_url + "/lti/launch/", data=form, allow_redirects=False, timeout=10), form

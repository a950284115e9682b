"""A real OpenID provider for the tests, built from Authlib's server components.

`OpenIDProvider` serves, on a loopback port (werkzeug's server in a thread): the discovery
document, the JWKS, an authorization endpoint that signs in one configured test person
without asking (`provider.person`), and a token endpoint that issues an RS256 id_token
(Authlib's AuthorizationCodeGrant with the OpenIDCode extension).

A test can make it mis-issue the next id_tokens (`provider.misissue`): "audience" (for
another client, naming ours only in `azp`), "expired" (exp an hour ago) or "issuer".
"""

from __future__ import annotations

import secrets
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from authlib.integrations.flask_oauth2 import AuthorizationServer
from authlib.oauth2.rfc6749 import grants
from authlib.oidc.core import UserInfo
from authlib.oidc.core.grants import OpenIDCode
from flask import Flask, jsonify
from joserfc.jwk import RSAKey
from markupsafe import escape
from werkzeug.serving import make_server

CLIENT_ID = "crm-academy"
CLIENT_SECRET = "provider-test-secret"
KEY_ID = "test-signing-key"


@dataclass
class Client:
    """The portal, as registered with the provider (Authlib's ClientMixin methods)."""

    client_id: str
    client_secret: str
    redirect_uris: list[str] = field(default_factory=list)  # empty: any loopback callback

    def get_client_id(self):
        return self.client_id

    def get_default_redirect_uri(self):
        return self.redirect_uris[0] if self.redirect_uris else None

    def get_allowed_scope(self, scope):
        return " ".join(s for s in scope.split() if s in ("openid", "email", "profile"))

    def check_redirect_uri(self, redirect_uri):
        if self.redirect_uris:
            return redirect_uri in self.redirect_uris
        return urlsplit(redirect_uri).hostname in ("127.0.0.1", "localhost")

    def check_client_secret(self, client_secret):
        return secrets.compare_digest(client_secret, self.client_secret)

    def check_endpoint_auth_method(self, method, endpoint):
        return method in ("client_secret_basic", "client_secret_post")

    def check_response_type(self, response_type):
        return response_type == "code"

    def check_grant_type(self, grant_type):
        return grant_type == "authorization_code"


@dataclass
class Code:
    """An authorization code (Authlib's AuthorizationCodeMixin, with OpenID's extras)."""

    code: str
    client_id: str
    redirect_uri: str
    scope: str
    person: dict
    nonce: str | None
    auth_time: int

    def get_redirect_uri(self):
        return self.redirect_uri

    def get_scope(self):
        return self.scope

    def get_nonce(self):
        return self.nonce

    def get_auth_time(self):
        return self.auth_time

    def get_acr(self):
        return None

    def get_amr(self):
        return None


class OpenIDProvider:
    """A provider on http://127.0.0.1:<port>; `start()` it, `stop()` it when done."""

    def __init__(self, client_id: str = CLIENT_ID, client_secret: str = CLIENT_SECRET):
        self.client = Client(client_id, client_secret)
        self.key = RSAKey.generate_key(2048, parameters={"kid": KEY_ID, "use": "sig"})
        self.person: dict = {}
        self.misissue: str | None = None
        self.ask_first = False  # show a "Continue" page instead of redirecting at once
        self.codes: dict[str, Code] = {}
        self.nonces: set[str] = set()
        self.tokens_issued = 0
        self.url = ""
        self._server = None
        self._thread = None
        self.app = self._build_app()

    # The person the authorization endpoint signs in (claims of the id_token).
    def sign_in_as(self, email: str, *, verified: bool = True, name: str = "", sub: str = ""):
        self.person = {
            "sub": sub or "sub-" + email,
            "email": email,
            "email_verified": verified,
            "name": name or email.partition("@")[0].title(),
        }

    def start(self) -> OpenIDProvider:
        self._server = make_server("127.0.0.1", 0, self.app, threaded=True)
        self.url = f"http://127.0.0.1:{self._server.server_port}"
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._thread.join(timeout=5)

    def _claims_for_client(self, client) -> dict:
        now = int(time.time())
        claims = {"iss": self.url, "aud": [client.get_client_id()], "iat": now, "exp": now + 300}
        if self.misissue == "audience":
            claims["aud"] = ["another-application"]
            claims["azp"] = client.get_client_id()
        elif self.misissue == "expired":
            claims["iat"], claims["exp"] = now - 7200, now - 3600
        elif self.misissue == "issuer":
            claims["iss"] = "http://127.0.0.1:1/someone-else"
        return claims

    def _build_app(self) -> Flask:
        provider = self
        app = Flask("oidc_provider")

        class OpenIDCodeExtension(OpenIDCode):
            def exists_nonce(self, nonce, request):
                return nonce in provider.nonces

            def resolve_client_private_key(self, client):
                return provider.key

            def get_client_algorithm(self, client):
                return "RS256"

            def get_client_claims(self, client):
                return provider._claims_for_client(client)

            def get_encode_header(self, client):
                return {"alg": "RS256", "kid": KEY_ID}

            def generate_user_info(self, user, scope):
                info = UserInfo(sub=user["sub"])
                if "email" in scope:
                    info["email"] = user["email"]
                    info["email_verified"] = user["email_verified"]
                if "profile" in scope:
                    info["name"] = user["name"]
                return info

        class CodeGrant(grants.AuthorizationCodeGrant):
            TOKEN_ENDPOINT_AUTH_METHODS = ["client_secret_basic", "client_secret_post"]

            def save_authorization_code(self, code, request):
                nonce = request.payload.data.get("nonce")
                if nonce:
                    provider.nonces.add(nonce)
                provider.codes[code] = Code(
                    code=code,
                    client_id=request.client.get_client_id(),
                    redirect_uri=request.payload.redirect_uri,
                    scope=request.payload.scope,
                    person=dict(request.user),
                    nonce=nonce,
                    auth_time=int(time.time()),
                )

            def query_authorization_code(self, code, client):
                found = provider.codes.get(code)
                if found and found.client_id == client.get_client_id():
                    return found
                return None

            def delete_authorization_code(self, authorization_code):
                provider.codes.pop(authorization_code.code, None)

            def authenticate_user(self, authorization_code):
                return authorization_code.person

        def query_client(client_id):
            return provider.client if client_id == provider.client.client_id else None

        def save_token(token, request):
            provider.tokens_issued += 1

        server = AuthorizationServer(app, query_client=query_client, save_token=save_token)
        server.register_grant(CodeGrant, [OpenIDCodeExtension(require_nonce=True)])

        @app.get("/.well-known/openid-configuration")
        def discovery():
            return jsonify(
                issuer=provider.url,
                authorization_endpoint=provider.url + "/authorize",
                token_endpoint=provider.url + "/token",
                jwks_uri=provider.url + "/jwks",
                response_types_supported=["code"],
                subject_types_supported=["public"],
                id_token_signing_alg_values_supported=["RS256"],
                scopes_supported=["openid", "email", "profile"],
                token_endpoint_auth_methods_supported=[
                    "client_secret_basic",
                    "client_secret_post",
                ],
                claims_supported=["sub", "email", "email_verified", "name"],
            )

        @app.get("/jwks")
        def jwks():
            return jsonify(keys=[provider.key.as_dict(private=False)])

        @app.get("/authorize")
        def authorize():
            # The configured person is signed in at the provider and approves at once.
            response = server.create_authorization_response(grant_user=provider.person)
            if provider.ask_first and response.status_code == 302:
                back = escape(response.headers["Location"])
                return f'<!doctype html><title>Provider</title><a href="{back}">Continue</a>'
            return response

        @app.post("/token")
        def token():
            return server.create_token_response()

        return app


def running_provider() -> Iterator[OpenIDProvider]:
    """A started provider, stopped afterwards (the body of a session fixture)."""
    provider = OpenIDProvider().start()
    yield provider
    provider.stop()


def use_provider(app, provider: OpenIDProvider, monkeypatch) -> OpenIDProvider:
    """Set the app up for single sign-on against `provider`, which behaves again."""
    settings = {
        "OIDC_ISSUER": provider.url,
        "OIDC_CLIENT_ID": provider.client.client_id,
        "OIDC_CLIENT_SECRET": provider.client.client_secret,
        "OIDC_NAME": "Example SSO",
        "OIDC_ALLOWED_DOMAINS": "example.com",
        "OIDC_DEFAULT_ROLE": "learner",
        "OIDC_DEFAULT_DEPARTMENT": "New starters",
    }
    for key, value in settings.items():
        monkeypatch.setitem(app.config, key, value)
    provider.misissue = None
    provider.ask_first = False
    provider.person = {}
    return provider

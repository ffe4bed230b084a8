"""An MSAL public-client app whose token cache is a PersistedTokenCache over
LocketPersistence, for the MSAL tests. MSAL reaches Microsoft's endpoints
through an ``http_client``; with loopback-only networking, this one is an
in-process stand-in answering the discovery documents and the token endpoint
with AAD-shaped responses (the only fake: everything between MSAL, the cache,
msal-extensions and locketd is real).

    msal_app.py login PREFIX COUNT [CACHE]  log COUNT users in (username/password grant)
    msal_app.py wait PREFIX COUNT [CACHE]   until COUNT accounts PREFIX* are cached, then
                                            acquire_token_silent for each (no token request)

CACHE: "persisted" (PersistedTokenCache and its default lock file, the
default), "persisted:LOCKPATH" (its lock file at LOCKPATH), or "locket"
(LocketTokenCache: no lock file).

Prints one JSON object. The socket is $LOCKET_SOCKET.
"""
import base64
import json
import sys
import time
import warnings
from urllib.parse import parse_qs

import msal
from msal_extensions import PersistedTokenCache

from locket.msal_cache import LocketPersistence, LocketTokenCache

CLIENT_ID = "00000000-0000-0000-0000-00000000c11e"
TENANT = "11111111-2222-3333-4444-555555555555"
AUTHORITY = "https://login.microsoftonline.com/organizations"
SCOPES = ["User.Read"]


def b64(document) -> str:
    return base64.urlsafe_b64encode(json.dumps(document).encode()).rstrip(b"=").decode()


class Response:
    def __init__(self, document, status=200):
        self.status_code = status
        self.text = json.dumps(document)
        self.headers = {"Content-Type": "application/json"}

    def raise_for_status(self):
        if self.status_code >= 400:
            raise RuntimeError(f"HTTP {self.status_code}")


class StandInIdentityProvider:
    """MSAL's http_client: discovery documents and a token endpoint, AAD-shaped."""

    def __init__(self):
        self.token_requests = 0

    def get(self, url, params=None, headers=None, **kwargs):
        if "openid-configuration" in url:
            base = f"https://login.microsoftonline.com/{TENANT}"
            return Response({"authorization_endpoint": f"{base}/oauth2/v2.0/authorize",
                             "token_endpoint": f"{base}/oauth2/v2.0/token",
                             "device_authorization_endpoint": f"{base}/oauth2/v2.0/devicecode",
                             "issuer": f"https://login.microsoftonline.com/{TENANT}/v2.0"})
        if "userrealm" in url:
            return Response({"account_type": "Managed", "domain_name": "example.com", "ver": "1.0"})
        if "discovery/instance" in url:
            return Response({"tenant_discovery_endpoint": f"{AUTHORITY}/v2.0/.well-known/openid-configuration",
                             "metadata": []})
        return Response({"error": "not_found"}, 404)

    def post(self, url, params=None, data=None, headers=None, **kwargs):
        self.token_requests += 1
        form = data if isinstance(data, dict) else {k: v[0] for k, v in parse_qs(data or "").items()}
        user = form.get("username", "someone@example.com")
        uid = user.split("@")[0]
        now = int(time.time())
        claims = {"iss": f"https://login.microsoftonline.com/{TENANT}/v2.0", "sub": f"sub-{uid}", "aud": CLIENT_ID,
                  "exp": now + 3600, "iat": now, "nbf": now, "oid": f"oid-{uid}", "tid": TENANT,
                  "preferred_username": user, "name": uid}
        return Response({"token_type": "Bearer", "scope": " ".join(SCOPES), "expires_in": 3600,
                         "ext_expires_in": 3600, "access_token": f"at-{uid}-{now}",
                         "refresh_token": f"rt-{uid}-{now}",
                         "id_token": b64({"alg": "none", "typ": "JWT"}) + "." + b64(claims) + ".",
                         "client_info": b64({"uid": f"oid-{uid}", "utid": TENANT})})

    def close(self):
        pass


def app(kind="persisted"):
    provider = StandInIdentityProvider()
    persistence = LocketPersistence("msal-test", "token-cache")
    if kind == "locket":
        cache = LocketTokenCache(persistence)
    else:
        lock = kind.partition(":")[2] or None
        cache = PersistedTokenCache(persistence, lock_location=lock)
    return msal.PublicClientApplication(CLIENT_ID, authority=AUTHORITY, token_cache=cache, http_client=provider,
                                        instance_discovery=False), provider


def main():
    warnings.simplefilter("ignore")
    mode, prefix, count = sys.argv[1], sys.argv[2], int(sys.argv[3])
    client, provider = app(sys.argv[4] if len(sys.argv) > 4 else "persisted")
    if mode == "login":
        failures = 0
        for i in range(count):
            result = client.acquire_token_by_username_password(f"{prefix}{i}@example.com", "pw", scopes=SCOPES)
            failures += "access_token" not in result
        print(json.dumps({"logged_in": count - failures, "token_requests": provider.token_requests}))
        return
    deadline = time.monotonic() + 120
    while True:
        mine = [a for a in client.get_accounts() if a["username"].startswith(prefix)]
        if len(mine) >= count or time.monotonic() > deadline:
            break
        time.sleep(0.05)
    silent = [client.acquire_token_silent(SCOPES, account=account) for account in mine]
    print(json.dumps({"accounts": len(mine),
                      "silent_tokens": sum(1 for r in silent if r and r.get("access_token", "").startswith("at-")),
                      "token_requests": provider.token_requests}))


if __name__ == "__main__":
    main()

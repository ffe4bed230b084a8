#!/usr/bin/env python3
"""A small OAuth 2.0 token server for the refresh-lease tests (standard library only).

127.0.0.1 only. Access tokens are short-lived: each expires after --access-uses
successful resource calls or --access-seconds, whichever comes first. Refresh
tokens rotate: every refresh_token grant returns a new one and spends the old
one. Presenting a spent refresh token again is reuse: the whole token family is
revoked (every access and refresh token of it stops working), as providers that
follow the OAuth 2.0 Security BCP do.

Endpoints:
  POST /token   grant_type=password&username=U   -> a new family (a login)
                grant_type=refresh_token&refresh_token=R
                -> 200 {"access_token","refresh_token","expires_in","token_type"}
                   or 400 {"error":"invalid_grant"} (unknown, spent -> reuse, revoked)
  GET  /resource  Authorization: Bearer A -> 200 {"ok":true} or 401
  GET  /stats   -> the counters, as JSON
Counters: logins, refreshes, reuses, revocations, early_refreshes (a refresh while
the family's access token was still valid), double_refreshes (a second refresh
of the same expired access token), resource_ok, resource_401, bad_grants.

Run: token_server.py [--access-uses N] [--access-seconds S] --port-file PATH
The port is written to PATH once the server listens.
"""
import argparse
import json
import os
import secrets
import threading
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class Family:
    def __init__(self, access_uses, access_seconds):
        self.revoked = False
        self.access_uses = access_uses
        self.access_seconds = access_seconds
        self.refresh = None
        self.spent = set()
        self.access = None
        self.uses = 0
        self.issued = 0.0
        # Access tokens a refresh replaced (each must be refreshed once).
        self.refreshed_access = set()

    def issue(self):
        self.access = "at-" + secrets.token_hex(8)
        self.refresh = "rt-" + secrets.token_hex(8)
        self.uses = 0
        self.issued = time.monotonic()

    def access_valid(self):
        return (not self.revoked and self.uses < self.access_uses
                and time.monotonic() - self.issued < self.access_seconds)


class State:
    def __init__(self, access_uses, access_seconds):
        self.lock = threading.Lock()
        self.access_uses = access_uses
        self.access_seconds = access_seconds
        self.by_refresh = {}
        self.by_access = {}
        self.stats = {k: 0 for k in ("logins", "refreshes", "reuses", "revocations", "early_refreshes",
                                     "double_refreshes", "resource_ok", "resource_401", "bad_grants")}

    def tokens(self, family):
        self.by_refresh[family.refresh] = family
        self.by_access[family.access] = family
        return {"access_token": family.access, "refresh_token": family.refresh,
                "expires_in": self.access_seconds, "token_type": "Bearer"}

    def login(self):
        with self.lock:
            family = Family(self.access_uses, self.access_seconds)
            family.issue()
            self.stats["logins"] += 1
            return 200, self.tokens(family)

    def refresh(self, token):
        with self.lock:
            family = self.by_refresh.get(token)
            if family is None:
                self.stats["bad_grants"] += 1
                return 400, {"error": "invalid_grant", "error_description": "unknown refresh token"}
            if family.revoked:
                self.stats["bad_grants"] += 1
                return 400, {"error": "invalid_grant", "error_description": "token family revoked"}
            if token in family.spent:
                # Reuse of a rotated refresh token: treat it as theft, revoke the family.
                self.stats["reuses"] += 1
                self.stats["revocations"] += 1
                family.revoked = True
                return 400, {"error": "invalid_grant", "error_description": "refresh token reused; family revoked"}
            if family.access_valid():
                self.stats["early_refreshes"] += 1
            if family.access in family.refreshed_access:
                self.stats["double_refreshes"] += 1
            family.refreshed_access.add(family.access)
            family.spent.add(token)
            family.issue()
            self.stats["refreshes"] += 1
            return 200, self.tokens(family)

    def resource(self, token):
        with self.lock:
            family = self.by_access.get(token)
            if family is None or family.access != token or not family.access_valid():
                self.stats["resource_401"] += 1
                return 401, {"error": "invalid_token"}
            family.uses += 1
            self.stats["resource_ok"] += 1
            return 200, {"ok": True}


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.0"

    def log_message(self, *args):
        pass

    def answer(self, status, body):
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self):
        state = self.server.state
        if self.path == "/stats":
            with state.lock:
                return self.answer(200, dict(state.stats))
        if self.path == "/resource":
            auth = self.headers.get("Authorization", "")
            token = auth[7:] if auth.startswith("Bearer ") else ""
            return self.answer(*state.resource(token))
        self.answer(404, {"error": "not_found"})

    def do_POST(self):
        state = self.server.state
        length = int(self.headers.get("Content-Length") or 0)
        form = urllib.parse.parse_qs(self.rfile.read(length).decode())
        if self.path != "/token":
            return self.answer(404, {"error": "not_found"})
        grant = form.get("grant_type", [""])[0]
        if grant == "password":
            return self.answer(*state.login())
        if grant == "refresh_token":
            return self.answer(*state.refresh(form.get("refresh_token", [""])[0]))
        self.answer(400, {"error": "unsupported_grant_type"})


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--access-uses", type=int, default=8)
    parser.add_argument("--access-seconds", type=float, default=3600)
    parser.add_argument("--port-file", required=True)
    args = parser.parse_args()
    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    server.request_queue_size = 128
    server.state = State(args.access_uses, args.access_seconds)
    temporary = args.port_file + ".tmp"
    with open(temporary, "w") as f:
        f.write(str(server.server_address[1]))
    os.rename(temporary, args.port_file)
    server.serve_forever()


if __name__ == "__main__":
    main()

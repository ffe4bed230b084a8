#!/usr/bin/env python3
"""A refresh-lease test worker on the Python client's own session helper:
``Session.resume_or_login`` once, then ``Session.rejected`` on every 401.

The package is imported from the source tree (PYTHONPATH=Protocol/clients/python),
so the system python3 runs it with no venv. Environment as lease_worker.py:
LOCKET_SOCKET, TOKEN_PORT, LEASE_NS, LEASE_KEY, LEASE_TARGET; WORKER_KIND
defaults to python. Prints one JSON line of counts when it ends; exits 0 only
if its final token works.
"""
import json
import os
import sys

os.environ.setdefault("WORKER_KIND", "python")

import lease_worker  # noqa: E402  (same folder; the HTTP helper and the grants)
from locket import Locket, Session  # noqa: E402


class Refused(Exception):
    """The token server refused a grant."""


def grant(form):
    status, body = lease_worker.http("POST", "/token", form)
    if status != 200:
        raise Refused("grant refused: %s" % status)
    return lease_worker.session_of(body)


def refresh(session):
    return grant({"grant_type": "refresh_token", "refresh_token": session["refresh_token"]})


def login():
    return grant({"grant_type": "password", "username": "alice"})


def main():
    ns, key = os.environ["LEASE_NS"], os.environ["LEASE_KEY"]
    target = int(os.environ.get("LEASE_TARGET", "0"))
    counts = {"kind": lease_worker.KIND, "calls": 0, "refresh_rounds": 0, "refreshed_here": 0, "logins": 0,
              "shared": 0, "failures": 0}
    sessions = Session(Locket(os.environ.get("LOCKET_SOCKET"), timeout=60))

    def count(state):
        counts["refresh_rounds"] += 1
        counts["refreshed_here"] += state.how == "refreshed"
        counts["logins"] += state.how == "logged_in"
        counts["shared"] += state.how == "shared"
        return state

    final_ok = False
    try:
        state = sessions.resume_or_login(ns, key, is_stale=lambda s: False, refresh=refresh, login=login)
        if state.how != "resumed":
            count(state)
        done = False
        while True:
            status, _ = lease_worker.http("GET", "/resource", token=state.value["access_token"])
            if status == 200:
                counts["calls"] += 1
                if done:
                    final_ok = True
                    break
                continue
            if not done and lease_worker.http("GET", "/stats")[1]["refreshes"] >= target:
                done = True  # from now on: renew until the token works, then stop
            state = count(sessions.rejected(ns, key, state.version, refresh=refresh, login=login))
    except Exception as error:  # reported, and the exit status says it
        sys.stderr.write("python session worker: %s: %s\n" % (type(error).__name__, error))
        counts["failures"] += 1
    counts["final_ok"] = final_ok
    print(json.dumps(counts, sort_keys=True))
    return 0 if final_ok else 1


if __name__ == "__main__":
    sys.exit(main())

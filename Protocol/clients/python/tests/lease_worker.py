"""A second (third, ...) process for the lease tests. The socket is $LOCKET_SOCKET.

    lease_worker.py hold NS KEY          lease; print the grant; then obey stdin lines:
                                         "put VALUE" (under the lease), "release", "exit"
    lease_worker.py wait NS KEY VERSION  lease with stale_version; print the answer when it comes
    lease_worker.py session NS KEY COUNTER [fail]
                                         Session.resume_or_login with a refresh that appends a
                                         line to COUNTER (and fails with "fail"); print the state
Every line printed is JSON.
"""
import json
import sys
import time

from locket import Locket, LocketError, Session


def say(document):
    print(json.dumps(document), flush=True)


def grant_json(grant):
    return {"granted": grant.granted, "token": grant.token, "entry": grant.entry}


def main():
    mode, ns, key = sys.argv[1:4]
    vault = Locket()
    if mode == "hold":
        grant = vault.lease(ns, key)
        say(grant_json(grant))
        for line in sys.stdin:
            command, _, argument = line.strip().partition(" ")
            try:
                if command == "put":
                    say({"put": vault.put(ns, key, argument, lease=grant.token)})
                elif command == "release":
                    say({"released": vault.release(ns, key, grant.token)})
                elif command == "exit":
                    return
            except LocketError as error:
                say({"error": error.code})
    elif mode == "wait":
        try:
            say(grant_json(vault.lease(ns, key, stale_version=int(sys.argv[4]))))
        except LocketError as error:
            say({"error": error.code})
    elif mode == "session":
        counter, fail = sys.argv[4], len(sys.argv) > 5 and sys.argv[5] == "fail"

        def refresh(session):
            with open(counter, "a") as out:
                out.write(f"refresh {session['refresh_token']}\n")
            time.sleep(0.3)  # the provider takes a while: the others must wait, not refresh too
            if fail:
                raise RuntimeError("the provider refused the refresh token")
            n = int(session["refresh_token"].split("-")[1]) + 1
            return {"access_token": f"at-{n}", "refresh_token": f"rt-{n}", "fresh": True}

        def login():
            with open(counter, "a") as out:
                out.write("login\n")
            return {"access_token": "at-login", "refresh_token": "rt-100", "fresh": True}

        state = Session(vault).resume_or_login(ns, key, is_stale=lambda s: not s.get("fresh"), refresh=refresh,
                                               login=login, ttl=3600)
        say({"value": state.value, "version": state.version, "how": state.how})


if __name__ == "__main__":
    main()

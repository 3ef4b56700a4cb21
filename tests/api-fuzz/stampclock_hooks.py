"""schemathesis hooks of the API fuzz step (tests/api-fuzz/run.sh): every request is sent as the
demo admin, with the session cookie and the X-CSRF-Token header of one login.

The login happens once per run and is never refreshed: the fuzzer also sends wrong passwords to
/api/v1/auth/login, and after 30 failures from one address the server throttles every login for
15 minutes (429), so a refresh could lock the run out of its own session.
"""

import json
import os
import urllib.request

import schemathesis

BASE_URL = os.environ["STAMPCLOCK_FUZZ_BASE_URL"]
USERNAME = os.environ.get("STAMPCLOCK_FUZZ_USERNAME", "admin")
PASSWORD = os.environ.get("STAMPCLOCK_FUZZ_PASSWORD", "stampclock-demo")
COOKIE = "stampclock_session"


@schemathesis.auth(refresh_interval=None)
class AdminSession:
    def get(self, case, context):
        body = json.dumps({"username": USERNAME, "password": PASSWORD}).encode()
        req = urllib.request.Request(
            f"{BASE_URL}/api/v1/auth/login", data=body, method="POST", headers={"Content-Type": "application/json"}
        )
        with urllib.request.urlopen(req, timeout=60) as resp:
            answer = json.load(resp)
            cookie = next(
                c.split(";", 1)[0].split("=", 1)[1]
                for c in resp.headers.get_all("Set-Cookie")
                if c.startswith(COOKIE + "=")
            )
        return {"cookie": cookie, "csrf": answer["csrf_token"]}

    def set(self, case, data, context):
        case.cookies = dict(case.cookies or {})
        case.cookies[COOKIE] = data["cookie"]
        case.headers = case.headers or {}
        case.headers["X-CSRF-Token"] = data["csrf"]

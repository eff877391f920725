"""No token and no password reaches the logs of the shared live cloud.

Runs after the other live modules of this directory (pytest's file order), so it also checks
the tokens they used (tests/foundation/secrets.py), and exercises the paths most tempting to
log: failed logins, bad and revoked tokens, errors, a boot that fails on every host.
"""

from __future__ import annotations

import uuid

import pytest
import requests

from tests.foundation.secrets import REMEMBERED, assert_no_secrets_in_logs
from tests.harness import ADMIN_PASSWORD, DEMO_PASSWORD

pytestmark = pytest.mark.live


def login(cloud, user: str, password: str) -> requests.Response:
    body = {"auth": {"identity": {"methods": ["password"], "password": {
        "user": {"name": user, "domain": {"name": "Default"}, "password": password}}},
        "scope": {"project": {"name": user, "domain": {"name": "Default"}}}}}
    return requests.post(f"{cloud.identity_url}/v3/auth/tokens", json=body, timeout=30)


def test_tokens_and_passwords_stay_out_of_the_logs(live_cloud):
    secrets = [ADMIN_PASSWORD, DEMO_PASSWORD, *REMEMBERED]
    token = live_cloud.token()
    demo_token = live_cloud.token("demo", DEMO_PASSWORD, "demo")
    secrets += [token, demo_token]
    url = live_cloud.url

    wrong_password = f"wrong-{uuid.uuid4().hex}"
    secrets.append(wrong_password)
    assert login(live_cloud, "admin", wrong_password).status_code == 401
    assert login(live_cloud, f"nobody-{uuid.uuid4().hex[:6]}", wrong_password).status_code == 401

    bogus = f"gAAAA{uuid.uuid4().hex}{uuid.uuid4().hex}"
    secrets.append(bogus)
    assert requests.get(f"{url}/compute/v2.1/servers", headers={"X-Auth-Token": bogus}, timeout=30).status_code == 401

    # Keystone's token API: validate, then revoke and use the revoked one.
    victim = live_cloud.token()
    secrets.append(victim)
    headers = {"X-Auth-Token": token, "X-Subject-Token": victim}
    assert requests.get(f"{url}/identity/v3/auth/tokens", headers=headers, timeout=30).status_code == 200
    assert requests.delete(f"{url}/identity/v3/auth/tokens", headers=headers, timeout=30).status_code == 204
    assert requests.get(f"{url}/compute/v2.1/servers", headers={"X-Auth-Token": victim},
                        timeout=30).status_code == 401

    # A user whose password is set through the API, and errors with a token attached.
    new_password = f"pw-{uuid.uuid4().hex}"
    secrets.append(new_password)
    admin = live_cloud.client(token, "2.47")
    user = admin.post(f"{url}/identity/v3/users", timeout=30, json={"user": {
        "name": f"secret-probe-{uuid.uuid4().hex[:6]}", "password": new_password}})
    assert user.status_code == 201, user.text
    assert admin.get(f"{url}/compute/v2.1/servers/{uuid.uuid4()}", timeout=30).status_code == 404
    assert admin.post(f"{url}/compute/v2.1/servers", data=b"{", timeout=30,
                      headers={"Content-Type": "application/json"}).status_code == 400

    # A boot with a password (adminPass) that fails on every host, so every worker logs.
    admin_pass = f"adminpass-{uuid.uuid4().hex}"
    secrets.append(admin_pass)
    image = live_cloud.insert_image("secrets-image")
    live_cloud.set_fake_config({"fail_build": {"*": "secrets probe"}})
    try:
        server_id = live_cloud.boot(admin, image, adminPass=admin_pass).json()["server"]["id"]
        live_cloud.wait_status(admin, server_id, ("ERROR",))
    finally:
        live_cloud.set_fake_config({})
    admin.delete(f"{url}/compute/v2.1/servers/{server_id}", timeout=30)
    live_cloud.wait_gone(admin, server_id)

    assert_no_secrets_in_logs(live_cloud, secrets)

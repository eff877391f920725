"""Key pairs: generate/import, list/show/delete, shapes and status codes per microversion, policy, quota."""

from __future__ import annotations

import base64
import hashlib
import uuid
from urllib.parse import parse_qs, urlparse

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519
from tempest.lib.api_schema.response.compute.v2_1 import keypairs as schema_21
from tempest.lib.api_schema.response.compute.v2_2 import keypairs as schema_22

from compute_app import keypairs as keys
from compute_app.models import KeyPair, Quota
from tests.schemas import assert_schema

URL = "/compute/v2.1/os-keypairs"


def create(client, expect: int | None = None, **fields):
    body = {"keypair": {"name": f"key-{uuid.uuid4().hex[:8]}", **fields}}
    response = client.post(URL, body, format="json")
    if expect is not None:
        assert response.status_code == expect, response.content
    return response


def openssh(key) -> str:
    return key.public_key().public_bytes(serialization.Encoding.OpenSSH,
                                         serialization.PublicFormat.OpenSSH).decode()


def md5_fingerprint(public_key: str) -> str:
    digest = hashlib.md5(base64.b64decode(public_key.split()[1]), usedforsecurity=False).hexdigest()
    return ":".join(digest[i:i + 2] for i in range(0, len(digest), 2))


def test_generated_keypair_v21(api, member):
    client = api(member.token, "2.1")
    response = create(client, 200, name="my key_1-a")
    assert_schema(schema_21.create_keypair, response)
    body = response.json()["keypair"]
    assert set(body) == {"name", "public_key", "fingerprint", "user_id", "private_key"}
    assert body["user_id"] == member.user_id and body["name"] == "my key_1-a"
    private = serialization.load_pem_private_key(body["private_key"].encode(), password=None)
    assert private.key_size == 2048
    assert body["private_key"].startswith("-----BEGIN RSA PRIVATE KEY-----")
    assert body["public_key"].startswith(openssh(private))  # the pair matches
    assert body["fingerprint"] == md5_fingerprint(body["public_key"])
    # The private key is handed out once: never stored, never shown again.
    shown = client.get(f"{URL}/my key_1-a")
    assert_schema(schema_21.get_keypair, shown)
    assert "private_key" not in shown.json()["keypair"]
    assert body["private_key"] not in KeyPair.objects.get(user_id=member.user_id).public_key
    listed = client.get(URL)
    assert_schema(schema_21.list_keypairs, listed)
    deleted = client.delete(f"{URL}/my key_1-a")
    assert_schema(schema_21.delete_keypair, deleted)


def test_shapes_and_status_codes_from_v22(api, member):
    client = api(member.token, "2.2")
    key = ed25519.Ed25519PrivateKey.generate()
    imported = create(client, 201, name="imported", public_key=openssh(key) + " me@host")
    assert_schema(schema_22.create_keypair, imported)
    body = imported.json()["keypair"]
    assert set(body) == {"name", "public_key", "fingerprint", "user_id", "type"} and body["type"] == "ssh"
    assert body["fingerprint"] == md5_fingerprint(body["public_key"])
    shown = client.get(f"{URL}/imported")
    assert_schema(schema_22.get_keypair, shown)
    kp = shown.json()["keypair"]
    assert set(kp) == {"name", "public_key", "fingerprint", "user_id", "type", "created_at", "deleted",
                       "deleted_at", "id", "updated_at"}
    assert (kp["deleted"], kp["deleted_at"], kp["updated_at"]) == (False, None, None)
    listed = client.get(URL)
    assert_schema(schema_22.list_keypairs, listed)
    assert listed.json()["keypairs"] == [{"keypair": {"name": "imported", "public_key": body["public_key"],
                                                      "fingerprint": body["fingerprint"], "type": "ssh"}}]
    deleted = client.delete(f"{URL}/imported")
    assert_schema(schema_22.delete_keypair, deleted)
    assert client.get(f"{URL}/imported").status_code == 404


def test_ecdsa_import_and_x509(api, member):
    client = api(member.token, "2.2")
    ecdsa = openssh(ec.generate_private_key(ec.SECP384R1()))
    assert create(client, 201, public_key=ecdsa).json()["keypair"]["fingerprint"] == md5_fingerprint(ecdsa)
    generated = create(client, 201, type="x509").json()["keypair"]
    assert generated["type"] == "x509" and "PRIVATE KEY" in generated["private_key"]
    cert = x509.load_pem_x509_certificate(generated["public_key"].encode())
    assert generated["fingerprint"] == keys.x509_fingerprint(generated["public_key"])
    assert cert.subject.rfc4514_string() == f"CN={member.user_id}"
    imported = create(client, 201, type="x509", public_key=generated["public_key"]).json()["keypair"]
    assert imported["fingerprint"] == generated["fingerprint"]
    assert create(client, 400, type="x509", public_key=ecdsa).status_code == 400


def test_type_and_user_id_only_from_their_microversions(api, admin):
    assert create(api(admin.token, "2.1"), 400, type="ssh").status_code == 400
    assert create(api(admin.token, "2.9"), 400, user_id=admin.user_id).status_code == 400
    assert create(api(admin.token, "2.10"), 201, user_id=admin.user_id).status_code == 201


@pytest.mark.parametrize("fields, named", [
    ({"name": ""}, "name"),
    ({"name": "x" * 256}, "name"),
    ({"name": " lead"}, "name"),
    ({"name": "trail "}, "name"),
    ({"name": "dot.not.allowed"}, "name"),
    ({"name": "ünïcode"}, "name"),
    ({"name": "ctl\x07"}, "name"),
    ({"name": 7}, "name"),
    ({"public_key": "ssh-rsa not-base64!"}, "Keypair data is invalid"),
    ({"public_key": "garbage"}, "Keypair data is invalid"),
    ({"public_key": ""}, "Keypair data is invalid"),
    ({"public_key": 12}, "public_key"),
    ({"type": "pgp"}, "type"),
    ({"extra": 1}, "extra"),
])
def test_bad_create_input_is_400(api, member, fields, named):
    response = create(api(member.token, "2.2"), 400, **fields)
    assert named in response.json()["badRequest"]["message"]
    assert not KeyPair.objects.filter(user_id=member.user_id).exists()


@pytest.mark.parametrize("body", [{}, [], {"keypair": "x"}, {"keypair": {}}, {"keypair": {"name": "a"}, "x": 1}])
def test_malformed_bodies(api, member, body):
    assert api(member.token).post(URL, body, format="json").status_code == 400


def test_duplicate_name_is_409(api, member, other):
    client = api(member.token, "2.2")
    create(client, 201, name="same")
    conflict = create(client, 409, name="same")
    assert conflict.json()["conflictingRequest"]["message"] == "Key pair 'same' already exists."
    create(api(other.token, "2.2"), 201, name="same")  # names are per user


def test_quota_is_403(api, member):
    Quota.objects.create(project_id=member.project_id, user_id="", resource="key_pairs", hard_limit=1)
    client = api(member.token, "2.2")
    create(client, 201)
    over = create(client, 403)
    assert over.json()["forbidden"]["message"] == "Quota exceeded, too many key pairs."
    assert KeyPair.objects.filter(user_id=member.user_id).count() == 1


def test_keypairs_are_per_user(api, member, reader, other):
    create(api(member.token), 200, name="mine")
    for account in (reader, other):  # same project or not: another user's key pair does not exist for them
        client = api(account.token)
        assert client.get(URL).json() == {"keypairs": []}
        assert client.get(f"{URL}/mine").status_code == 404
        # Readers may not delete at all (403 before any lookup); other members find nothing.
        assert client.delete(f"{URL}/mine").status_code == (403 if account is reader else 404)
    assert KeyPair.objects.filter(name="mine").exists()


def test_readers_cannot_create(api, reader):
    assert "os-keypairs:create" in create(api(reader.token), 403).json()["forbidden"]["message"]


def test_admin_acts_for_other_users_from_v210(api, admin, member):
    admin_client = api(admin.token, "2.10")
    made = create(admin_client, 201, name="for-member", user_id=member.user_id).json()["keypair"]
    assert made["user_id"] == member.user_id
    assert [k["keypair"]["name"] for k in api(member.token, "2.10").get(URL).json()["keypairs"]] == ["for-member"]
    shown = admin_client.get(f"{URL}/for-member?user_id={member.user_id}")
    assert shown.status_code == 200 and shown.json()["keypair"]["user_id"] == member.user_id
    listed = admin_client.get(f"{URL}?user_id={member.user_id}").json()["keypairs"]
    assert [k["keypair"]["name"] for k in listed] == ["for-member"]
    assert admin_client.get(f"{URL}/for-member").status_code == 404  # the admin's own: none
    assert admin_client.delete(f"{URL}/for-member?user_id={member.user_id}").status_code == 204
    # Before 2.10 the query parameter means nothing.
    assert api(admin.token, "2.9").get(f"{URL}?user_id={member.user_id}").json()["keypairs"] == []


def test_members_cannot_act_for_other_users(api, member, other):
    create(api(other.token), 200, name="theirs")
    client = api(member.token, "2.10")
    assert create(client, 403, user_id=other.user_id).status_code == 403
    for call in (client.get(f"{URL}?user_id={other.user_id}"), client.get(f"{URL}/theirs?user_id={other.user_id}"),
                 client.delete(f"{URL}/theirs?user_id={other.user_id}")):
        assert call.status_code == 403
    assert KeyPair.objects.filter(name="theirs").exists()


def test_paging_from_v235(api, member):
    client = api(member.token, "2.35")
    names = [f"k{i}" for i in range(5)]
    for name in names:
        create(client, 201, name=name)
    first = client.get(f"{URL}?limit=2").json()
    assert [k["keypair"]["name"] for k in first["keypairs"]] == names[:2]
    (link,) = first["keypairs_links"]
    assert link["rel"] == "next" and parse_qs(urlparse(link["href"]).query) == {"limit": ["2"], "marker": ["k1"]}
    second = client.get(f"{URL}?limit=2&marker=k1").json()
    assert [k["keypair"]["name"] for k in second["keypairs"]] == names[2:4]
    last = client.get(f"{URL}?marker=k3").json()
    assert [k["keypair"]["name"] for k in last["keypairs"]] == ["k4"] and "keypairs_links" not in last
    assert client.get(f"{URL}?marker=nope").status_code == 400
    assert client.get(f"{URL}?limit=-2").status_code == 400
    # Before 2.35: no paging, no links, every key pair.
    old = api(member.token, "2.34").get(f"{URL}?limit=2").json()
    assert len(old["keypairs"]) == 5 and "keypairs_links" not in old

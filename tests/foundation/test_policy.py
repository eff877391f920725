"""The policy engine (cloud/policy.py): its check language, defaults and operator overrides."""

from __future__ import annotations

import json

import pytest

from cloud import policy
from cloud.api.errors import Forbidden
from cloud.context import RequestContext

ALICE = RequestContext(user_id="u-alice", project_id="p-1", roles=["member", "reader"], domain_id=None)
READER = RequestContext(user_id="u-rita", project_id="p-1", roles=["reader"])
ADMIN = RequestContext(user_id="u-admin", project_id="p-admin", roles=["admin", "member", "reader"])
NOBODY = RequestContext(user_id="u-none", project_id="p-2", roles=[])


def check(rule: str, ctx: RequestContext, target: dict | None = None, extra: dict[str, str] | None = None) -> bool:
    enforcer = policy.Enforcer({"under_test": rule, **(extra or {})})
    return enforcer.check("under_test", ctx, target or {})


@pytest.mark.parametrize("rule, ctx, expected", [
    ("@", NOBODY, True),
    ("!", ADMIN, False),
    ("", NOBODY, True),  # an empty rule allows, as in oslo.policy
    ("role:admin", ADMIN, True),
    ("role:admin", ALICE, False),
    ("role:ADMIN", ADMIN, True),  # role names compare case-insensitively
    ("role:member and role:reader", ALICE, True),
    ("role:member and role:reader", READER, False),
    ("role:admin or role:reader", READER, True),
    ("role:admin or role:member", READER, False),
    ("not role:admin", ALICE, True),
    ("not role:admin", ADMIN, False),
    ("not not role:admin", ADMIN, True),
    ("role:admin or role:member and role:nope", ALICE, False),  # "and" binds tighter than "or"
    ("(role:admin or role:member) and role:reader", ALICE, True),
    ("(role:admin or role:member) and role:nope", ALICE, False),
    ("role:nope or (role:member and not (role:admin or role:nope))", ALICE, True),
    ("((((role:member))))", ALICE, True),
    ("user_id:u-alice", ALICE, True),
    ("user_id:u-bob", ALICE, False),
    ("project_id:p-1 AND role:member", ALICE, True),  # keywords are case-insensitive
])
def test_check_language(rule, ctx, expected):
    assert check(rule, ctx) is expected


@pytest.mark.parametrize("rule, target, expected", [
    ("project_id:%(project_id)s", {"project_id": "p-1"}, True),
    ("project_id:%(project_id)s", {"project_id": "p-2"}, False),
    ("project_id:%(project_id)s", {}, False),  # a missing target key denies, never raises
    ("user_id:%(owner)s or role:admin", {"owner": "u-alice"}, True),
    ("role:member and project_id:%(project_id)s", {"project_id": "p-1"}, True),
    ("role:member and project_id:%(project_id)s", {"project_id": "p-9"}, False),
    ("domain_id:%(domain_id)s", {"domain_id": None}, False),  # caller without a domain never matches
])
def test_target_substitution(rule, target, expected):
    assert check(rule, ALICE, target) is expected


def test_rule_references_and_unknown_rules():
    extra = {"is_member": "role:member", "is_owner": "user_id:%(user_id)s"}
    assert check("rule:is_member and rule:is_owner", ALICE, {"user_id": "u-alice"}, extra)
    assert not check("rule:is_member and rule:is_owner", ALICE, {"user_id": "u-bob"}, extra)
    assert not check("rule:no_such_rule", ADMIN)  # an unknown referenced rule denies
    enforcer = policy.Enforcer()
    assert enforcer.check("os_compute_api:no-such-api", ADMIN, {}) is False  # an unknown rule denies, even admins
    with pytest.raises(Forbidden, match="os_compute_api:no-such-api"):
        enforcer.authorize("os_compute_api:no-such-api", ADMIN, {})


@pytest.mark.parametrize("rule", ["role:admin or", "(role:admin", "role:admin)", "admin", "and role:admin",
                                  "role:admin role:member"])
def test_syntax_errors_are_refused_at_load(rule):
    with pytest.raises(policy.PolicySyntaxError):
        policy.Enforcer({"broken": rule})


def test_defaults_admin_member_reader():
    enforcer = policy.Enforcer()
    own = {"project_id": "p-1", "user_id": "u-alice"}
    other = {"project_id": "p-2", "user_id": "u-x"}
    assert enforcer.check("os_compute_api:servers:create", ALICE, own)
    assert not enforcer.check("os_compute_api:servers:create", ALICE, other)
    assert not enforcer.check("os_compute_api:servers:create", READER, own)  # readers only read
    assert enforcer.check("os_compute_api:servers:show", READER, own)
    assert enforcer.check("os_compute_api:servers:create", ADMIN, other)
    assert not enforcer.check("os_compute_api:os-services:list", ALICE, own)
    assert enforcer.check("os_compute_api:os-services:list", ADMIN, {})
    # Every default rule evaluates (no missing rule reference or bad substitution raises).
    for name in policy.DEFAULT_RULES:
        enforcer.check(name, ADMIN, own)


@pytest.fixture
def policy_file(settings, tmp_path):
    """Point POLICY_FILE at a file written by the test; the cached enforcer is rebuilt around it."""
    def write(name: str, text: str):
        path = tmp_path / name
        path.write_text(text)
        settings.POLICY_FILE = str(path)
        policy.get_enforcer.cache_clear()
        return path
    yield write
    policy.get_enforcer.cache_clear()  # settings is restored by pytest-django; rebuild from the defaults


def test_yaml_override_changes_a_decision(policy_file):
    assert not policy.check(ALICE, "os_compute_api:os-services:list")
    policy_file("policy.yaml", '"os_compute_api:os-services:list": "role:member"\n'
                               '"os_compute_api:servers:create": "!"\n')
    assert policy.check(ALICE, "os_compute_api:os-services:list")
    with pytest.raises(Forbidden):
        policy.authorize(ADMIN, "os_compute_api:servers:create")
    # Rules the file does not name keep their defaults.
    assert policy.check(ALICE, "os_compute_api:servers:show")


def test_json_override_changes_a_decision(policy_file):
    assert policy.check(READER, "os_compute_api:servers:index")
    policy_file("policy.json", json.dumps({"os_compute_api:servers:index": "rule:admin_api"}))
    assert not policy.check(READER, "os_compute_api:servers:index")
    assert policy.check(ADMIN, "os_compute_api:servers:index")


def test_override_file_must_map_names_to_strings(tmp_path):
    path = tmp_path / "bad.json"
    path.write_text(json.dumps({"os_compute_api:servers:index": ["role:admin"]}))
    with pytest.raises(policy.PolicySyntaxError):
        policy.load_overrides(str(path))


def test_override_changes_what_the_api_answers(policy_file, api, make_account):
    """The file is honoured by real API views, not only by the engine."""
    _, _, token = make_account(("member",))
    assert api(token, "2.1").get("/compute/v2.1/os-services").status_code == 403
    policy_file("policy.yaml", '"os_compute_api:os-services:list": "role:member"\n')
    assert api(token, "2.1").get("/compute/v2.1/os-services").status_code == 200

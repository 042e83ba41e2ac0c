"""SCIM 2.0 provisioning at /scim/v2: tokens, Users, what Entra ID and Okta send, and deactivation."""

from __future__ import annotations

import hashlib

import pytest

from mentormatch.extensions import db
from mentormatch.models import AuditEntry, Match, MatchStatus, Notification, ScimToken, User
from mentormatch.services import pairing, scim
from mentormatch.services.console import stats
from mentormatch.services.pool import load_pool
from tests.factories import default_program, make_user

BASE = "/scim/v2"
USER = "urn:ietf:params:scim:schemas:core:2.0:User"
PATCH_OP = "urn:ietf:params:scim:api:messages:2.0:PatchOp"
ERROR = "urn:ietf:params:scim:api:messages:2.0:Error"
LIST = "urn:ietf:params:scim:api:messages:2.0:ListResponse"


class Scim:
    """A provider's own HTTP client (no cookies of anyone's) with its bearer token."""

    def __init__(self, app, token: str):
        self.http, self.token = app.test_client(), token

    def __call__(self, method: str, path: str, body=None, token: str | None = None, **params):
        return self.http.open(BASE + path, method=method, json=body, query_string=params or None,
                              headers={"Authorization": f"Bearer {self.token if token is None else token}"})

    def create(self, email: str, name: str = "Ada Lovelace", active: bool = True, **extra) -> dict:
        response = self("POST", "/Users", {"schemas": [USER], "userName": email, "displayName": name,
                                           "active": active, **extra})
        assert response.status_code == 201, response.get_json()
        return response.get_json()

    def patch(self, user_id: str, *operations: dict):
        return self("PATCH", f"/Users/{user_id}", {"schemas": [PATCH_OP], "Operations": list(operations)})


def make_token(app, provider: str) -> str:
    with app.app_context():
        token = scim.create_token(provider)
        db.session.remove()
    return token


@pytest.fixture
def entra(app) -> Scim:
    return Scim(app, make_token(app, "entra"))


def account(app, user_id) -> User:
    with app.app_context():
        user = db.session.get(User, int(user_id))
        db.session.expunge_all()
        return user


def entries(app, action: str) -> list[AuditEntry]:
    with app.app_context():
        found = list(db.session.scalars(db.select(AuditEntry).where(AuditEntry.action == action)))
        db.session.expunge_all()
        return found


def test_only_a_live_bearer_token_gets_in_and_the_refusal_is_a_scim_error(app, client, person, login, entra):
    admin = person("admin")
    login(admin)  # an administrator's session cookie is no SCIM credential
    for headers in ({}, {"Authorization": "Bearer not-a-token"}, {"Authorization": f"Basic {entra.token}"}):
        refused = client.get(f"{BASE}/Users", headers=headers)
        assert refused.status_code == 401
        assert refused.get_json()["schemas"] == [ERROR] and refused.get_json()["status"] == "401"
        assert refused.headers["WWW-Authenticate"].startswith("Bearer")
        assert refused.content_type == "application/scim+json"
    assert entra("GET", "/Users").status_code == 200
    with app.app_context():
        scim.revoke_tokens("entra")
    assert entra("GET", "/Users").status_code == 401


def test_the_cli_prints_a_token_once_keeps_only_its_hash_and_revokes_it(app):
    runner = app.test_cli_runner()
    made = runner.invoke(args=["scim-token", "create", "Entra"])
    assert made.exit_code == 0, made.output
    token = made.stdout.strip().splitlines()[-1]
    with app.app_context():
        row = db.session.scalar(db.select(ScimToken))
        assert row.provider == "entra" and row.token_hash == hashlib.sha256(token.encode()).hexdigest()
        db.session.remove()
    provider = Scim(app, token)
    assert provider("GET", "/Users").status_code == 200
    revoked = runner.invoke(args=["scim-token", "revoke", "entra"])
    assert revoked.exit_code == 0 and "Revoked 1 token" in revoked.output
    assert provider("GET", "/Users").status_code == 401
    assert runner.invoke(args=["scim-token", "create", "no spaces!"]).exit_code == 2


def test_a_new_user_becomes_an_account_only_its_provider_sees(app, client, entra):
    entra_payload = {  # what Entra ID's default attribute mappings send
        "schemas": [USER, "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"],
        "externalId": "alovelace", "userName": " Ada.Lovelace@Lab.Example.org ", "active": True,
        "displayName": "Ada Lovelace", "title": "Hematology Lead", "preferredLanguage": "en-GB",
        "name": {"formatted": "Ada Lovelace", "familyName": "Lovelace", "givenName": "Ada"},
        "emails": [{"primary": True, "type": "work", "value": "ada.lovelace@lab.example.org"}],
        "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User": {"department": "Core lab"},
    }
    created = entra("POST", "/Users", entra_payload)
    assert created.status_code == 201, created.get_json()
    body = created.get_json()
    assert body["userName"] == "ada.lovelace@lab.example.org" and body["externalId"] == "alovelace"
    assert body["displayName"] == "Ada Lovelace" and body["active"] is True
    assert created.headers["Location"].endswith(f"{BASE}/Users/{body['id']}")
    user = account(app, body["id"])
    assert (user.email, user.name, user.scim_provider, user.scim_external_id) == (
        "ada.lovelace@lab.example.org", "Ada Lovelace", "entra", "alovelace")
    assert user.email_confirmed_at is not None
    # No password: it signs in with single sign-on (or sets one through a reset).
    assert client.post("/auth/login", data={"email": user.email, "password": "!"}).status_code == 200
    assert entra("GET", f"/Users/{body['id']}").get_json() == body
    okta = Scim(app, make_token(app, "okta"))
    assert okta("GET", f"/Users/{body['id']}").status_code == 404
    assert okta("GET", "/Users").get_json()["totalResults"] == 0
    assert okta.patch(body["id"], {"op": "replace", "path": "active", "value": False}).status_code == 404


def test_an_unmanaged_account_with_the_email_is_taken_over_other_holders_answer_409(app, person, entra):
    member = person("mentee", email="kim@lab.example.org")
    taken = entra.create("Kim@Lab.Example.org", "Kim Park", externalId="kim")
    assert taken["id"] == str(member.id)
    assert account(app, member.id).scim_provider == "entra" and account(app, member.id).name == "Kim Park"
    admin = person("admin", email="root@lab.example.org")
    okta = Scim(app, make_token(app, "okta"))
    okta_managed = okta.create("lee@lab.example.org")
    for email in (admin.email, okta_managed["userName"], "kim@lab.example.org"):
        refused = entra("POST", "/Users", {"schemas": [USER], "userName": email, "displayName": "X", "active": True})
        assert refused.status_code == 409 and refused.get_json()["scimType"] == "uniqueness"
    assert account(app, admin.id).scim_provider is None
    # Nor can a change take another account's address.
    moved = entra.patch(taken["id"], {"op": "replace", "path": "userName", "value": admin.email})
    assert moved.status_code == 409 and account(app, member.id).email == "kim@lab.example.org"


@pytest.mark.parametrize("payload, problem", [
    ({"userName": "jdoe", "displayName": "J Doe", "active": True}, "invalidValue"),
    ({"userName": "j@lab.example.org", "displayName": "  ", "active": True}, "invalidValue"),
    ({"userName": "j@lab.example.org", "active": True}, None),  # displayName missing
    ({"displayName": "J Doe", "active": True}, None),
])
def test_a_user_needs_an_email_user_name_a_name_and_an_active_state(app, entra, payload, problem):
    refused = entra("POST", "/Users", {"schemas": [USER], **payload})
    assert refused.status_code == 400 and refused.get_json()["schemas"] == [ERROR]
    if problem:
        assert refused.get_json()["scimType"] == problem
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count()).select_from(User)) == 0


def test_the_list_filters_by_user_name_and_pages(app, person, entra):
    person("mentee", email="local@lab.example.org")  # not provisioned: never listed
    ids = [entra.create(f"p{n}@lab.example.org", externalId=f"x{n}")["id"] for n in range(3)]
    found = entra("GET", "/Users", filter='userName eq "P1@LAB.example.org"').get_json()
    assert found["schemas"] == [LIST] and found["totalResults"] == 1 and found["Resources"][0]["id"] == ids[1]
    assert entra("GET", "/Users", filter='externalId eq "x2"').get_json()["Resources"][0]["id"] == ids[2]
    assert entra("GET", "/Users", filter='userName eq "local@lab.example.org"').get_json()["totalResults"] == 0
    page = entra("GET", "/Users", startIndex=2, count=1).get_json()
    assert (page["totalResults"], page["startIndex"], page["itemsPerPage"]) == (3, 2, 1)
    assert [r["id"] for r in page["Resources"]] == [ids[1]]
    unsupported = entra("GET", "/Users", filter='displayName co "Ada"')
    assert unsupported.status_code == 400 and unsupported.get_json()["scimType"] == "invalidFilter"


def test_entra_and_okta_patches_change_the_name_email_and_active_state(app, entra):
    user = entra.create("sam@lab.example.org", "Sam Reed")
    entra_patch = entra.patch(user["id"],  # Entra ID: capitalised ops, string booleans, attributes we do not keep
                              {"op": "Replace", "path": "displayName", "value": "Samantha Reed"},
                              {"op": "Replace", "path": "name.givenName", "value": "Samantha"},
                              {"op": "Replace", "path": 'emails[type eq "work"].value', "value": "s@x.example"},
                              {"op": "Add", "path": "title", "value": "Lead"},
                              {"op": "Replace", "path": "active", "value": "False"})
    assert entra_patch.status_code == 200, entra_patch.get_json()
    assert entra_patch.get_json()["active"] is False and entra_patch.get_json()["displayName"] == "Samantha Reed"
    kept = account(app, user["id"])
    assert (kept.name, kept.email, kept.active) == ("Samantha Reed", "sam@lab.example.org", False)
    okta = entra.patch(user["id"],  # Okta: a path-less replace
                       {"op": "replace", "value": {"active": True, "userName": "sam.reed@lab.example.org"}})
    assert okta.status_code == 200 and okta.get_json()["active"] is True
    assert (account(app, user["id"]).active, account(app, user["id"]).email) == (True, "sam.reed@lab.example.org")
    (deactivated,), (reactivated,) = entries(app, "deactivated"), entries(app, "reactivated")
    assert deactivated.actor_id is None and deactivated.actor_name == "SCIM (entra)"
    assert reactivated.actor_name == "SCIM (entra)" and reactivated.target_id == int(user["id"])
    removed = entra.patch(user["id"], {"op": "remove", "path": "active"})  # an account is active or not
    assert removed.status_code == 400 and account(app, user["id"]).active


def test_put_replaces_the_user_and_can_deactivate_it(app, entra):
    user = entra.create("ray@lab.example.org", "Ray Ng", externalId="ray")
    replaced = entra("PUT", f"/Users/{user['id']}", {"schemas": [USER], "userName": "ray@lab.example.org",
                                                      "displayName": "Raymond Ng", "active": False})
    assert replaced.status_code == 200 and replaced.get_json()["active"] is False
    assert "externalId" not in replaced.get_json()  # replaced by a resource without one
    kept = account(app, user["id"])
    assert (kept.name, kept.active, kept.scim_external_id) == ("Raymond Ng", False, None)
    assert len(entries(app, "deactivated")) == 1


def test_delete_deactivates_and_unlinks_and_a_new_create_takes_the_account_back(app, person, entra):
    member = person("mentor", email="mo@lab.example.org")
    user = entra.create(member.email, "Mo Diaz")
    assert entra("DELETE", f"/Users/{user['id']}").status_code == 204
    assert entra("GET", f"/Users/{user['id']}").status_code == 404
    assert entra("DELETE", f"/Users/{user['id']}").status_code == 404
    kept = account(app, member.id)  # the account and its history stay, blocked and unmanaged
    assert (kept.active, kept.scim_provider, kept.deleted_at, kept.email) == (False, None, None, member.email)
    assert [e.target_id for e in entries(app, "deactivated")] == [member.id]
    again = entra.create(member.email, "Mo Diaz")
    assert again["id"] == str(member.id) and account(app, member.id).active


def test_a_scim_deactivation_logs_the_mentor_out_within_one_request_and_frees_their_places(app, client, login,
                                                                                           entra):
    with app.app_context():
        program = default_program()
        mentor = make_user("mentor", email="grace@lab.example.org", capacity=2)
        mentee = make_user("mentee", email="dana@lab.example.org")
        coordinator = make_user("coordinator")
        proposal = pairing.pair_by_hand(program, mentee.id, mentor.id, coordinator, confirmed=True)
        ids = {"program": program.id, "mentor": mentor.id, "mentee": mentee.id, "match": proposal.id}
        before = stats.dashboard(program)
        assert mentor.id in {m.id for m in load_pool(program.id).mentors}  # one of two places still free
        db.session.remove()
    login("grace@lab.example.org")
    assert client.get("/auth/account").status_code == 200
    provisioned = entra.create("grace@lab.example.org", "Grace Ho")  # the provider takes the account over
    assert entra.patch(provisioned["id"], {"op": "Replace", "path": "active", "value": "False"}).status_code == 200

    next_request = client.get("/auth/account")
    assert next_request.status_code == 302 and "/auth/login" in next_request.headers["Location"]
    with app.app_context():
        program = db.session.get(type(program), ids["program"])
        assert db.session.get(Match, ids["match"]).status == MatchStatus.WITHDRAWN
        assert ids["mentor"] not in {m.id for m in load_pool(program.id).mentors}
        after = stats.dashboard(program)
        assert after.capacity == before.capacity - 2 and after.open_proposals == before.open_proposals - 1
        told = db.session.scalars(db.select(Notification.text).where(Notification.user_id == ids["mentee"])).all()
        assert any("withdrawn" in text for text in told)


def test_discovery_describes_what_the_server_does(entra):
    config = entra("GET", "/ServiceProviderConfig").get_json()
    assert config["patch"]["supported"] and config["filter"]["supported"] and not config["bulk"]["supported"]
    assert config["authenticationSchemes"][0]["type"] == "oauthbearertoken"
    (resource_type,) = entra("GET", "/ResourceTypes").get_json()["Resources"]
    assert (resource_type["name"], resource_type["endpoint"], resource_type["schema"]) == ("User", "/Users", USER)
    (schema,) = entra("GET", "/Schemas").get_json()["Resources"]
    assert schema["id"] == USER and schema["name"] == "User"
    assert {a["name"] for a in schema["attributes"]} == {"userName", "displayName", "active"}


def test_other_paths_answer_scim_errors_and_csrf_does_not_apply(app, entra):
    for path, status in (("/Groups", 404), ("/Users/abc", 404), ("/Users/99999999999999", 404), ("/Me", 501)):
        answer = entra("GET", path)
        assert answer.status_code == status and answer.get_json()["schemas"] == [ERROR], path
    too_big = entra.http.post(f"{BASE}/Users", data=b"x" * (app.config["MAX_CONTENT_LENGTH"] + 1),
                              headers={"Authorization": f"Bearer {entra.token}", "Content-Type": "application/json"})
    assert too_big.status_code == 413 and too_big.get_json()["schemas"] == [ERROR]
    app.config["WTF_CSRF_ENABLED"] = True  # as in production; the bearer header is the only credential here
    assert entra("POST", "/Users", {"schemas": [USER], "userName": "c@lab.example.org", "displayName": "C",
                                    "active": True}).status_code == 201

"""Certificates in the API: an organiser issues one (the page's service: never for herself, the outsider 404), the
holder lists her own, and ``verify`` answers what the public page shows for the key of its QR code (the holder
masked); a forged key or a serial that does not match is 404, and the schema documents the routes."""

from __future__ import annotations

import pytest

from tongxin.activities import services
from tongxin.activities.models import Certificate
from tongxin.activities.tests.helpers import make_activity

pytestmark = pytest.mark.usefixtures("english")


def _with_hours(tree, users):
    activity = make_activity(tree, hours_ago=2, length_hours=3)
    registration = services.register(users.member, activity)
    services.confirm(users.secretary_a, registration)
    services.set_supplementary_hours(users.secretary_a, registration, "2", "现场核实")


def test_issue_list_and_verify(tree, users, api_for):
    _with_hours(tree, users)
    body = {"person": tree.people.a2.pk, "organization": tree.branch_a.pk}
    assert api_for(users.secretary_b).post("/api/certificates/", body, format="json").status_code == 400
    assert not Certificate.objects.exists()
    issued = api_for(users.secretary_a).post("/api/certificates/", body, format="json")
    assert issued.status_code == 201, issued.json()
    serial = issued.json()["serial"]
    assert issued.json()["supplementary_hours"] == "2.00" and tree.people.a2.id_number not in str(issued.json())
    mine = api_for(users.member).get("/api/certificates/").json()["results"]
    assert [row["serial"] for row in mine] == [serial]
    assert api_for(users.secretary_b).get("/api/certificates/").json()["results"] == []
    assert [row["serial"] for row in api_for(users.secretary_a).get("/api/certificates/").json()["results"]] == [serial]
    assert api_for(users.secretary_a).get("/api/certificates/", {"mine": "1"}).json()["results"] == []  # not hers
    key = Certificate.objects.get().verify_key
    facts = api_for(users.secretary_b).get("/api/certificates/verify/", {"key": key, "serial": serial})
    assert facts.status_code == 200
    assert facts.json()["serial"] == serial and facts.json()["verified_hours"] == "0.00"
    assert facts.json()["holder_name"] == tree.people.a2.name[0] + "*" * (len(tree.people.a2.name) - 1)
    assert tree.people.a2.name not in str(facts.json()) and tree.people.a2.id_number not in str(facts.json())
    for query in ({"key": key[:-2] + "xx"}, {"key": key, "serial": serial + "9"}, {}, {"key": "k" * 500}):
        assert api_for(users.member).get("/api/certificates/verify/", query).status_code == 404


def test_nobody_issues_her_own_certificate(tree, users, api_for, selves):
    activity = make_activity(tree, hours_ago=2, length_hours=3)
    registration = services.register(None, activity, tree.people.a1)
    services.confirm(users.secretary_a, registration)
    services.set_supplementary_hours(users.secretary_a, registration, "1", "补录")
    own = api_for(selves.secretary).post(
        "/api/certificates/", {"person": tree.people.a1.pk, "organization": tree.branch_a.pk}, format="json"
    )
    assert own.status_code == 400 and "concerns you personally" in str(own.json())
    assert not Certificate.objects.exists()


def test_the_schema_documents_the_new_routes(api_for, users):
    schema = api_for(users.district).get("/api/schema/", {"format": "json"}).json()
    for path in (
        "/api/certificates/",
        "/api/certificates/verify/",
        "/api/hours-corrections/{id}/decide/",
        "/api/registrations/{id}/request-correction/",
        "/api/activities/{id}/personal-check-in/",
        "/api/activities/{id}/personal-check-out/",
        "/api/activities/my-code/",
    ):
        assert path in schema["paths"], path


def test_a_key_with_characters_no_key_has_verifies_nothing(db):
    """A verify key is URL-safe characters: anything else (a NUL, which PostgreSQL refuses in a string) is
    simply no certificate, never a server error."""
    from tongxin.activities.services import verify_certificate

    for key in ("\x00", "abc\x00def", "é" * 10, "a" * 65, "", "a b"):
        assert verify_certificate(key) is None

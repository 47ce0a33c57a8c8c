"""/healthz answers without a login, for load balancers and uptime checks."""

from __future__ import annotations


def test_health_answers_anonymous(client, db):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}

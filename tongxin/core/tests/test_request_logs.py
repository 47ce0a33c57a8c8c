"""Structured logs: one JSON access line per request carrying the id the response names, no query string,
and ID numbers and phones masked in whatever is logged."""

from __future__ import annotations

import io
import json
import logging

import pytest

from tongxin.core.logs import JsonFormatter
from tongxin.core.request_id import HEADER

ID_NUMBER = "110101199003074514"
PHONE = "13912345678"


@pytest.fixture
def log_lines():
    """The configured console handler (its filters as in the settings), writing JSON into a buffer."""
    handler = next(h for h in logging.getLogger().handlers if h.name == "console")
    assert isinstance(handler, logging.StreamHandler)
    buffer = io.StringIO()
    old_stream, old_formatter = handler.setStream(buffer), handler.formatter
    handler.setFormatter(JsonFormatter())

    def read() -> list[dict]:
        return [json.loads(line) for line in buffer.getvalue().splitlines() if line.strip()]

    try:
        yield read
    finally:
        handler.setStream(old_stream)
        handler.setFormatter(old_formatter)


def access_lines(lines: list[dict]) -> list[dict]:
    return [line for line in lines if line["logger"] == "tongxin.access"]


def test_a_request_logs_one_json_line_with_the_request_id_of_the_response(client, db, log_lines):
    response = client.get("/healthz?q=张三&phone=" + PHONE)

    request_id = response.headers[HEADER]
    [line] = access_lines(log_lines())
    assert line["request_id"] == request_id and len(request_id) >= 8
    assert (line["method"], line["path"], line["status"]) == ("GET", "/healthz", 200)
    assert isinstance(line["duration_ms"], float) and line["user_id"] is None
    raw = json.dumps(log_lines(), ensure_ascii=False)
    assert "张三" not in raw and "q=" not in raw and PHONE not in raw


def test_the_access_line_names_the_signed_in_user(client_for, users, log_lines):
    client_for(users.secretary_a).get("/people/?q=张甲一")

    [line] = access_lines(log_lines())
    assert line["user_id"] == users.secretary_a.pk and line["path"] == "/people/"
    assert "张甲一" not in json.dumps(log_lines(), ensure_ascii=False)


def test_a_sane_incoming_request_id_is_kept_and_anything_else_replaced(client, db, log_lines):
    kept = client.get("/healthz", headers={HEADER: "lb-7f3a9c21-0001"})
    replaced = client.get("/healthz", headers={HEADER: "x" * 200})
    injected = client.get("/healthz", headers={HEADER: "abc def\nlevel=ERROR"})

    assert kept.headers[HEADER] == "lb-7f3a9c21-0001"
    assert replaced.headers[HEADER] != "x" * 200 and len(replaced.headers[HEADER]) == 32
    assert "level" not in injected.headers[HEADER]
    assert [line["request_id"] for line in access_lines(log_lines())] == [
        r.headers[HEADER] for r in (kept, replaced, injected)
    ]


def test_each_request_gets_its_own_id(client, db):
    first, second = client.get("/healthz"), client.get("/healthz")

    assert first.headers[HEADER] != second.headers[HEADER]


def test_id_numbers_and_phones_in_a_log_call_are_masked(log_lines):
    logging.getLogger("tongxin.people").warning("person %s, phone %s, again %s", ID_NUMBER, PHONE, PHONE)
    logging.getLogger("tongxin.people").info(f"lower-case x: {ID_NUMBER[:17]}x", extra={"detail": PHONE})

    raw = json.dumps(log_lines(), ensure_ascii=False)
    assert ID_NUMBER not in raw and PHONE not in raw and ID_NUMBER[:17] not in raw
    first, second = log_lines()
    assert first["message"] == "person 110***********4514, phone 139****5678, again 139****5678"
    assert first["request_id"] == "-"
    assert second["detail"] == "139****5678"


def test_personal_data_in_a_traceback_is_masked(log_lines):
    try:
        raise ValueError(f"duplicate id number {ID_NUMBER}")
    except ValueError:
        logging.getLogger("tongxin.people").exception("import failed")

    [line] = log_lines()
    assert "ValueError: duplicate id number 110***********4514" in line["exc"]
    assert ID_NUMBER not in json.dumps(line)


def test_longer_digit_runs_are_left_alone(log_lines):
    logging.getLogger("tongxin.core").info("order %s", "1391234567890123456789")

    assert log_lines()[0]["message"] == "order 1391234567890123456789"


def test_the_development_servers_request_lines_lose_their_query_string(log_lines):
    logging.getLogger("django.server").info('"%s" %s %s', "GET /people/?q=张三&page=2 HTTP/1.1", "200", "5120")

    assert log_lines()[0]["message"] == '"GET /people/ HTTP/1.1" 200 5120'

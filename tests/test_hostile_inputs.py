"""Malformed and hostile input answers 4xx with the error shape, never 500.

Under /api/ every error is JSON `{code, message, field}`; on the web a styled page. A database
that refuses connections answers 503 with Retry-After.
"""

from __future__ import annotations

import io
import json
import struct
import zlib
from typing import Any

import pytest
from conftest import World, staff_client
from django.db import OperationalError
from django.db.backends.base.base import BaseDatabaseWrapper
from django.test import Client

from anyun.accounts.services import api_token_issue
from anyun.pregnancy.models import ExamReport

pytestmark = pytest.mark.django_db


def _shaped(response: Any, status: int) -> dict[str, Any]:
    assert response.status_code == status, response.content[:300]
    assert response["Content-Type"].startswith("application/json")
    body = response.json()
    assert set(body) >= {"code", "message", "field"}, body
    assert isinstance(body["message"], str) and body["message"]
    return body


def _bearer(user: Any) -> Client:
    return Client(HTTP_AUTHORIZATION=f"Bearer {api_token_issue(user=user)}")


def _json(client: Client, method: str, path: str, raw: str) -> Any:
    return getattr(client, method)(path, data=raw, content_type="application/json")


@pytest.mark.parametrize("param", ["limit", "offset"])
def test_huge_pagination_numbers_are_refused_with_the_field_named(param: str) -> None:
    response = Client().get(f"/api/v1/staff/clinicians?{param}=100000000000000000000")
    body = _shaped(response, 422)
    assert body["field"] == param


def test_inbox_page_past_any_integer_column(world: World) -> None:
    response = _bearer(world.woman).get("/api/v1/inbox/?page=100000000000000000000")
    assert response.status_code == 422
    _shaped(response, 422)
    page = Client()
    page.force_login(world.woman)
    assert page.get("/inbox/?page=1e20").status_code == 200


@pytest.mark.parametrize("text", ["\\ud800", "a\\udfffb", "nul\\u0000byte"])
def test_text_that_cannot_be_stored_is_refused_before_sign_in(text: str) -> None:
    raw = '{"username": "' + text + '", "password": "x", "token": "123456"}'
    body = _shaped(_json(Client(), "post", "/api/v1/auth/staff-token", raw), 400)
    assert (body["code"], body["field"]) == ("text_invalid", "username")


@pytest.mark.parametrize("text", ["\\ud800", "x\\u0000y"])
def test_text_that_cannot_be_stored_is_refused_in_a_record(world: World, text: str) -> None:
    api = _bearer(world.woman)
    current = api.get("/api/v1/pregnancy/current").json()
    raw = '{"allergies": "' + text + '"}'
    body = _shaped(_json(api, "patch", f"/api/v1/pregnancy/{current['id']}", raw), 400)
    assert (body["code"], body["field"]) == ("text_invalid", "allergies")
    assert api.get("/api/v1/pregnancy/current").json()["allergies"] == current["allergies"]


def test_a_nul_in_a_query_string_is_refused() -> None:
    body = _shaped(Client().get("/api/v1/staff/clinicians?q=a%00b"), 400)
    assert (body["code"], body["field"]) == ("text_invalid", "q")


@pytest.mark.parametrize("value", ["100000", "1e20", "100000000000000000000"])
def test_integers_past_the_column_are_refused(world: World, value: str) -> None:
    api = _bearer(world.woman)
    current = api.get("/api/v1/pregnancy/current").json()
    response = _json(
        api, "patch", f"/api/v1/pregnancy/{current['id']}", '{"gravidity": ' + value + "}"
    )
    assert 400 <= response.status_code < 500
    _shaped(response, response.status_code)
    assert api.get("/api/v1/pregnancy/current").json()["gravidity"] == current["gravidity"]


def test_a_body_over_the_upload_limit_is_413_json(world: World, settings: Any) -> None:
    settings.ANYUN_UPLOAD_MAX_BYTES = 1024
    api = _bearer(world.woman)
    current = api.get("/api/v1/pregnancy/current").json()
    response = api.post(
        f"/api/v1/pregnancy/{current['id']}/reports",
        data={"title": "big", "file": io.BytesIO(b"\x89PNG" + b"0" * (3 * 1024 * 1024))},
    )
    assert _shaped(response, 413)["code"] == "request_too_large"


def _png_header_only(width: int, height: int) -> bytes:
    """A PNG whose header declares `width` x `height` (decoding would need gigabytes)."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data))
            + kind
            + data
            + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
        )

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IEND", b"")


def test_a_decompression_bomb_png_is_refused(world: World) -> None:
    api = _bearer(world.woman)
    current = api.get("/api/v1/pregnancy/current").json()
    upload = io.BytesIO(_png_header_only(30000, 30000))
    upload.name = "bomb.png"
    response = api.post(
        f"/api/v1/pregnancy/{current['id']}/reports", data={"title": "scan", "file": upload}
    )
    body = _shaped(response, 400)
    assert body["field"] == "file"
    assert not ExamReport.objects.exists()


def test_a_five_thousand_character_filename_is_accepted_or_refused_never_500(
    world: World,
) -> None:
    from PIL import Image

    api = _bearer(world.woman)
    current = api.get("/api/v1/pregnancy/current").json()
    image = io.BytesIO()
    Image.new("RGB", (4, 4), "white").save(image, "PNG")
    image.seek(0)
    image.name = "x" * 5000 + ".png"
    response = api.post(
        f"/api/v1/pregnancy/{current['id']}/reports", data={"title": "scan", "file": image}
    )
    assert response.status_code in {201, 400}, response.content[:300]


@pytest.mark.parametrize(
    ("woman", "member"), [("", ""), ("not-a-uuid", "also-not"), ("1" * 5000, "2")]
)
def test_care_team_assign_with_bad_ids_is_404(world: World, woman: str, member: str) -> None:
    response = staff_client(world.head).post(
        "/clinic/care-team/assign/", {"woman": woman, "member": member}
    )
    assert response.status_code == 404


@pytest.mark.parametrize("plan", ["not-a-uuid", "1" * 300])
def test_ending_a_plan_with_a_bad_id_is_404(world: World, plan: str) -> None:
    response = staff_client(world.inside).post(
        f"/clinic/patients/{world.woman.public_id}/plans/", {"end": plan}
    )
    assert response.status_code == 404


def test_an_invalid_bearer_token_on_a_write_is_401_not_a_csrf_refusal(world: World) -> None:
    api = Client(HTTP_AUTHORIZATION="Bearer not-a-real-token")
    response = _json(api, "post", "/api/v1/auth/guide-seen", "{}")
    assert _shaped(response, 401)["code"] == "unauthenticated"


def test_unknown_routes_and_methods_under_the_api_are_json() -> None:
    assert _shaped(Client().get("/api/v1/no-such-thing"), 404)["code"] == "not_found"
    assert _shaped(Client().delete("/api/v1/staff/clinicians"), 405)["code"] == (
        "method_not_allowed"
    )


def test_a_malformed_json_body_is_400_json() -> None:
    body = _shaped(_json(Client(), "post", "/api/v1/auth/staff-token", "{not json"), 400)
    assert body["code"] == "body_invalid"


@pytest.fixture
def database_down(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(self: Any) -> None:
        raise OperationalError("connection to server at 127.0.0.1 refused")

    monkeypatch.setattr(BaseDatabaseWrapper, "ensure_connection", refuse)


def test_a_database_refusing_connections_is_503_with_retry_after(database_down: None) -> None:
    response = Client().get("/api/v1/staff/clinicians")
    assert _shaped(response, 503)["code"] == "unavailable"
    assert int(response["Retry-After"]) > 0
    page = Client().get("/staff/")
    assert page.status_code == 503
    assert int(page["Retry-After"]) > 0
    assert page["Content-Type"].startswith("text/html")
    assert b'name="viewport"' in page.content


def test_the_web_shows_a_styled_404() -> None:
    response = Client().get("/no-such-page/")
    assert response.status_code == 404
    assert b'name="viewport"' in response.content
    assert b"anyun.css" in response.content
    assert json.dumps("Not Found")[1:-1].encode() not in response.content


def test_every_operation_documents_its_error_answers() -> None:
    schema = Client().get("/api/openapi.json").json()
    assert schema["components"]["schemas"]["Error"]["required"] == ["code", "message", "field"]
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            documented = set(operation["responses"])
            assert {"400", "404", "422", "503"} <= documented, (method, path)
            if operation.get("security"):
                assert "401" in documented, (method, path)


def test_field_messages_are_localised(world: World) -> None:
    api = _bearer(world.woman)
    current = api.get("/api/v1/pregnancy/current").json()
    response = api.patch(
        f"/api/v1/pregnancy/{current['id']}",
        data='{"gravidity": "many"}',
        content_type="application/json",
        HTTP_ACCEPT_LANGUAGE="zh-hans",
    )
    body = _shaped(response, 422)
    assert body["errors"] == [{"field": "gravidity", "message": "请输入整数。"}]


def test_a_png_without_image_data_is_refused_as_corrupt(world: World) -> None:
    api = _bearer(world.woman)
    current = api.get("/api/v1/pregnancy/current").json()
    upload = io.BytesIO(_png_header_only(4, 4))
    upload.name = "scan.png"
    response = api.post(
        f"/api/v1/pregnancy/{current['id']}/reports", data={"title": "scan", "file": upload}
    )
    assert _shaped(response, 400)["code"] == "upload_corrupt"


def test_an_exam_date_before_her_birth_is_refused(world: World) -> None:
    from PIL import Image

    api = _bearer(world.woman)
    current = api.get("/api/v1/pregnancy/current").json()
    upload = io.BytesIO()
    Image.new("RGB", (4, 4), "white").save(upload, "PNG")
    upload.seek(0)
    upload.name = "scan.png"
    response = api.post(
        f"/api/v1/pregnancy/{current['id']}/reports",
        data={"title": "scan", "exam_date": "1553-01-01", "file": upload},
    )
    body = _shaped(response, 400)
    assert body["field"] == "exam_date"


def test_notes_past_their_limit_are_refused_not_cut(world: World) -> None:
    api = _bearer(world.woman)
    response = api.post(
        "/api/v1/monitoring/readings",
        data=json.dumps({"items": [{"kind": "weight", "value": 60, "note": "记" * 501}]}),
        content_type="application/json",
    )
    body = _shaped(response, 400)
    assert (body["code"], body["field"]) == ("text_too_long", "note")


def test_the_schema_has_no_status_twice() -> None:
    """Int and string status keys would serialise to the same JSON key twice (Swagger UI then
    refuses the whole document: "duplicated mapping key")."""
    raw = Client().get("/api/openapi.json").content.decode()

    def no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
        keys = [k for k, _ in pairs]
        assert len(keys) == len(set(keys)), keys
        return dict(pairs)

    json.loads(raw, object_pairs_hook=no_duplicates)

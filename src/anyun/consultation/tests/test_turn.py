"""TURN REST API credentials as coturn checks them (use-auth-secret): username
"<expiry>:<user>", password base64(HMAC-SHA1(secret, username))."""

from __future__ import annotations

import base64
import hashlib
import hmac
import time
from typing import Any

import pytest
from conftest import woman_client

from anyun.consultation.tests.conftest import Room
from anyun.consultation.turn import ice_servers, turn_credentials


def test_the_credential_is_the_hmac_of_the_expiry_and_user() -> None:
    username, password = turn_credentials("u1", secret="s3cret", ttl_seconds=600, now=1_700_000_000)
    assert username == "1700000600:u1"
    expected = base64.b64encode(hmac.new(b"s3cret", b"1700000600:u1", hashlib.sha1).digest())
    assert password == expected.decode()
    # A known vector: base64(HMAC-SHA1("secret", "1:u")).
    assert turn_credentials("u", secret="secret", ttl_seconds=0, now=1)[1] == (
        base64.b64encode(hmac.new(b"secret", b"1:u", hashlib.sha1).digest()).decode()
    )


def test_no_servers_configured_gives_an_empty_list(settings: Any) -> None:
    settings.ANYUN_STUN_URLS, settings.ANYUN_TURN_URLS, settings.ANYUN_TURN_SECRET = [], [], ""
    assert ice_servers("u") == []
    settings.ANYUN_TURN_URLS = ["turn:127.0.0.1:3478"]
    assert ice_servers("u") == []  # TURN without its secret is not offered


@pytest.mark.django_db
def test_the_api_issues_short_lived_turn_credentials_to_the_participants(
    room: Room, settings: Any
) -> None:
    settings.ANYUN_STUN_URLS = ["stun:stun.example.org:3478"]
    settings.ANYUN_TURN_URLS = ["turn:turn.example.org:3478?transport=udp"]
    settings.ANYUN_TURN_SECRET = "shared"
    settings.ANYUN_TURN_TTL_SECONDS = 300
    url = f"/api/v1/consultation/{room.consultation.public_id}/ice"
    body = woman_client(room.woman).get(url).json()
    stun, turn = body["ice_servers"]
    assert stun == {"urls": ["stun:stun.example.org:3478"]}
    expiry, user = turn["username"].split(":")
    assert user == room.woman.public_id.hex
    assert abs(int(expiry) - (time.time() + 300)) < 60
    digest = hmac.new(b"shared", turn["username"].encode(), hashlib.sha1).digest()
    assert turn["credential"] == base64.b64encode(digest).decode()
    assert woman_client(room.other_woman).get(url).status_code == 404

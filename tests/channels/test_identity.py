"""channels/identity.py: one namespace per channel, and widget session ids the server signs."""

from __future__ import annotations

import stat
from pathlib import Path
from types import SimpleNamespace

import pytest

from channels import identity
from channels.identity import SessionSigner, session_secret
from channels.metadata import accepted_metadata
from channels.rest import OFF_TEXT, TOKEN_TEXT, RestInput
from server.settings import SettingError

SECRET = b"s" * 32


def test_sender_ids_carry_their_channel() -> None:
    assert identity.sender_id(identity.TELEGRAM, "555001") == "telegram:555001"
    assert identity.local_id(identity.TELEGRAM, "telegram:555001") == "555001"
    # A REST sender that names another channel's conversation stays in REST's namespace.
    assert identity.sender_id(identity.REST, "telegram:555001") == "rest:telegram:555001"
    assert identity.local_id(identity.WIDGET, "abc") == "abc"


def test_issued_sessions_verify_and_nothing_else_does() -> None:
    signer = SessionSigner(SECRET)
    signed = signer.issue()
    session, _, signature = signed.partition(".")
    assert signer.verify(signed) == session
    assert signer.issue() != signed
    for forged in (
        session,  # the room name alone
        f"{session}.{signature[::-1]}",
        f"{session}.{'0' * 32}",
        f"{'0' * 32}.{signature}",
        signed + "0",
        signed.upper(),
        "555001",
        "telegram:555001",
        "",
        None,
        42,
        ["list"],
    ):
        assert signer.verify(forged) is None, forged
    assert SessionSigner(b"t" * 32).verify(signed) is None  # another server's key


def test_a_short_secret_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="32"):
        SessionSigner(b"short")
    with pytest.raises(SettingError, match="SESSION_SECRET"):
        session_secret("too-short", tmp_path)
    assert session_secret("x" * 40, tmp_path) == b"x" * 40
    assert not (tmp_path / identity.SECRET_FILE_NAME).exists()


def test_without_a_setting_the_secret_is_made_once_and_kept_owner_only(tmp_path: Path) -> None:
    var = tmp_path / "var"
    first = session_secret("", var)
    kept = var / identity.SECRET_FILE_NAME
    assert len(first) >= identity.MIN_SECRET_LENGTH
    assert stat.S_IMODE(kept.stat().st_mode) == 0o600
    assert session_secret("", var) == first  # a restart signs the same way
    signed = SessionSigner(first).issue()
    assert SessionSigner(session_secret("", var)).verify(signed) is not None


def test_an_unwritable_var_still_gives_a_secret(tmp_path: Path) -> None:
    blocked = tmp_path / "file"
    blocked.write_text("not a directory")
    assert len(session_secret("", blocked / "var")) >= identity.MIN_SECRET_LENGTH


# --- metadata ----------------------------------------------------------------------------


def nested(depth: int) -> object:
    value: object = []
    for _ in range(depth):
        value = [value]
    return value


def test_only_small_flat_metadata_with_known_keys_is_accepted() -> None:
    assert accepted_metadata({"language": "en"}) == {"language": "en"}
    assert accepted_metadata({"language": "pt-BR", "x": 1}) == {"language": "pt-BR"}
    assert accepted_metadata('{"language": "de"}') == {"language": "de"}
    for dropped in (
        {"deep": nested(900)},
        {"language": nested(900)},
        {"language": "en" * 100},
        {"language": "<script>"},
        nested(900),
        "[" * 900 + "]" * 900,
        '{"language": "en", "pad": "' + "x" * 2000 + '"}',
        "not json",
        42,
        None,
        {},
    ):
        assert accepted_metadata(dropped) is None


# --- the REST channel's token -----------------------------------------------------------


def rest(monkeypatch: pytest.MonkeyPatch, **env: str) -> RestInput:
    for name in ("REST_TOKEN", "REST_OPEN"):
        monkeypatch.setenv(name, env.get(name, ""))
    return RestInput()


def request(authorization: str | None = None, address: str = "203.0.113.7") -> SimpleNamespace:
    headers = {} if authorization is None else {"authorization": authorization}
    return SimpleNamespace(headers=headers, remote_addr=address, ip=address)


@pytest.mark.parametrize("address", ["203.0.113.7", "192.168.1.20", "::ffff:10.0.0.1", ""])
def test_rest_without_a_token_refuses_other_machines(
    monkeypatch: pytest.MonkeyPatch, address: str
) -> None:
    """No REST_TOKEN: any address but loopback is refused (403, saying how to open it)."""
    refused = rest(monkeypatch).refusal(request("Bearer anything", address))
    assert refused is not None and refused.status == 403
    assert OFF_TEXT.encode()[:40] in refused.body


@pytest.mark.parametrize("address", ["127.0.0.1", "::1"])
def test_rest_without_a_token_takes_this_machine(
    monkeypatch: pytest.MonkeyPatch, address: str
) -> None:
    """An integration beside the bot (and make run's own checks) needs no token."""
    assert rest(monkeypatch).refusal(request(None, address)) is None


@pytest.mark.parametrize(
    ("sender", "conversation"),
    [
        ("555001", "555001"),
        ("telegram:555001", "rest:telegram:555001"),
        ("widget:abc", "rest:widget:abc"),
        ("shell:x", "rest:shell:x"),
        ("rest:y", "rest:rest:y"),
        ("my-integration:42", "my-integration:42"),
    ],
)
def test_a_rest_sender_never_names_another_channels_conversation(
    sender: str, conversation: str
) -> None:
    """REST keeps the integration's own ids, except those in another channel's namespace."""
    assert identity.rest_sender_id(sender) == conversation


def test_rest_with_a_token_needs_it(monkeypatch: pytest.MonkeyPatch) -> None:
    channel = rest(monkeypatch, REST_TOKEN="integration-token-123")
    for header in (None, "", "Bearer", "Bearer wrong", "Basic integration-token-123"):
        refused = channel.refusal(request(header, "127.0.0.1"))
        assert refused is not None and refused.status == 401, header
        assert refused.headers["WWW-Authenticate"] == "Bearer"
        assert TOKEN_TEXT.encode()[:30] in refused.body
    assert channel.refusal(request("Bearer integration-token-123")) is None
    assert channel.refusal(request("bearer integration-token-123")) is None


def test_rest_open_takes_requests_without_a_token(monkeypatch: pytest.MonkeyPatch) -> None:
    assert rest(monkeypatch, REST_OPEN="true").refusal(request()) is None

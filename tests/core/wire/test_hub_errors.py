"""Every failure the Hub can answer with becomes the right error, with the right one-line message."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from hfgui.core.errors import (
    DisabledRepoError,
    EntryNotFoundError,
    GatedRepoError,
    HfGuiError,
    HubHTTPError,
    InvalidRepoIdError,
    InvalidTokenError,
    RateLimitedError,
    RepoNotFoundError,
    RevisionNotFoundError,
)
from hfgui.core.wire.auth import MemoryTokenStore, Token, TokenSource
from hfgui.core.wire.hub import HubClient
from hfgui.core.wire.ratelimit import RetryPolicy
from hfgui.core.wire.urls import resolve_url
from tests.hubemu import HubEmulator

GOOD = "hf_goodTOKEN0000000000000001"
BAD = "hf_badTOKEN99999999999999999"


def _raises(exc_type: type[HfGuiError], call) -> HfGuiError:  # type: ignore[no-untyped-def]
    with pytest.raises(exc_type) as info:
        call()
    err = info.value
    text = str(err)
    assert "\n" not in text and text == err.user_message
    assert GOOD not in text and BAD not in text and GOOD not in repr(err.args) and BAD not in repr(err.args)
    return err


@pytest.fixture
def repos(hub_env: HubEmulator) -> HubEmulator:
    hub = hub_env
    hub.add_repo("owner/public", files={"config.json": b"{}", "model.bin": b"w" * 64})
    hub.add_repo("alice/secret", files={"config.json": b"{}"}, private=True)
    hub.add_repo("owner/gated", files={"config.json": b"{}", "model.bin": b"g" * 64}, gated="manual")
    hub.add_repo("owner/off", files={"config.json": b"{}"}, disabled=True)
    hub.add_user("bob", GOOD)
    return hub


def test_invalid_repo_id_is_refused_before_any_request(repos: HubEmulator) -> None:
    client = HubClient()
    for call in (
        lambda: client.model_info("foo"),
        lambda: client.list_tree("a/b/c"),
        lambda: client.file_metadata("owner/my model", "x"),
        lambda: client.model_info("owner/x.git"),
    ):
        _raises(InvalidRepoIdError, call)
    assert repos.requests == []


def test_missing_or_private_repo_anonymous_suggests_a_token(repos: HubEmulator) -> None:
    client = HubClient()
    for repo in ("alice/secret", "nobody/nothing"):
        err = _raises(RepoNotFoundError, lambda repo=repo: client.model_info(repo))
        assert err.authenticated is False
        assert str(err) == (
            f"Model {repo} was not found or is private. "
            "Check the spelling; if it is a private model, add a Hugging Face token"
            " (Settings in the window, HF_TOKEN for the command line)."
        )
    assert [r.status for r in repos.requests] == [401, 401]


def test_missing_or_private_repo_authenticated(repos: HubEmulator) -> None:
    client = HubClient(token=GOOD)
    err = _raises(RepoNotFoundError, lambda: client.list_tree("alice/secret"))
    assert err.authenticated is True
    assert "make sure your token's account can read it" in str(err)
    assert repos.requests[-1].status == 404


def test_private_repo_with_access_works(repos: HubEmulator) -> None:
    repos.grant(GOOD, "alice/secret")
    assert HubClient(token=GOOD).model_info("alice/secret").private is True


@pytest.mark.parametrize(
    ("setup", "label"),
    [
        ("explicit", "the --token option"),
        ("HF_TOKEN", "HF_TOKEN"),
        ("HUGGING_FACE_HUB_TOKEN", "HUGGING_FACE_HUB_TOKEN"),
        ("store", "Settings"),
        ("file", "the token file {path}"),
    ],
)
def test_invalid_token_names_its_source(
    repos: HubEmulator, monkeypatch: pytest.MonkeyPatch, tmp_path: Path, setup: str, label: str
) -> None:
    token_file = tmp_path / "hf-token"
    monkeypatch.setenv("HF_TOKEN_PATH", str(token_file))
    store = MemoryTokenStore()
    explicit = None
    if setup == "explicit":
        explicit = BAD
    elif setup == "store":
        store.set(BAD)
    elif setup == "file":
        token_file.write_text(BAD + "\n", encoding="utf-8")
    else:
        monkeypatch.setenv(setup, BAD)
    client = HubClient(token=explicit, store=store)
    assert client.token is not None and client.token.reveal() == BAD
    # The Hub rejects a bad token even for a public model.
    err = _raises(InvalidTokenError, lambda: client.model_info("owner/public"))
    expected_label = label.format(path=token_file)
    assert err.source == expected_label
    assert str(err) == (
        f"The Hub rejected your Hugging Face token (from {expected_label}); "
        "it is invalid, expired or revoked. "
        f"Fix or remove the token in {expected_label}; public models download without one."
    )
    _raises(InvalidTokenError, lambda: client.whoami())
    _raises(InvalidTokenError, lambda: client.file_metadata("owner/public", "config.json"))


def test_gated_repo_anonymous(repos: HubEmulator) -> None:
    client = HubClient()
    assert client.model_info("owner/gated").gated == "manual"  # info stays public
    err = _raises(GatedRepoError, lambda: client.file_metadata("owner/gated", "model.bin"))
    assert err.authenticated is False
    assert err.page_url == f"{repos.url}/owner/gated"
    assert str(err) == (
        "Model owner/gated is gated: you must accept its license first. "
        f"Accept the license at {repos.url}/owner/gated and add a Hugging Face token"
        " (Settings in the window, HF_TOKEN for the command line)."
    )


def test_gated_repo_authenticated_not_granted_then_granted(repos: HubEmulator) -> None:
    client = HubClient(token=GOOD)
    err = _raises(GatedRepoError, lambda: client.file_metadata("owner/gated", "config.json"))
    assert err.authenticated is True
    assert f"Request access at {repos.url}/owner/gated" in str(err)
    assert repos.requests[-1].status == 403
    repos.grant(GOOD, "owner/gated")
    assert client.file_metadata("owner/gated", "model.bin").is_lfs


def test_disabled_repo(repos: HubEmulator) -> None:
    assert HubClient().model_info("owner/off").disabled is True
    err = _raises(DisabledRepoError, lambda: HubClient(token=GOOD).list_tree("owner/off"))
    assert (
        str(err)
        == "Model owner/off has been disabled on the Hub and cannot be downloaded. Pick another model."
    )
    anonymous = _raises(RepoNotFoundError, lambda: HubClient().list_tree("owner/off"))
    assert anonymous.authenticated is False


def test_revision_not_found(repos: HubEmulator) -> None:
    client = HubClient()
    for call in (
        lambda: client.model_info("owner/public", revision="refs/pr/9"),
        lambda: client.list_tree("owner/public", revision="refs/pr/9"),
        lambda: client.file_metadata(
            "owner/public", "config.json", revision="refs/pr/9"
        ),  # HEAD: headers only
    ):
        err = _raises(RevisionNotFoundError, call)
        assert err.revision == "refs/pr/9"
        assert str(err) == (
            "Revision 'refs/pr/9' does not exist in owner/public. "
            "Use a branch, tag or commit that exists (default: main)."
        )


def test_entry_not_found(repos: HubEmulator) -> None:
    client = HubClient()
    err = _raises(EntryNotFoundError, lambda: client.file_metadata("owner/public", "nope/missing.json"))
    assert err.path == "nope/missing.json"
    assert str(err) == (
        "File 'nope/missing.json' does not exist in owner/public at main. "
        "List the repository's files with: hfgui files owner/public"
    )
    err = _raises(EntryNotFoundError, lambda: client.list_tree("owner/public", path="no-such-dir"))
    assert err.path == "no-such-dir"


def test_rate_limited_after_retries(repos: HubEmulator) -> None:
    repos.rate_limit(bucket="api", quota=1, window=30)
    sleeps: list[float] = []
    client = HubClient(token=GOOD, retry=RetryPolicy(max_retries=0), sleep=sleeps.append)
    client.model_info("owner/public")
    err = _raises(RateLimitedError, lambda: client.model_info("owner/public"))
    assert err.authenticated is True and err.retry_after is not None and 0 < err.retry_after <= 30
    assert "Wait about" in str(err) and "higher limits" not in str(err)
    assert sleeps == []


def test_other_http_errors_carry_server_message_and_request_id(repos: HubEmulator) -> None:
    client = HubClient()
    url = f"{repos.url}/api/models/owner/public"
    err = _raises(
        HubHTTPError, lambda: client.request("GET", url, params={"expand": "bogus"}, repo_id="owner/public")
    )
    assert err.status == 400
    assert '"expand" must be one of' in err.server_message and "bogus" in err.server_message
    assert err.request_id and err.request_id in str(err)
    assert str(err).startswith(f"The Hub answered HTTP 400 for {url}: ")


def test_whoami_without_token(repos: HubEmulator) -> None:
    err = _raises(HfGuiError, lambda: HubClient().whoami())
    assert "No Hugging Face token" in str(err)
    assert repos.requests == []


def test_token_never_logged_or_in_errors(repos: HubEmulator, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    repos.grant(GOOD, "alice/secret")
    client = HubClient(token=Token(GOOD, TokenSource.KEYRING))
    texts: list[str] = [repr(client), repr(client.token), str(client.token)]
    client.model_info("alice/secret")
    client.list_tree("owner/public")
    meta = client.file_metadata("owner/public", "model.bin")
    client.request("GET", meta.location)
    client.request("GET", resolve_url(client.endpoint, "owner/public", "config.json"), allow_redirects=True)
    client.whoami()
    list(client.search_models("o"))
    for call in (
        lambda: client.model_info("nobody/nothing"),
        lambda: client.file_metadata("owner/gated", "model.bin"),
        lambda: client.list_tree("owner/public", revision="nope"),
    ):
        with pytest.raises(HfGuiError) as info:
            call()
        texts += [str(info.value), repr(info.value)]
    bad = HubClient(token=BAD)
    with pytest.raises(InvalidTokenError) as info:
        bad.model_info("owner/public")
    texts += [str(info.value), repr(info.value)]
    assert "GET" in caplog.text and "HEAD" in caplog.text  # the log really covered the session
    assert GOOD not in caplog.text and BAD not in caplog.text
    assert all(GOOD not in t and BAD not in t for t in texts)
    assert any(r.authorized for r in repos.requests)

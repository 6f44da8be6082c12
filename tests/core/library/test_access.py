"""check_access: verdicts, the file it probes, token checks, and failures recorded instead of raised."""

from __future__ import annotations

import socket

import pytest

from hfgui.core.library.access import AccessReport, TokenCheck, Verdict, check_access, check_token
from hfgui.core.wire.hub import HubClient
from hfgui.core.wire.ratelimit import RetryPolicy

GOOD = "hf_access_good_token_0123456789"
NO_RETRY = RetryPolicy(max_retries=0)


def _no_sleep(seconds: float) -> None:
    raise AssertionError(f"the check slept {seconds} s")


def _client(hub, token: str | bool = False) -> HubClient:
    return HubClient(hub.url, token=token, retry=NO_RETRY, sleep=_no_sleep)


def _check(hub, repo_id: str, token: str | None = None, **kwargs) -> AccessReport:
    auth = _client(hub, token) if token else None
    return check_access(_client(hub), auth, repo_id, **kwargs)


@pytest.fixture
def hub(hub_env):
    hub_env.add_user("alice", GOOD)
    return hub_env


def test_public_repo_probes_config_json(hub) -> None:
    hub.add_repo("acme/m", {"model.safetensors": b"w" * 10, "config.json": b"{}", "README.md": b"x"})
    report = _check(hub, "acme/m")
    assert report.verdict is Verdict.NO_AUTH
    assert report.downloadable and report.api_accessible
    assert report.private is False and report.gated is False and report.disabled is False
    assert report.probe_file == "config.json"
    assert report.commit == hub.repo("acme/m").sha
    assert report.errors == ()
    heads = [r for r in hub.requests if r.method == "HEAD"]
    assert heads and all("config.json" in r.path for r in heads)


def test_probe_prefers_entry_files_then_patterns(hub) -> None:
    hub.add_repo(
        "acme/pkg",
        {
            "config.json": b"{}",
            "X.mlpackage/Data/com.apple.CoreML/model.mlmodel": b"m" * 50,
            "X.mlpackage/Manifest.json": b"{}",
            "other.gguf": b"GGUF",
        },
    )
    assert _check(hub, "acme/pkg", files=["other.gguf"]).probe_file == "other.gguf"
    assert _check(hub, "acme/pkg", patterns=["X.mlpackage/*"]).probe_file == "X.mlpackage/Manifest.json"
    hub.add_repo("acme/weights-only", {"README.md": b"x", "model.gguf": b"GGUF"})
    assert _check(hub, "acme/weights-only").probe_file == "model.gguf"


def test_disabled_repo(hub) -> None:
    hub.add_repo("acme/off", {"config.json": b"{}"}, disabled=True)
    report = _check(hub, "acme/off", GOOD)
    assert report.verdict is Verdict.DISABLED
    assert not report.downloadable
    assert "Pick another model" in report.next_step


def test_gated_auto_without_token(hub) -> None:
    hub.add_repo("acme/gate", {"config.json": b"{}"}, gated="auto")
    report = _check(hub, "acme/gate")
    assert report.verdict is Verdict.LICENSE_REQUIRED
    assert report.gated == "auto" and report.api_accessible  # model info stays public for gated repos
    assert report.anonymous_download is False
    assert f"{hub.url}/acme/gate" in report.next_step


def test_token_is_checked_once_when_shared(hub) -> None:
    for name in ("acme/a", "acme/b", "acme/c"):
        hub.add_repo(name, {"config.json": b"{}"})
    auth = _client(hub, GOOD)
    token_check = check_token(auth)
    assert token_check.valid and token_check.account.name == "alice"
    hub.clear_requests()
    reports = [
        check_access(_client(hub), auth, n, token_check=token_check) for n in ("acme/a", "acme/b", "acme/c")
    ]
    assert all(r.account == "alice" and r.token_download for r in reports)
    assert not [r for r in hub.requests if "whoami" in r.path]


def test_invalid_token(hub) -> None:
    hub.add_repo("acme/m", {"config.json": b"{}"})
    report = _check(hub, "acme/m", "hf_not_a_known_token_000000")
    assert report.verdict is Verdict.INVALID_TOKEN
    assert report.anonymous_download is True and report.token_download is False
    assert not report.downloadable
    assert report.account is None
    assert "hf_not_a_known_token_000000" not in repr(report) + " ".join(report.errors) + report.next_step


def test_revision_not_found(hub) -> None:
    hub.add_repo("acme/m", {"config.json": b"{}"})
    report = _check(hub, "acme/m", revision="no-such-branch")
    assert report.verdict is Verdict.NOT_FOUND
    assert report.revision == "no-such-branch"
    assert any("no-such-branch" in e for e in report.errors)


def test_unreachable_endpoint_is_recorded_not_raised() -> None:
    with socket.socket() as sock:  # a port that was free a moment ago: connection refused
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    client = HubClient(f"http://127.0.0.1:{port}", token=False, retry=NO_RETRY, sleep=_no_sleep)
    report = check_access(client, None, "acme/m")
    assert report.verdict is Verdict.UNREACHABLE
    assert not report.downloadable and not report.api_accessible
    assert report.errors and "could not be reached" in report.errors[0]
    assert "HTTPS_PROXY" in report.next_step


def test_rate_limited_is_recorded_not_raised(hub) -> None:
    hub.add_repo("acme/m", {"config.json": b"{}"})
    hub.rate_limit(bucket="api", quota=0, window=300)
    report = _check(hub, "acme/m")
    assert report.verdict is Verdict.RATE_LIMITED
    assert "Wait" in report.next_step
    assert not report.downloadable


def test_token_check_reports_invalid_tokens() -> None:
    check = TokenCheck("HF_TOKEN", error="rejected", invalid=True)
    assert not check.valid


def test_report_to_dict_is_json_ready(hub) -> None:
    import json

    hub.add_repo("acme/m", {"config.json": b"{}"})
    data = _check(hub, "acme/m", GOOD).to_dict()
    assert json.loads(json.dumps(data)) == data
    assert data["verdict"] == "no authentication required"
    assert data["account"] == "alice"
    assert data["token_source"] == "the --token option"  # a str token counts as given explicitly

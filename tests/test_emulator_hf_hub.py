"""huggingface_hub's own download functions work against the emulator: proof it speaks the real protocol."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from tests.hubemu import generated_content

hf = pytest.importorskip("huggingface_hub")
from huggingface_hub import constants, hf_hub_download, snapshot_download  # noqa: E402
from huggingface_hub.errors import (  # noqa: E402
    EntryNotFoundError,
    GatedRepoError,
    HfHubHTTPError,
    RepositoryNotFoundError,
    RevisionNotFoundError,
)

PACKAGE = "OpenELM-270M-Instruct-128-float32.mlpackage"
REPO = "corenet-community/coreml-OpenELM-270M-Instruct"
TOKEN = "hf_emulated_reader"


@pytest.fixture(autouse=True)
def plain_http(hub_env, monkeypatch):
    """No Xet (hf_xet is installed, but the emulator's CDN is a plain HTTP server) and quick failures."""
    monkeypatch.setenv("HF_HUB_DISABLE_XET", "1")
    monkeypatch.setattr(constants, "HF_HUB_DISABLE_XET", True)
    monkeypatch.setenv("HF_HUB_DISABLE_PROGRESS_BARS", "1")


@pytest.fixture
def openelm(hub):
    files = {
        "README.md": "# OpenELM\n",
        "config.json": b'{"architectures": ["OpenELMForCausalLM"]}',
        f"{PACKAGE}/Manifest.json": b'{"fileFormatVersion": "1.0.0", "itemInfoEntries": {}}',
        f"{PACKAGE}/Data/com.apple.CoreML/model.mlmodel": generated_content(150_000, seed=11),
        f"{PACKAGE}/Data/com.apple.CoreML/weights/weight.bin": generated_content(
            4 * 1024 * 1024 + 5, seed=12
        ),
        "other.mlpackage/Manifest.json": b"{}",
    }
    return hub.add_repo(REPO, files)


def download(hub, repo_id, filename, tmp_path, **kw):
    return Path(hf_hub_download(repo_id, filename, cache_dir=tmp_path / "cache", endpoint=hub.url, **kw))


def sha256_of(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_regular_file(hub, openelm, tmp_path):
    path = download(hub, REPO, "config.json", tmp_path)
    assert path.read_bytes() == openelm.head.files["config.json"].content.read()
    assert path.parent.name == openelm.sha  # snapshots/<commit>/config.json: X-Repo-Commit was understood
    assert any("/api/resolve-cache/" in r.path for r in hub.requests)


def test_lfs_file_via_cdn_without_token_leak(hub, openelm, tmp_path):
    hub.add_user("reader", TOKEN)
    name = f"{PACKAGE}/Data/com.apple.CoreML/weights/weight.bin"
    path = download(hub, REPO, name, tmp_path, token=TOKEN)
    assert sha256_of(path) == openelm.head.files[name].content.sha256
    blob = path.resolve()
    assert blob.parent.name == "blobs" and blob.name == openelm.head.files[name].content.sha256
    cdn = [r for r in hub.requests if r.host == "cdn"]
    assert cdn and not any(r.authorized for r in cdn)
    assert all(r.authorized for r in hub.requests if r.host == "hub")


def test_snapshot_of_an_mlpackage_folder(hub, openelm, tmp_path):
    root = Path(
        snapshot_download(
            REPO, cache_dir=tmp_path / "cache", endpoint=hub.url, allow_patterns=[f"{PACKAGE}/*"]
        )
    )
    got = sorted(str(p.relative_to(root)) for p in root.rglob("*") if p.is_file())
    expected = sorted(p for p in openelm.head.files if p.startswith(PACKAGE + "/"))
    assert got == expected
    for rel in expected:
        assert (root / rel).read_bytes() == openelm.head.files[rel].content.read()


def test_snapshot_into_local_dir_at_an_old_commit(hub, openelm, tmp_path):
    old = openelm.sha
    openelm.commit({"config.json": b'{"v": 2}'})
    root = Path(snapshot_download(REPO, revision=old, local_dir=tmp_path / "out", endpoint=hub.url))
    assert (root / "config.json").read_bytes() == b'{"architectures": ["OpenELMForCausalLM"]}'
    assert (root / PACKAGE / "Manifest.json").is_file()


def test_resume_after_dropped_connection(hub, tmp_path):
    # huggingface_hub reads in 10 MiB chunks, so only a drop past 10 MiB shows up as a Range resume.
    weights = generated_content(11 * 1024 * 1024, seed=13)
    hub.add_repo("acme/resume", {"model.safetensors": weights})
    fault = hub.faults.drop_after("model.safetensors", 10 * 1024 * 1024 + 4096)
    path = download(hub, "acme/resume", "model.safetensors", tmp_path)
    assert fault.hits == 1 and sha256_of(path) == weights.sha256
    cdn = [r for r in hub.requests if r.host == "cdn"]
    assert [r.headers.get("Range") for r in cdn] == [None, f"bytes={10 * 1024 * 1024}-"]
    assert cdn[-1].status == 206


def test_gated_repo(hub, tmp_path):
    hub.add_repo("meta-llama/Llama-3.2-1B", {"config.json": b"{}"}, gated="manual")
    with pytest.raises(GatedRepoError):
        download(hub, "meta-llama/Llama-3.2-1B", "config.json", tmp_path)
    hub.add_user("reader", TOKEN)
    with pytest.raises(GatedRepoError, match="ask for access"):
        download(hub, "meta-llama/Llama-3.2-1B", "config.json", tmp_path, token=TOKEN)
    hub.grant(TOKEN, "meta-llama/Llama-3.2-1B")
    assert (
        download(hub, "meta-llama/Llama-3.2-1B", "config.json", tmp_path, token=TOKEN).read_bytes() == b"{}"
    )


def test_private_repo_needs_the_token(hub, tmp_path):
    hub.add_user("acme-bot", TOKEN, orgs=("acme",))
    hub.add_repo(
        "acme/private-model", {"config.json": b'{"private": true}', "w.bin": b"w" * 100}, private=True
    )
    # Anonymous: 401 without X-Error-Code, like the real Hub. huggingface_hub only maps that to
    # RepositoryNotFoundError for https:// URLs (REPO_API_REGEX): over http it stays a 401 HfHubHTTPError.
    with pytest.raises(HfHubHTTPError) as caught:
        download(hub, "acme/private-model", "config.json", tmp_path)
    assert caught.value.response.status_code == 401
    assert caught.value.server_message == "Invalid username or password."
    hub.add_user("stranger", "hf_stranger")
    with pytest.raises(RepositoryNotFoundError):
        download(hub, "acme/private-model", "config.json", tmp_path, token="hf_stranger")
    assert (
        download(hub, "acme/private-model", "config.json", tmp_path, token=TOKEN).read_bytes()
        == b'{"private": true}'
    )
    assert download(hub, "acme/private-model", "w.bin", tmp_path, token=TOKEN).read_bytes() == b"w" * 100


def test_missing_file_and_revision(hub, openelm, tmp_path):
    with pytest.raises(EntryNotFoundError):
        download(hub, REPO, "nope.json", tmp_path)
    with pytest.raises(RevisionNotFoundError):
        download(hub, REPO, "config.json", tmp_path, revision="v99")


def test_list_repo_tree_and_model_info_through_hf_api(hub, openelm):
    api = hf.HfApi(endpoint=hub.url, token=False)
    files = api.list_repo_files(REPO)
    assert sorted(files) == sorted(openelm.head.files)
    info = api.model_info(REPO, files_metadata=True)
    assert info.sha == openelm.sha
    sizes = {s.rfilename: s.size for s in info.siblings}
    assert sizes[f"{PACKAGE}/Manifest.json"] == openelm.head.files[f"{PACKAGE}/Manifest.json"].size
    many = hub.add_repo("acme/many", {f"f/{i:04d}.txt": b"x" for i in range(1200)})
    assert len(api.list_repo_files("acme/many")) == len(many.head.files)


def test_list_models_through_hf_api(hub, openelm):
    hub.add_repo("TheBloke/phi-2-GGUF", {"phi-2.Q4_K_M.gguf": b"GGUF"}, tags=["gguf"], downloads=7)
    api = hf.HfApi(endpoint=hub.url, token=False)
    assert [m.id for m in api.list_models(search="phi", sort="downloads")] == ["TheBloke/phi-2-GGUF"]
    assert {m.id for m in api.list_models(limit=5)} == {REPO, "TheBloke/phi-2-GGUF"}

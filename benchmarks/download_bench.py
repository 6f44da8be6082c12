"""Download benchmark: hfgui vs huggingface_hub vs curl on the same local Hub emulator, in one run.

Scenarios (sizes can be scaled down with --scale for a quick look):
  a) one 1 GiB LFS file
  b) a directory model of 310 files, ~330 MB (300 LFS weight shards + small regular files)
  c) 2,500 tiny regular files

Every tool runs in its own subprocess so wall time, CPU seconds and peak RSS are its own (os.wait4).
The emulator runs in this process and counts Hub requests per file. Also measured: hfgui with hashing
switched off, to show what verification costs in CPU.

Each tool runs --repeat times, the tools taking turns, and the table shows each tool's median run (by
wall time): on a shared virtual machine a single run mostly measures what the host was doing. Between
runs the disk is synced and the machine left idle for a moment, so one tool's writeback and deletions
are not billed to the next.

    python benchmarks/download_bench.py [--scale 1.0] [--only a,b,c] [--repeat 3] [--markdown out.md]
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
import textwrap
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.hubemu import HubEmulator, content_from_bytes, generated_content  # noqa: E402

MiB = 1 << 20


@dataclass
class Scenario:
    key: str
    title: str
    repo_id: str
    files: dict[str, object]
    single_file: str | None = None  # set for the one-file scenario

    @property
    def total_bytes(self) -> int:
        return sum(getattr(c, "size", None) or len(c) for c in self.files.values())  # type: ignore[arg-type]


@dataclass
class Result:
    tool: str
    scenario: str
    wall: float
    cpu: float
    peak_rss_mb: float
    hub_requests: int
    files: int
    bytes: int
    ok: bool
    note: str = ""

    @property
    def mbps(self) -> float:
        return self.bytes / 1e6 / self.wall if self.wall > 0 else 0.0


def build_scenarios(scale: float) -> list[Scenario]:
    big = int(1024 * MiB * scale)
    shard = int(1.05 * MiB * scale) or 1024
    dir_files: dict[str, object] = {}
    for i in range(300):
        dir_files[f"model.mlpackage/Data/com.apple.CoreML/weights/shard-{i:04d}.bin"] = generated_content(
            shard, seed=1000 + i
        )
    for i in range(10):
        dir_files[f"model.mlpackage/Metadata/meta-{i}.json"] = content_from_bytes(
            (f'{{"index": {i}, "name": "meta"}}\n' * 20).encode()
        )
    tiny: dict[str, object] = {
        f"tokenizers/part-{i // 100:02d}/t-{i:05d}.json": content_from_bytes(f'{{"id": {i}}}\n'.encode() * 8)
        for i in range(2500)
    }
    return [
        Scenario(
            "a",
            "one 1 GiB LFS file",
            "bench/one-big-file",
            {"model.gguf": generated_content(big, seed=7)},
            single_file="model.gguf",
        ),
        Scenario("b", "directory model, 310 files", "bench/directory-model", dir_files),
        Scenario("c", "2,500 tiny files", "bench/tiny-files", tiny),
    ]


# The tool runs as a grandchild of a small launcher interpreter: Linux carries the parent's resident
# memory at fork time into a child's ru_maxrss, so forking straight from this process (which holds the
# emulator) would inflate every tool's peak RSS.
LAUNCHER = textwrap.dedent(
    """
    import json, os, subprocess, sys, time
    start = time.perf_counter()
    proc = subprocess.Popen(sys.argv[2:], stdout=subprocess.DEVNULL)
    _, status, usage = os.wait4(proc.pid, 0)
    with open(sys.argv[1], "w") as out:
        json.dump({"wall": time.perf_counter() - start, "cpu": usage.ru_utime + usage.ru_stime,
                   "rss_kib": usage.ru_maxrss, "code": os.waitstatus_to_exitcode(status)}, out)
    """
)


def run_measured(cmd: list[str], env: dict[str, str]) -> tuple[float, float, float, int, str]:
    """Run cmd, return (wall s, cpu s, peak RSS MiB, exit code, stderr tail)."""
    with tempfile.NamedTemporaryFile(suffix=".json") as report:
        proc = subprocess.run(
            [sys.executable, "-c", LAUNCHER, report.name, *cmd], env=env, stderr=subprocess.PIPE, check=False
        )
        data = json.loads(Path(report.name).read_text() or "{}")
    err = proc.stderr.decode(errors="replace")
    if not data:
        return 0.0, 0.0, 0.0, proc.returncode or 1, err[-500:]
    return data["wall"], data["cpu"], data["rss_kib"] / 1024, data["code"], err[-500:]


HF_HUB_SCRIPT = textwrap.dedent(
    """
    import sys
    from huggingface_hub import hf_hub_download, snapshot_download
    repo, single, out = sys.argv[1], sys.argv[2], sys.argv[3]
    if single:
        hf_hub_download(repo, single, local_dir=out)
    else:
        snapshot_download(repo, local_dir=out)  # default max_workers=8
    """
)

HFGUI_NO_HASH_SCRIPT = textwrap.dedent(
    """
    # Same as `hfgui download`, but with a hasher that does nothing: measures what hashing costs.
    import sys
    import hfgui.core.hashing as hashing

    class _NoHash:
        def __init__(self, etag):
            self._etag = etag
        def update(self, data):
            pass
        def update_from_fd(self, fd, offset=0, nbytes=None):
            return 0
        def hexdigest(self):
            return self._etag

    def _for_etag(etag, size):
        return _NoHash(hashing.normalize_etag(etag))

    hashing.StreamHasher.for_etag = staticmethod(_for_etag)
    from hfgui.cli.main import main
    raise SystemExit(main(sys.argv[1:]))
    """
)


def tool_commands(tool: str, sc: Scenario, endpoint: str, out: Path, workers: int) -> list[str]:
    py = sys.executable
    if tool in ("hfgui", "hfgui (no hash)"):
        files = [sc.single_file] if sc.single_file else []
        launcher = ["-m", "hfgui"] if tool == "hfgui" else ["-c", HFGUI_NO_HASH_SCRIPT]
        return [py, *launcher, "download", sc.repo_id, *files, "--dest", str(out), "--workers", str(workers)]
    if tool == "huggingface_hub":
        return [py, "-c", HF_HUB_SCRIPT, sc.repo_id, sc.single_file or "", str(out)]
    if tool == "curl":
        config = out.parent / (out.name + ".curl")
        lines = []
        for path in sc.files:
            lines.append(f'url = "{endpoint}/{sc.repo_id}/resolve/main/{path}"')
            lines.append(f'output = "{out / path}"')
        config.write_text("\n".join(lines) + "\n")
        return [
            "curl",
            "-sS",
            "-L",
            "--fail",
            "--create-dirs",
            "--parallel",
            "--parallel-max",
            str(workers),
            "-K",
            str(config),
        ]
    raise ValueError(tool)


def verify_tree(sc: Scenario, out: Path) -> bool:
    for path, content in sc.files.items():
        target = out / path
        size = getattr(content, "size", None)
        if not target.is_file() or target.stat().st_size != size:
            return False
    return True


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--scale", type=float, default=1.0, help="scale file sizes (1.0 = full benchmark)")
    parser.add_argument("--only", default="a,b,c")
    parser.add_argument("--tools", default="hfgui,hfgui (no hash),huggingface_hub,curl")
    parser.add_argument("--workers", type=int, default=8, help="parallel files for hfgui and curl")
    parser.add_argument("--repeat", type=int, default=3, help="runs per tool; the median is reported")
    parser.add_argument("--markdown", type=Path, help="also write the table here")
    args = parser.parse_args()

    tools = [t.strip() for t in args.tools.split(",") if t.strip()]
    if shutil.which("curl") is None and "curl" in tools:
        tools.remove("curl")
    scenarios = [s for s in build_scenarios(args.scale) if s.key in args.only.split(",")]
    hub = HubEmulator()
    results: list[Result] = []
    try:
        for sc in scenarios:
            hub.add_repo(sc.repo_id, files=sc.files)
            for content in sc.files.values():
                # The emulator hashes content lazily; do it now so no tool pays for it in its timing.
                _ = content.sha256, content.git_sha1  # type: ignore[attr-defined]
        print(f"emulator at {hub.url} (CDN {hub.cdn_url})", flush=True)
        for sc in scenarios:
            runs: dict[str, list[Result]] = {tool: [] for tool in tools}
            for _round in range(max(1, args.repeat)):
                for tool in tools:
                    res = run_tool(hub, sc, tool, args.workers)
                    runs[tool].append(res)
                    print(
                        f"[{sc.key}] {tool:16s} {res.wall:7.2f} s {res.mbps:8.1f} MB/s cpu {res.cpu:6.2f} s "
                        f"rss {res.peak_rss_mb:6.1f} MiB hub req/file {res.hub_requests / res.files:.2f} "
                        f"{'ok' if res.ok else 'FAILED ' + res.note}",
                        flush=True,
                    )
            results += [median_run(runs[tool]) for tool in tools]
    finally:
        hub.close()

    table = render_table(scenarios, results)
    print()
    print(table)
    print()
    print(hash_speed_line())
    if args.markdown:
        args.markdown.write_text(table + "\n")
    return 0 if all(r.ok for r in results) else 1


def run_tool(hub: HubEmulator, sc: Scenario, tool: str, workers: int) -> Result:
    """One measured run of one tool into a fresh folder, after letting the machine settle."""
    os.sync()
    time.sleep(1.0)
    with tempfile.TemporaryDirectory(prefix="hfgui-bench-") as tmp:
        out = Path(tmp) / "out"
        env = dict(os.environ)
        env.update(
            HF_ENDPOINT=hub.url,
            HF_HOME=str(Path(tmp) / "hf-home"),
            HFGUI_HOME=str(Path(tmp) / "hfgui-home"),
            HF_HUB_DISABLE_XET="1",
            HF_HUB_DISABLE_TELEMETRY="1",
            HF_HUB_DISABLE_PROGRESS_BARS="1",
            PYTHONPATH=str(ROOT),
        )
        env.pop("HF_TOKEN", None)
        # An installed package has its bytecode compiled; let the tools write theirs on the first run.
        env.pop("PYTHONDONTWRITEBYTECODE", None)
        hub.clear_requests()
        wall, cpu, rss, code, err = run_measured(tool_commands(tool, sc, hub.url, out, workers), env)
        hub_requests = sum(1 for r in hub.requests if r.host == "hub")
        ok = code == 0 and verify_tree(sc, out)
        note = "" if ok else (err.strip().splitlines() or ["failed"])[-1][:120]
        return Result(tool, sc.key, wall, cpu, rss, hub_requests, len(sc.files), sc.total_bytes, ok, note)


def median_run(runs: list[Result]) -> Result:
    """The run with the median wall time (a failed run counts as the slowest)."""
    ranked = sorted(runs, key=lambda r: (not r.ok, r.wall))
    return ranked[(len(ranked) - 1) // 2]


def hash_speed_line() -> str:
    """What sha256 alone costs on this CPU: the floor under hashing's share of the CPU time."""
    block = os.urandom(1 << 20)
    digest = hashlib.sha256()
    start = time.process_time()
    for _ in range(512):
        digest.update(block)
    rate = 512 / (time.process_time() - start)
    floor = 1024 / rate
    return f"sha256 on this CPU: {rate:.0f} MiB/s on one core; verifying 1 GiB takes >= {floor:.2f} s CPU."


def render_table(scenarios: list[Scenario], results: list[Result]) -> str:
    lines = [
        "| scenario | tool | wall s | MB/s | CPU s | peak RSS MiB | Hub req/file | vs huggingface_hub (time) "
        "| vs curl (MB/s) |",
        "|---|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for sc in scenarios:
        rows = [r for r in results if r.scenario == sc.key]
        ref_hf = next((r for r in rows if r.tool == "huggingface_hub" and r.ok), None)
        ref_curl = next((r for r in rows if r.tool == "curl" and r.ok), None)
        for r in rows:
            vs_hf = f"{ref_hf.wall / r.wall:.2f}× faster" if ref_hf and r.ok else "–"
            vs_curl = f"{r.mbps / ref_curl.mbps:.2f}×" if ref_curl and r.ok else "–"
            status = "" if r.ok else " (FAILED)"
            lines.append(
                f"| {sc.key}) {sc.title} | {r.tool}{status} | {r.wall:.2f} | {r.mbps:.0f} | {r.cpu:.2f} | "
                f"{r.peak_rss_mb:.0f} | {r.hub_requests / r.files:.2f} | {vs_hf} | {vs_curl} |"
            )
        hashed = next((r for r in rows if r.tool == "hfgui" and r.ok), None)
        unhashed = next((r for r in rows if r.tool == "hfgui (no hash)" and r.ok), None)
        if hashed and unhashed and unhashed.cpu > 0:
            extra = (hashed.cpu / unhashed.cpu - 1) * 100
            lines.append(f"| {sc.key}) hashing CPU cost | hfgui | | | {extra:+.0f}% | | | | |")
    return "\n".join(lines)


if __name__ == "__main__":
    raise SystemExit(main())

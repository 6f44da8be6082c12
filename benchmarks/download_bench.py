"""Download benchmark: hfgui vs huggingface_hub vs curl vs aria2c on the same local Hub emulator.

Scenarios (sizes can be scaled down with --scale for a quick look):
  a) one 1 GiB LFS file
  b) a directory model of 310 files, ~330 MB (300 LFS weight shards + small regular files)
  c) 2,602 tiny regular files (three pages of the tree listing)

Two network profiles (--profile):
  loopback  the emulator answers at once and one connection carries what the CPU can push: every cost
            of the client shows.
  network   a far-away Hub (real-network.md): --rtt-ms per request plus one per new connection, and each
            CDN connection capped at --conn-mib-s (defaults 40 ms and 40 MiB/s).

Tools: hfgui (its defaults: adaptive segments and files in flight), "hfgui (no hash)" (verification
switched off, to show what it costs), huggingface_hub 2.4 (hf_hub_download / snapshot_download, 8
workers), curl (one connection per file, --workers transfers at once), "curl | sha256sum" (a verifying
single stream, one-file scenario only) and `aria2c -x8 -s8` (8 ranged connections per file, --workers
files at once). aria2c and curl verify nothing. Not in the default set: "hfgui (one stream)" (hfgui
with --segments 1, to show what the adaptive segments buy or cost).

Every tool runs in its own subprocess so wall time, CPU seconds and peak RSS are its own (os.wait4);
the emulator runs in this process, counts Hub requests per file, and its CPU time is shown too (on two
cores it competes with the client). Each result's bytes are checked (sha256 of every file against the
emulator's content) after the timing. Each tool runs --repeat times, the tools taking turns within a
round, and the tables show each tool's median run (by wall time), with the load average at the start
and end of the scenario: on a shared virtual machine a single run mostly measures what the host was
doing. Between runs the disk is synced and the machine left idle for a moment.

    python benchmarks/download_bench.py [--profile loopback,network] [--scale 1.0] [--only a,b,c]
        [--repeat 3] [--rtt-ms 40] [--conn-mib-s 40] [--markdown out.md]
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import resource
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
TINY_FILES = 2602
ALL_TOOLS = ("hfgui", "hfgui (no hash)", "huggingface_hub", "curl", "curl | sha256sum", "aria2c -x8 -s8")
SINGLE_FILE_ONLY = {"curl | sha256sum"}
PROFILES = ("loopback", "network")


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
    profile: str
    wall: float
    cpu: float
    emulator_cpu: float
    peak_rss_mb: float
    hub_requests: int
    connections: int
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
        for i in range(TINY_FILES)
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
        Scenario("c", f"{TINY_FILES:,} tiny files", "bench/tiny-files", tiny),
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
    import hfgui.core.store.hashing as hashing

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


def tool_commands(
    tool: str, sc: Scenario, endpoint: str, out: Path, workers: int, hfgui_workers: int
) -> list[str]:
    py = sys.executable
    urls = {path: f"{endpoint}/{sc.repo_id}/resolve/main/{path}" for path in sc.files}
    if tool in ("hfgui", "hfgui (no hash)", "hfgui (one stream)"):
        files = [sc.single_file] if sc.single_file else []
        launcher = ["-c", HFGUI_NO_HASH_SCRIPT] if tool == "hfgui (no hash)" else ["-m", "hfgui"]
        chosen = ["--workers", str(hfgui_workers)] if hfgui_workers else []  # default: adaptive
        if tool == "hfgui (one stream)":
            chosen += ["--segments", "1"]  # what the adaptive segments buy (or cost) over one stream
        return [py, *launcher, "download", sc.repo_id, *files, "--dest", str(out), *chosen]
    if tool == "huggingface_hub":
        return [py, "-c", HF_HUB_SCRIPT, sc.repo_id, sc.single_file or "", str(out)]
    if tool == "curl":
        config = out.parent / (out.name + ".curl")
        lines = []
        for path, url in urls.items():
            lines.append(f'url = "{url}"')
            lines.append(f'output = "{out / path}"')
        config.write_text("\n".join(lines) + "\n")
        return ["curl", "-sS", "-L", "--fail", "--create-dirs", "--parallel", "--parallel-max", str(workers),
                "-K", str(config)]  # fmt: skip
    if tool == "curl | sha256sum":
        assert sc.single_file is not None
        target = out / sc.single_file
        script = 'mkdir -p "$(dirname "$2")" && curl -sS -L --fail "$1" | tee "$2" | sha256sum >/dev/null'
        return ["sh", "-c", script, "sh", urls[sc.single_file], str(target)]
    if tool == "aria2c -x8 -s8":
        listing = out.parent / (out.name + ".aria2")
        lines = []
        for path, url in urls.items():
            lines.append(url)
            lines.append(f"  dir={out / path.rsplit('/', 1)[0] if '/' in path else out}")
            lines.append(f"  out={path.rsplit('/', 1)[-1]}")
        listing.write_text("\n".join(lines) + "\n")
        return ["aria2c", "-x8", "-s8", "-j", str(workers), "-i", str(listing), "--quiet=true",
                "--allow-overwrite=true", "--auto-file-renaming=false", "--summary-interval=0"]  # fmt: skip
    raise ValueError(tool)


def verify_tree(sc: Scenario, out: Path) -> str:
    """Empty when every file is there with the right bytes (sha256 against the emulator's), else why not."""
    for path, content in sc.files.items():
        target = out / path
        size = getattr(content, "size", None)
        if not target.is_file() or target.stat().st_size != size:
            return f"{path}: missing or wrong size"
        digest = hashlib.sha256()
        with open(target, "rb") as handle:
            while block := handle.read(4 * MiB):
                digest.update(block)
        if digest.hexdigest() != content.sha256:  # type: ignore[attr-defined]
            return f"{path}: wrong bytes"
    return ""


def tools_available(tools: list[str]) -> list[str]:
    programs = {"curl": "curl", "curl | sha256sum": "curl", "aria2c -x8 -s8": "aria2c"}
    kept = []
    for tool in tools:
        program = programs.get(tool)
        if program and shutil.which(program) is None:
            print(f"skipping {tool}: {program} is not installed", flush=True)
            continue
        kept.append(tool)
    return kept


def load() -> str:
    return "/".join(f"{x:.2f}" for x in os.getloadavg())


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--scale", type=float, default=1.0, help="scale file sizes (1.0 = full benchmark)")
    parser.add_argument("--only", default="a,b,c")
    parser.add_argument("--profile", default="loopback,network", help="loopback, network or both")
    parser.add_argument("--tools", default=",".join(ALL_TOOLS))
    parser.add_argument("--workers", type=int, default=8, help="files at once for curl and aria2c")
    parser.add_argument(
        "--hfgui-workers", type=int, default=0, help="pass --workers N to hfgui (default: its own choice)"
    )
    parser.add_argument("--repeat", type=int, default=3, help="rounds; the median run is reported")
    parser.add_argument("--rtt-ms", type=float, default=40.0, help="network profile: round trip (ms)")
    parser.add_argument(
        "--conn-mib-s", type=float, default=40.0, help="network profile: cap per CDN connection (MiB/s)"
    )
    parser.add_argument("--markdown", type=Path, help="also write the tables here")
    args = parser.parse_args()

    tools = tools_available([t.strip() for t in args.tools.split(",") if t.strip()])
    profiles = [p.strip() for p in args.profile.split(",") if p.strip()]
    if not set(profiles) <= set(PROFILES):
        parser.error(f"--profile takes {', '.join(PROFILES)}")
    scenarios = [s for s in build_scenarios(args.scale) if s.key in args.only.split(",")]
    hub = HubEmulator()
    tables: list[str] = []
    ok = True
    try:
        for sc in scenarios:
            hub.add_repo(sc.repo_id, files=sc.files)
            for content in sc.files.values():
                # The emulator hashes content lazily; do it now so no tool pays for it in its timing.
                _ = content.sha256, content.git_sha1  # type: ignore[attr-defined]
        print(f"emulator at {hub.url} (CDN {hub.cdn_url})", flush=True)
        for profile in profiles:
            if profile == "network":
                hub.network.rtt = args.rtt_ms / 1000
                hub.network.connection_rate = int(args.conn_mib_s * MiB)
                label = (
                    f"network: {args.rtt_ms:g} ms round trip, {args.conn_mib_s:g} MiB/s per CDN connection"
                )
            else:
                hub.network.rtt, hub.network.connection_rate = 0.0, 0
                label = "loopback"
            results: list[Result] = []
            loads: dict[str, tuple[str, str]] = {}
            for sc in scenarios:
                chosen = [t for t in tools if sc.single_file or t not in SINGLE_FILE_ONLY]
                runs: dict[str, list[Result]] = {tool: [] for tool in chosen}
                before = load()
                for _round in range(max(1, args.repeat)):
                    for tool in chosen:
                        res = run_tool(hub, sc, tool, profile, args.workers, args.hfgui_workers)
                        runs[tool].append(res)
                        print(
                            f"[{profile} {sc.key}] {tool:16s} {res.wall:7.2f} s {res.mbps:8.1f} MB/s "
                            f"cpu {res.cpu:6.2f} s emulator {res.emulator_cpu:6.2f} s "
                            f"rss {res.peak_rss_mb:6.1f} MiB hub req/file {res.hub_requests / res.files:.2f} "
                            f"conns {res.connections} load {load()} "
                            f"{'ok' if res.ok else 'FAILED ' + res.note}",
                            flush=True,
                        )
                loads[sc.key] = (before, load())
                results += [median_run(runs[tool]) for tool in chosen]
            ok = ok and all(r.ok for r in results)
            tables.append(f"### {label}\n\n" + render_table(scenarios, results, loads))
    finally:
        hub.close()

    text = "\n\n".join(tables) + "\n\n" + hash_speed_line()
    print()
    print(text)
    if args.markdown:
        args.markdown.write_text(text + "\n")
    return 0 if ok else 1


def run_tool(
    hub: HubEmulator, sc: Scenario, tool: str, profile: str, workers: int, hfgui_workers: int
) -> Result:
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
        emulator_before = _own_cpu()
        cmd = tool_commands(tool, sc, hub.url, out, workers, hfgui_workers)
        wall, cpu, rss, code, err = run_measured(cmd, env)
        emulator_cpu = _own_cpu() - emulator_before
        hub_requests = sum(1 for r in hub.requests if r.host == "hub")
        connections = len(hub.connections())
        problem = verify_tree(sc, out) if code == 0 else (err.strip().splitlines() or ["failed"])[-1][:120]
        return Result(
            tool, sc.key, profile, wall, cpu, emulator_cpu, rss, hub_requests, connections,
            len(sc.files), sc.total_bytes, not problem, problem,
        )  # fmt: skip


def _own_cpu() -> float:
    """CPU seconds of this process (the emulator's threads) so far."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


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


def render_table(scenarios: list[Scenario], results: list[Result], loads: dict[str, tuple[str, str]]) -> str:
    lines = [
        "| scenario | tool | wall s | MB/s | CPU s | emulator CPU s | peak RSS MiB | Hub req/file "
        "| connections | vs huggingface_hub (time) | vs curl (time) |",
        "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for sc in scenarios:
        rows = [r for r in results if r.scenario == sc.key]
        ref_hf = next((r for r in rows if r.tool == "huggingface_hub" and r.ok), None)
        ref_curl = next((r for r in rows if r.tool == "curl" and r.ok), None)
        for r in rows:
            vs_hf = f"{ref_hf.wall / r.wall:.2f}×" if ref_hf and r.ok else "–"
            vs_curl = f"{ref_curl.wall / r.wall:.2f}×" if ref_curl and r.ok else "–"
            status = "" if r.ok else " (FAILED)"
            tool = r.tool.replace("|", "\\|")  # "curl | sha256sum" inside a Markdown table cell
            lines.append(
                f"| {sc.key}) {sc.title} | {tool}{status} | {r.wall:.2f} | {r.mbps:.0f} | {r.cpu:.2f} | "
                f"{r.emulator_cpu:.2f} | {r.peak_rss_mb:.0f} | {r.hub_requests / r.files:.2f} | "
                f"{r.connections} | {vs_hf} | {vs_curl} |"
            )
        hashed = next((r for r in rows if r.tool == "hfgui" and r.ok), None)
        unhashed = next((r for r in rows if r.tool == "hfgui (no hash)" and r.ok), None)
        if hashed and unhashed and unhashed.cpu > 0:
            extra = (hashed.cpu / unhashed.cpu - 1) * 100
            lines.append(f"| {sc.key}) hashing CPU cost | hfgui | | | {extra:+.0f}% | | | | | | |")
    summary = "; ".join(f"{key}) {a} → {b}" for key, (a, b) in loads.items())
    return "\n".join(lines) + f"\n\nLoad average (1/5/15 min) at start → end of each scenario: {summary}."


if __name__ == "__main__":
    raise SystemExit(main())

"""Run the emulator by hand: `python -m tests.hubemu [--port 8080] [--cdn-port 8081] [--demo]`."""

from __future__ import annotations

import argparse
import signal
import threading

from .server import HubEmulator


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m tests.hubemu", description="Local Hugging Face Hub emulator."
    )
    parser.add_argument("--port", type=int, default=0, help="Hub port on 127.0.0.1 (default: any free port)")
    parser.add_argument(
        "--cdn-port", type=int, default=0, help="CDN port on localhost (default: any free port)"
    )
    parser.add_argument("--demo", action="store_true", help="add the demo data set (tests/hubemu/demo.py)")
    parser.add_argument("--scale", type=float, default=1.0, help="multiply demo file sizes (default 1.0)")
    args = parser.parse_args(argv)

    hub = HubEmulator(port=args.port, cdn_port=args.cdn_port)
    print(f"Hub emulator on {hub.url} (CDN on {hub.cdn_url})")
    if args.demo:
        from .demo import populate

        info = populate(hub, scale=args.scale)
        for kind, repo_ids in info.repos.items():
            print(f"  {kind:8} {', '.join(repo_ids)}")
        print(
            f"Demo user {info.user!r} (private {info.repos['private'][0]}, granted {info.repos['gated'][0]}):"
        )
        print(f"  HF_TOKEN={info.token}")
    else:
        print("No repos (add --demo for the demo data set).")
    print("Use it with:")
    print(f"  export HF_ENDPOINT={hub.url}", flush=True)

    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    try:
        stop.wait()
    except KeyboardInterrupt:
        pass
    hub.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

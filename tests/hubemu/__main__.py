"""Run the emulator by hand: `python -m tests.hubemu [--port 8080] [--cdn-port 8081] [--demo]
[--rtt-ms 40 --conn-mib-s 40]`."""

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
    parser.add_argument(
        "--rtt-ms", type=float, default=0.0, help="round trip per request and per new connection (ms)"
    )
    parser.add_argument(
        "--conn-mib-s", type=float, default=0.0, help="cap each CDN connection at this many MiB/s (0: none)"
    )
    args = parser.parse_args(argv)

    # Before the first line is printed: whoever reads it may send SIGTERM at once.
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    hub = HubEmulator(
        port=args.port,
        cdn_port=args.cdn_port,
        rtt=args.rtt_ms / 1000,
        connection_rate=int(args.conn_mib_s * 1024 * 1024),
    )
    print(f"Hub emulator on {hub.url} (CDN on {hub.cdn_url})")
    if hub.network.active:
        print(f"Network profile: {args.rtt_ms:g} ms round trip, {args.conn_mib_s:g} MiB/s per CDN connection")
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
    try:
        stop.wait()
    except KeyboardInterrupt:
        pass
    hub.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

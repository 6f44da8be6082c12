"""The emulator's network profile: a round trip per request and per connection, a rate cap per connection.

Delays are checked as lower bounds only (a sleep never ends early, however loaded the machine), and the
pacing arithmetic with a fake clock.
"""

from __future__ import annotations

import socket
import threading
import time

import pytest
import requests

from tests.hubemu import HubEmulator, generated_content
from tests.hubemu.network import PACE_PIECE, Pacer, SharedPacer

MiB = 1024 * 1024
WEIGHTS = "model.safetensors"


@pytest.fixture
def session():
    with requests.Session() as s:
        yield s


@pytest.fixture
def repo(hub):
    return hub.add_repo(
        "acme/net", {"config.json": b'{"a": 1}\n', WEIGHTS: generated_content(2 * MiB, seed=3)}
    )


def timed(call):
    start = time.monotonic()
    result = call()
    return result, time.monotonic() - start


def test_emulator_sockets_set_tcp_nodelay(hub, repo, session):
    response = session.get(f"{hub.url}/acme/net/resolve/main/{WEIGHTS}", stream=True)
    response.raw.read(10)  # both the Hub's and the CDN's connection are open now
    with hub._lock:
        accepted = list(hub._connections)
    assert len(accepted) == 2
    assert all(s.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY) for s in accepted)
    response.close()


def test_every_request_waits_a_round_trip_and_a_new_connection_one_more(hub, repo, session):
    hub.network.rtt = 0.2
    url = f"{hub.url}/api/models/acme/net"

    first, first_took = timed(lambda: session.get(url))
    second, second_took = timed(lambda: session.get(url))

    assert first.status_code == second.status_code == 200
    assert first_took >= 0.4  # handshake + request
    assert second_took >= 0.2  # kept alive: the request only
    assert len(hub.connections("hub")) == 1


def test_round_trip_is_off_by_default_and_can_be_set_at_construction():
    with HubEmulator(rtt=0.05, connection_rate=MiB) as far:
        assert far.network.rtt == 0.05 and far.network.connection_rate == MiB and far.network.active
    with HubEmulator() as near:
        assert not near.network.active


def test_cdn_connection_is_held_to_its_byte_rate(hub, repo, session):
    cdn = session.get(f"{hub.url}/acme/net/resolve/main/{WEIGHTS}", allow_redirects=False).headers["Location"]
    hub.network.connection_rate = 4 * MiB

    response, took = timed(lambda: session.get(cdn))

    assert response.content == repo.head.files[WEIGHTS].content.read()
    assert took >= (2 * MiB - PACE_PIECE) / (4 * MiB)  # the first piece goes at once


def test_the_cap_is_per_connection_and_leaves_the_hub_alone(hub, repo, session):
    hub.network.connection_rate = 1  # one byte a second: only the CDN would notice
    assert session.get(f"{hub.url}/acme/net/resolve/main/config.json").content == b'{"a": 1}\n'
    assert hub.network.rate_for("hub") == 0 and hub.network.rate_for("cdn") == 1


def test_requests_record_their_connection_and_how_many_were_in_flight(hub, repo):
    hub.network.rtt = 0.3
    url = f"{hub.url}/api/models/acme/net"
    barrier = threading.Barrier(4)

    def one() -> None:
        with requests.Session() as own:
            barrier.wait()
            own.get(url)

    threads = [threading.Thread(target=one) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    records = [r for r in hub.requests if r.path == "/api/models/acme/net"]
    assert len({r.connection for r in records}) == 4
    # Each waits out its handshake and round trip while the others arrive.
    assert max(r.in_flight for r in records) >= 2


class FakeClock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


class SleepRecorder(threading.Event):
    """A closing event whose wait() advances the fake clock instead of sleeping."""

    def __init__(self, clock: FakeClock) -> None:
        super().__init__()
        self.clock = clock
        self.slept: list[float] = []

    def wait(self, timeout=None) -> bool:
        self.slept.append(timeout)
        self.clock.now += timeout
        return False


def test_pacer_spaces_pieces_at_the_rate_from_the_first_byte():
    clock = FakeClock()
    closing = SleepRecorder(clock)
    pacer = Pacer(closing, clock=clock)
    for _ in range(4):
        assert pacer.wait(1000, 10_000)
    assert closing.slept == pytest.approx([0.1, 0.1, 0.1])  # the first piece goes at once


def test_pacer_banks_no_credit_while_idle():
    clock = FakeClock()
    closing = SleepRecorder(clock)
    pacer = Pacer(closing, clock=clock)
    pacer.wait(1000, 10_000)
    clock.now += 60  # a long pause: the next pieces are still spaced
    pacer.wait(1000, 10_000)
    pacer.wait(1000, 10_000)
    assert closing.slept == pytest.approx([0.1])


def test_the_link_rate_is_shared_by_all_cdn_connections():
    clock = FakeClock()
    closing = SleepRecorder(clock)
    link = SharedPacer(closing, clock=clock)
    for _ in range(4):  # four connections' pieces, back to back: spaced as one stream at the link rate
        assert link.wait(1000, 10_000)
    assert closing.slept == pytest.approx([0.1, 0.1, 0.1])


def test_a_link_cap_holds_two_connections_to_it_together(hub, repo, session):
    cdn = session.get(f"{hub.url}/acme/net/resolve/main/{WEIGHTS}", allow_redirects=False).headers["Location"]
    hub.network.link_rate = 4 * MiB
    results = []

    def fetch() -> None:
        with requests.Session() as own:
            results.append(own.get(cdn).content)

    def both() -> None:
        threads = [threading.Thread(target=fetch) for _ in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()

    _, took = timed(both)
    assert results == [repo.head.files[WEIGHTS].content.read()] * 2
    assert took >= (4 * MiB - 2 * PACE_PIECE) / (4 * MiB)  # 4 MiB in all through a 4 MiB/s link


def test_the_profile_can_be_set_when_run_by_hand(session):
    import signal
    import subprocess
    import sys
    from pathlib import Path

    root = Path(__file__).resolve().parent.parent
    proc = subprocess.Popen(
        [sys.executable, "-m", "tests.hubemu", "--rtt-ms", "40", "--conn-mib-s", "40"],
        cwd=root,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        lines = []
        while not lines or not lines[-1].startswith("  export HF_ENDPOINT="):
            line = proc.stdout.readline()
            assert line, "the emulator exited before printing HF_ENDPOINT"
            lines.append(line)
        assert any("40 ms round trip, 40 MiB/s per CDN connection" in line for line in lines)
    finally:
        proc.send_signal(signal.SIGTERM)
        assert proc.wait() == 0

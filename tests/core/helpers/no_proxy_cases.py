"""NO_PROXY lists and the emulator hosts still sent through the proxy with each: the Hub is the IP literal
127.0.0.1, the CDN the name localhost. HTTP and SOCKS proxies must bypass alike."""

from __future__ import annotations

NO_PROXY_CASES = [
    (("127.0.0.0/8",), {"localhost"}),  # a CIDR matches the Hub's IP literal only
    (("localhost",), {"127.0.0.1"}),  # a host name matches the CDN only
    (("127.0.0.1", "localhost"), set()),
    (("*",), set()),
    (("example.com",), {"127.0.0.1", "localhost"}),
]

"""The wire: talking to the Hub and its CDN over HTTP — the client and its API calls, tokens, proxies
and TLS, retries and rate limits, URLs and repository ids, the listing cache."""

"""The Hub's API as hfgui calls it: model info, file listings, file metadata, the account, model search.

How a request is sent (retries, waits, redirects, errors) is retrying.py's; whom it is sent to and as
whom, client_base.py's; reading the answers into hfgui's types, answers.py's.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Iterator
from typing import Any
from urllib.parse import urljoin

import requests

from hfgui.core.errors import (
    HfGuiError,
    HubHTTPError,
    MalformedJsonError,
    RedirectLoopError,
    UnexpectedResponseError,
)
from hfgui.core.types import Account, FileMetadata, ModelInfo, ModelSummary, TreeEntry
from hfgui.core.wire import answers, tree_cache, urls
from hfgui.core.wire.failures import refuse_downgrade
from hfgui.core.wire.http import json_body
from hfgui.core.wire.ratelimit import RetryPolicy, backoff_delay
from hfgui.core.wire.repo_id import validate_repo_id
from hfgui.core.wire.retrying import MAX_REDIRECTS, REDIRECT_STATUSES, RetryingClient, WaitBudget
from hfgui.core.wire.search import SEARCH_FORMAT_TAGS, SEARCH_SORTS, search_params
from hfgui.core.wire.urls import display_url, endpoint_from_env, model_info_url, resolve_url, tree_url

# Also importable from here, as before the client was split: the window and the CLI take the search
# choices from this module, the transfer its downgrade guard.
__all__ = [
    "SEARCH_FORMAT_TAGS",
    "SEARCH_SORTS",
    "HubClient",
    "RetryPolicy",
    "endpoint_from_env",
    "model_info_url",
    "refuse_downgrade",
    "resolve_url",
    "tree_url",
    "validate_repo_id",
]

log = logging.getLogger(__name__)


class HubClient(RetryingClient):
    """The Hub's API calls, made with RetryingClient.request; the endpoint, the token (sent to that
    endpoint's scheme, host and port only) and the client's variants are ClientBase's.

    One client (and its session) may be shared by worker threads.
    """

    # --- JSON answers --------------------------------------------------------------------------

    def _get_json(self, url: str, *, params: Any = None, **context: Any) -> tuple[Any, requests.Response]:
        """GET and decode JSON; a body cut short is retried like a dropped connection (bounded, backoff)."""
        budget = WaitBudget(self.retry.max_total_wait)
        attempt = 0
        while True:
            response = self.request(
                "GET",
                url,
                params=params,
                headers={"Accept": "application/json"},
                allow_redirects=True,
                **context,
            )
            try:
                return json_body(response), response
            except MalformedJsonError:
                delay = backoff_delay(attempt, self.retry)
                if attempt >= self.retry.max_retries or delay > budget.remaining:
                    raise
                log.info("GET %s: truncated or invalid JSON; retrying in %.1f s", display_url(url), delay)
            self._tell_retry(url, "answer cut short", attempt, delay)
            self._sleep(delay)
            budget.spend(delay)
            attempt += 1

    def _pages(self, url: str, params: Any, **context: Any) -> Iterator[Any]:
        """Items of a paginated JSON list, following ``Link: <…>; rel="next"`` (used verbatim) to the end."""
        seen: set[str] = set()
        next_url: str | None = url
        while next_url:
            data, response = self._get_json(next_url, params=params, **context)
            if not isinstance(data, list):
                raise UnexpectedResponseError(
                    display_url(response.url), response.headers.get("Content-Type", "")
                )
            yield from data
            seen.add(response.url)
            link = response.links.get("next", {}).get("url")
            next_url = urljoin(response.url, link) if link else None
            if next_url in seen:  # a broken server must not loop us forever
                raise HubHTTPError(response.status_code, display_url(response.url), "pagination loops")
            params = None  # the next URL already carries the query and its cursor

    # --- Hub calls -----------------------------------------------------------------------------

    def model_info(self, repo_id: str, revision: str | None = None) -> ModelInfo:
        """Model info at ``revision`` (default branch when None); ``sha`` is that revision's commit."""
        validate_repo_id(repo_id)
        url = model_info_url(self.endpoint, repo_id, revision)
        data, response = self._get_json(url, repo_id=repo_id, revision=revision)
        return answers.model_info(data, response, repo_id)

    def iter_tree(
        self, repo_id: str, revision: str = "main", path: str = "", recursive: bool = True
    ) -> Iterator[TreeEntry]:
        """Every entry (files and directories) under ``path``, across all pages.

        A whole recursive listing at a full commit sha is fetched once per process (tree_cache.py).
        """
        validate_repo_id(repo_id)
        cache_key = None
        if tree_cache.cacheable(revision, path, recursive):
            cache_key = tree_cache.key(self.endpoint, repo_id, revision, self.token and self.token.reveal())
            cached = tree_cache.get(cache_key)
            if cached is not None:
                yield from cached
                return
        url = tree_url(self.endpoint, repo_id, revision, path)
        params = {"recursive": "true" if recursive else "false", "expand": "false"}
        listed: list[TreeEntry] = []
        for item in self._pages(url, params, repo_id=repo_id, revision=revision, path=path or None):
            entry = answers.tree_entry(item, url)
            if cache_key is not None:
                listed.append(entry)
            yield entry
        if cache_key is not None:
            tree_cache.put(cache_key, tuple(listed))

    def list_tree(
        self, repo_id: str, revision: str = "main", path: str = "", recursive: bool = True
    ) -> list[TreeEntry]:
        return list(self.iter_tree(repo_id, revision, path, recursive))

    def file_metadata(self, repo_id: str, path: str, revision: str = "main") -> FileMetadata:
        """HEAD the resolve URL, following Hub-host redirects only; read metadata from the last response."""
        validate_repo_id(repo_id)
        url = resolve_url(self.endpoint, repo_id, path, revision)
        context = {"repo_id": repo_id, "revision": revision, "path": path}
        for _ in range(MAX_REDIRECTS + 1):
            response = self.request("HEAD", url, headers={"Accept-Encoding": "identity"}, **context)
            response.close()
            location = response.headers.get("Location")
            if response.status_code in REDIRECT_STATUSES and location:
                target = urljoin(response.url, location)  # keeps the query (resolve-cache needs its etag)
                if urls.same_origin(target, self.endpoint):
                    url = target
                    continue
                return answers.file_metadata(response, target, redirected=True)
            return answers.file_metadata(response, response.url, redirected=False)
        raise RedirectLoopError(MAX_REDIRECTS, urls.host_of(url))

    def ping(self) -> None:
        """Ask the endpoint once, without retrying: returns when the Hub answered anything (any status)
        and raises NetworkError when it cannot be reached. The window's offline watch uses it."""
        self.request("HEAD", f"{self.endpoint}/", retry=False, accept=range(400, 600)).close()

    def whoami(self) -> Account:
        """The account behind the token (``/api/whoami-v2``)."""
        if self.token is None:
            raise HfGuiError(
                "No Hugging Face token is set, so there is no account to check.",
                "Add a token in Settings or set HF_TOKEN.",
            )
        data, response = self._get_json(urls.whoami_url(self.endpoint))
        return answers.account(data, response)

    def search_models(
        self,
        search: str | None = None,
        *,
        author: str | None = None,
        filters: Iterable[str] | str = (),
        sort: str | None = None,
        limit: int | None = None,
        page_size: int = 100,
        full: bool = False,
    ) -> Iterator[ModelSummary]:
        """Models matching the query, most first by ``sort`` (always descending), up to ``limit``.

        ``full`` asks for the longer records, which carry ``lastModified`` (and file names).
        """
        params = search_params(search, author=author, filters=filters, sort=sort, full=full)
        if limit is not None and limit <= 0:
            return
        params.append(("limit", str(min(page_size, limit) if limit else page_size)))
        count = 0
        for item in self._pages(urls.models_search_url(self.endpoint), params):
            if isinstance(item, dict) and item.get("id"):
                yield answers.model_summary(item)
                count += 1
                if limit is not None and count >= limit:
                    return

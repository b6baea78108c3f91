"""Persisted queries: Apollo's automatic persisted queries, and trusted documents.

`PERSISTED_QUERIES` chooses the mode:

- `apq` (the default): a client may send `extensions.persistedQuery {version: 1, sha256Hash}`
  without the document; an unknown hash answers `PersistedQueryNotFound` and the client sends
  the document with its hash once, which is checked and remembered (per process, the 10,000 most
  recently used: a miss costs another process one round trip, nothing more).
- `off`: documents only; a hash alone answers `PersistedQueryNotSupported`.
- `allowlist`: browser sessions (and anonymous callers) may run only the documents of the
  manifest `PERSISTED_QUERIES_MANIFEST` (JSON `{sha256: document}`, written by `python -m app
  persisted-queries build DIR`), by hash or in full; requests with an API token may send any
  document, as accounting software builds its own.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import re
from collections import OrderedDict
from pathlib import Path
from typing import Any

from strawberry.http import GraphQLRequestData

CACHE_SIZE = 10_000
HASH = re.compile(r"^[0-9a-f]{64}$")
MODES = ("apq", "off", "allowlist")


class PersistedQueryError(Exception):
    """A refusal answered as a GraphQL error, with the protocol's message and a stable code."""

    def __init__(self, message: str, code: str, status: int = 200) -> None:
        super().__init__(message)
        self.message = message
        self.code = code
        self.status = status

    def body(self) -> dict[str, Any]:
        return {"errors": [{"message": self.message, "extensions": {"code": self.code}}]}


def document_hash(document: str) -> str:
    return hashlib.sha256(document.encode()).hexdigest()


def build_manifest(directory: Path) -> dict[str, str]:
    """`{sha256: document}` for every `.graphql` file under `directory` (its exact text)."""
    manifest = {}
    for path in sorted(directory.rglob("*.graphql")):
        document = path.read_text(encoding="utf-8")
        manifest[document_hash(document)] = document
    return manifest


class PersistedQueries:
    def __init__(self, mode: str = "apq", manifest: dict[str, str] | None = None) -> None:
        if mode not in MODES:
            msg = f"PERSISTED_QUERIES must be one of {', '.join(MODES)}, not {mode!r}"
            raise ValueError(msg)
        if mode == "allowlist" and not manifest:
            msg = "PERSISTED_QUERIES=allowlist needs PERSISTED_QUERIES_MANIFEST (a JSON manifest)"
            raise ValueError(msg)
        self.mode = mode
        self.manifest = manifest or {}
        self.cache: OrderedDict[str, str] = OrderedDict()

    @classmethod
    def from_settings(cls, mode: str, manifest_file: Path | None) -> PersistedQueries:
        manifest = json.loads(manifest_file.read_text()) if manifest_file else None
        return cls(mode, manifest)

    def _known(self, digest: str) -> str | None:
        if digest in self.manifest:
            return self.manifest[digest]
        if self.mode == "apq" and digest in self.cache:
            self.cache.move_to_end(digest)
            return self.cache[digest]
        return None

    def _remember(self, digest: str, document: str) -> None:
        if self.mode != "apq" or digest in self.manifest:
            return
        self.cache[digest] = document
        self.cache.move_to_end(digest)
        while len(self.cache) > CACHE_SIZE:
            self.cache.popitem(last=False)

    def resolve(self, data: GraphQLRequestData, *, trusted: bool) -> GraphQLRequestData:
        """The request with its document; `trusted` (an API token) may run any document."""
        persisted = (data.extensions or {}).get("persistedQuery")
        query = data.query
        if persisted is not None:
            query = self._persisted(persisted, query)
            data = dataclasses.replace(data, query=query)
        listed = query is None or document_hash(query) in self.manifest
        if self.mode == "allowlist" and not trusted and not listed:
            raise PersistedQueryError(
                "This document is not among the trusted documents of this gateway; send the "
                "hash of a listed document (or use an API token).",
                "PERSISTED_QUERY_NOT_ALLOWED",
                400,
            )
        return data

    def _persisted(self, persisted: object, query: str | None) -> str:
        if self.mode == "off":
            if query is not None:
                return query
            raise PersistedQueryError("PersistedQueryNotSupported", "PERSISTED_QUERY_NOT_SUPPORTED")
        if not isinstance(persisted, dict) or persisted.get("version") != 1:
            raise PersistedQueryError(
                "Unsupported persistedQuery: send {version: 1, sha256Hash}.",
                "PERSISTED_QUERY_INVALID",
                400,
            )
        digest = persisted.get("sha256Hash")
        if not isinstance(digest, str) or not HASH.match(digest):
            raise PersistedQueryError(
                "persistedQuery.sha256Hash must be 64 lower-case hexadecimal characters.",
                "PERSISTED_QUERY_INVALID",
                400,
            )
        if query is None:
            known = self._known(digest)
            if known is None:
                raise PersistedQueryError("PersistedQueryNotFound", "PERSISTED_QUERY_NOT_FOUND")
            return known
        if document_hash(query) != digest:
            raise PersistedQueryError(
                "provided sha does not match query", "PERSISTED_QUERY_HASH_MISMATCH", 400
            )
        self._remember(digest, query)
        return query

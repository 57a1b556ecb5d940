"""One ``s3://bucket/prefix`` at the lowest level: small JSON objects, capped reads, conditional writes, listing.

Every failure is a :class:`SharedStoreError`: a :class:`~data_sources.errors.StoreError` (so every caller that
handles the local store's errors handles these) whose :class:`~data_sources.errors.Problem` code is for readers
(``store.unreachable``, ``store.unreadable``; worded in ``catalog/*/store.toml``) and whose message is the
technical detail for the command line and logs (bucket, endpoint, key, S3 error code).
"""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any
from urllib.parse import urlparse

from data_sources.errors import DashboardError, StoreError
from data_sources.settings import settings

UNREACHABLE = "store.unreachable"  # the store cannot be asked, or does not answer like S3
UNREADABLE = "store.unreadable"  # the store answered, but what the pointer names cannot be used
BAD_URL = "shared.bad_url"  # DASHBOARD_STORE_URL is not s3://bucket/prefix: a setting to fix, not an outage
MAX_JSON_BYTES = 1 << 20  # a pointer or manifest larger than this is refused before parsing
_TRANSIENT_CODES = {"SlowDown", "ServiceUnavailable", "InternalError", "RequestTimeout", "Throttling",
                    "ThrottlingException", "RequestTimeTooSkewed"}


class SharedStoreError(StoreError):
    """A shared-store failure: ``problem`` for readers, the message for operators, ``transient`` when trying
    again later may succeed (a connection error, a 5xx, an object not there yet)."""

    def __init__(self, code: str, detail: str, *, transient: bool = False, **params: object) -> None:
        DashboardError.__init__(self, code, **params)
        self.args = (detail,)
        self.detail = detail
        self.transient = transient


def endpoint_problem(endpoint: str | None) -> str | None:
    """Why ``endpoint`` (``DASHBOARD_S3_ENDPOINT``) is not an ``http(s)://host[:port]`` address, for operators
    (None when it is, or when unset)."""
    if endpoint is None:
        return None
    parsed = urlparse(endpoint)
    try:
        parsed.port  # noqa: B018  (raises ValueError on a port that is not a number in range)
    except ValueError:
        return f"DASHBOARD_S3_ENDPOINT {endpoint!r} has a bad port"
    if parsed.scheme.lower() not in {"http", "https"} or not parsed.hostname:
        return f"DASHBOARD_S3_ENDPOINT {endpoint!r} is not an http(s)://host[:port] address"
    if parsed.path.strip("/") or parsed.query or parsed.fragment or parsed.username or parsed.password:
        return f"DASHBOARD_S3_ENDPOINT {endpoint!r} must be only http(s)://host[:port] (no path, query or user)"
    return None


@dataclass(frozen=True)
class Listed:
    """One listed object."""

    key: str
    size: int
    modified: datetime


class Bucket:
    """The objects under one ``s3://bucket/prefix``, through one boto3 client (thread-safe, created on first use)."""

    def __init__(self, url: str, endpoint: str | None = None, region: str | None = None) -> None:
        parsed = urlparse(url)
        if parsed.scheme.lower() != "s3" or not parsed.netloc:
            raise SharedStoreError(BAD_URL, f"DASHBOARD_STORE_URL {url!r} is not of the form s3://bucket/prefix",
                                   url=url)
        self.url = url.rstrip("/")
        self.name = parsed.netloc
        self.prefix = parsed.path.strip("/")
        self.endpoint = endpoint
        self.region = region or settings().s3_region
        self._client = None
        self._client_lock = threading.Lock()

    def where(self) -> str:
        """``s3://bucket/prefix at ENDPOINT``: for operators' messages."""
        return self.url + (f" at {self.endpoint}" if self.endpoint else "")

    def client(self) -> Any:
        """The boto3 S3 client; a malformed ``DASHBOARD_S3_ENDPOINT`` is a :class:`SharedStoreError`."""
        with self._client_lock:
            if self._client is None:
                problem = endpoint_problem(self.endpoint)
                if problem:
                    raise SharedStoreError(UNREACHABLE, f"shared store {self.url}: {problem}")
                import boto3
                from botocore.config import Config

                try:
                    self._client = boto3.client(
                        "s3", endpoint_url=self.endpoint, region_name=self.region,
                        config=Config(retries={"max_attempts": 3, "mode": "standard"}, connect_timeout=5,
                                      read_timeout=30, s3={"addressing_style": "path"}))
                except ValueError as exc:  # botocore's own endpoint and region checks
                    raise SharedStoreError(UNREACHABLE, f"shared store {self.where()}: {exc}") from exc
            return self._client

    def key(self, name: str) -> str:
        """The object key of ``name`` under the prefix."""
        return f"{self.prefix}/{name}" if self.prefix else name

    def failure(self, exc: Exception, action: str, name: str) -> SharedStoreError:
        """A boto3/botocore exception as a :class:`SharedStoreError` naming the action, object and S3 error."""
        from botocore.exceptions import ClientError

        if isinstance(exc, SharedStoreError):
            return exc
        if isinstance(exc, ClientError):
            code = str(exc.response.get("Error", {}).get("Code", ""))
            status = exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode")
            transient = status is None or int(status) >= 500 or code in _TRANSIENT_CODES
            return SharedStoreError(UNREACHABLE, f"shared store {self.where()}: cannot {action} {name} "
                                                 f"({code or status}: {exc})", transient=transient)
        return SharedStoreError(UNREACHABLE, f"shared store {self.where()}: cannot {action} {name} ({exc})",
                                transient=True)

    @staticmethod
    def _code(exc: Exception) -> tuple[str, int | None]:
        from botocore.exceptions import ClientError

        if not isinstance(exc, ClientError):
            return "", None
        return (str(exc.response.get("Error", {}).get("Code", "")),
                exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode"))

    def get_json(self, name: str, if_none_match: str | None = None) -> tuple[dict | None, str | None]:
        """(payload, ETag) of a small JSON object; (None, None) when S3 says there is no such key; (None, the
        ETag given) when unchanged. An endpoint that answers 404 without S3's ``NoSuchKey`` (no bucket, or not
        S3 at all) is ``store.unreachable``; a body that is not a JSON object is ``store.unreadable``."""
        from botocore.exceptions import BotoCoreError, ClientError

        kwargs = {"Bucket": self.name, "Key": self.key(name)}
        if if_none_match:
            kwargs["IfNoneMatch"] = if_none_match
        try:
            response = self.client().get_object(**kwargs)
            size = int(response.get("ContentLength") or 0)
            if size > MAX_JSON_BYTES:
                raise SharedStoreError(UNREADABLE, f"shared store {self.where()}: {name} is {size} bytes; "
                                                   f"at most {MAX_JSON_BYTES}")
            body = response["Body"].read(MAX_JSON_BYTES + 1)
        except (ClientError, BotoCoreError) as exc:
            code, status = self._code(exc)
            if code in {"304", "NotModified"} or status == 304:
                return None, if_none_match
            if code == "NoSuchKey":
                return None, None
            raise self.failure(exc, "read", name) from exc
        if len(body) > MAX_JSON_BYTES:
            raise SharedStoreError(UNREADABLE, f"shared store {self.where()}: {name} is over {MAX_JSON_BYTES} bytes")
        try:
            payload = json.loads(body)
        except ValueError as exc:
            raise SharedStoreError(UNREADABLE, f"shared store {self.where()}: {name} is not JSON ({exc})") from exc
        if not isinstance(payload, dict):
            raise SharedStoreError(UNREADABLE, f"shared store {self.where()}: {name} is not a JSON object")
        return payload, response.get("ETag")

    def head(self, name: str) -> tuple[int, str | None] | None:
        """(size, ETag) of an object from a HEAD request; None when it does not exist."""
        from botocore.exceptions import BotoCoreError, ClientError

        try:
            response = self.client().head_object(Bucket=self.name, Key=self.key(name))
        except (ClientError, BotoCoreError) as exc:
            code, status = self._code(exc)
            if status == 404 or code in {"404", "NoSuchKey", "NotFound"}:
                return None
            raise self.failure(exc, "look up", name) from exc
        return int(response.get("ContentLength") or 0), response.get("ETag")

    def get_bytes(self, name: str, limit: int) -> bytes:
        """The object's bytes, refused (``store.unreadable``) once more than ``limit`` arrive."""
        from botocore.exceptions import BotoCoreError, ClientError

        try:
            response = self.client().get_object(Bucket=self.name, Key=self.key(name))
            if int(response.get("ContentLength") or 0) > limit:
                response["Body"].close()
                raise SharedStoreError(UNREADABLE, f"shared store {self.where()}: {name} is "
                                                   f"{response.get('ContentLength')} bytes; at most {limit}")
            body = response["Body"].read(limit + 1)
        except (ClientError, BotoCoreError) as exc:
            code, _ = self._code(exc)
            if code == "NoSuchKey":
                raise SharedStoreError(UNREADABLE, f"shared store {self.where()}: {name} is missing",
                                       transient=True) from exc
            raise self.failure(exc, "read", name) from exc
        if len(body) > limit:
            raise SharedStoreError(UNREADABLE, f"shared store {self.where()}: {name} is over {limit} bytes")
        return body

    def put(self, name: str, body: bytes, content_type: str, *, if_none_match: bool = False,
            if_match: str | None = None) -> str | None:
        """PUT one object; its ETag, or None when the precondition failed (HTTP 409/412)."""
        from botocore.exceptions import BotoCoreError, ClientError

        kwargs = {"Bucket": self.name, "Key": self.key(name), "Body": body, "ContentType": content_type}
        if if_none_match:
            kwargs["IfNoneMatch"] = "*"
        if if_match:
            kwargs["IfMatch"] = if_match
        try:
            return self.client().put_object(**kwargs).get("ETag")
        except (ClientError, BotoCoreError) as exc:
            code, status = self._code(exc)
            if status in {409, 412} or code in {"PreconditionFailed", "ConditionalRequestConflict"}:
                return None
            if if_match and code == "NoSuchKey":  # the pointer was deleted meanwhile: the condition failed
                return None
            raise self.failure(exc, "write", name) from exc

    def listing(self, folder: str, start_after: str | None = None) -> tuple[list[Listed], datetime]:
        """Every object under ``folder`` (after ``start_after``, a name under the prefix), and the store's own
        clock (the ``Date`` of its answer), so ages are measured without trusting this machine's clock."""
        from botocore.exceptions import BotoCoreError, ClientError

        kwargs = {"Bucket": self.name, "Prefix": self.key(folder)}
        if start_after:
            kwargs["StartAfter"] = self.key(start_after)
        found: list[Listed] = []
        server_now = datetime.now(UTC)
        try:
            for page in self.client().get_paginator("list_objects_v2").paginate(**kwargs):
                date = page.get("ResponseMetadata", {}).get("HTTPHeaders", {}).get("date")
                if date:
                    server_now = parsedate_to_datetime(date)
                found += [Listed(item["Key"], int(item.get("Size", 0)), item["LastModified"])
                          for item in page.get("Contents", [])]
        except (ClientError, BotoCoreError) as exc:
            raise self.failure(exc, "list", folder) from exc
        return found, server_now

    def delete(self, keys: list[str]) -> None:
        """Delete full object keys (as :meth:`listing` returns them), 1,000 per request."""
        from botocore.exceptions import BotoCoreError, ClientError

        for start in range(0, len(keys), 1000):
            batch = [{"Key": k} for k in keys[start:start + 1000]]
            try:
                self.client().delete_objects(Bucket=self.name, Delete={"Objects": batch})
            except (ClientError, BotoCoreError) as exc:
                raise self.failure(exc, "delete", batch[0]["Key"]) from exc

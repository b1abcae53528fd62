"""One HTTP policy for every request to a triple store: queries, updates and Graph Store uploads.

A :class:`StoreClient` holds one ``requests`` session per store and applies the same rules to
every request:

- **credentials only when asked**: HTTP Basic or Digest from the endpoint's credentials
  (``--auth``/``--user``), and otherwise none at all — ``~/.netrc`` is never read unasked (requests
  would read it for every request without an ``auth``), so a malformed one never breaks an
  anonymous request; nothing is installed process-wide;
- **time bounded**: ``timeout`` seconds (a float) for each connection and each read, and a total
  deadline of ``timeout`` seconds from the first request across redirects and the whole answer, so
  a server that drips one byte at a time, or redirects slowly again and again, is cut off (the
  one gap: headers dripped a byte at a time are bounded only by each read's ``timeout`` and
  http.client's header limits);
- **redirects**: at most five, and never one that would turn the query's POST into a GET
  (HTTP 301, 302, 303 drop the body): that is refused, naming where to send the request;
- **credentials stay with their origin**: a redirect to another scheme, host or port is refused
  when credentials are set (curl's rule without ``--location-trusted``), and followed without any
  credentials otherwise; ``~/.netrc`` is not read on a redirect either;
- **size bounded**: an answer larger than ``max_bytes`` stops the request; of an error page only
  the first ``ERROR_BYTES`` are read;
- **secrets stay secret**: the password never appears in a message, even echoed by the server;
- **one map from failures to one-line messages** naming the URL, the HTTP status and what to try.

SPARQLWrapper stays the SPARQL Protocol query client (``casegraph.remote``): it builds each query
request, and this client sends it.
"""

from __future__ import annotations

import http.client
import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import IO, Any
from urllib.parse import urlsplit

from .endpoint import AuthKind, Endpoint
from .errors import StoreError, one_line
from .files import ProgressReader

#: The largest answer read from a store (queries and counts; uploads send, they do not read).
MAX_BYTES = 1 << 30
#: How much of an error page is read (messages quote its first words).
ERROR_BYTES = 1 << 16
#: How many redirects a request follows.
MAX_REDIRECTS = 5


class StatusError(StoreError):
    """The store answered with an HTTP error status."""

    def __init__(self, message: str, status: int, body: str, *, misdirected: bool = False) -> None:
        super().__init__(message)
        self.status, self.body = status, body
        #: the request went to what looks like the update endpoint given as the query endpoint
        self.misdirected = misdirected


@dataclass(frozen=True)
class Answer:
    """A store's answer: status, headers and the whole body."""

    status: int
    headers: Mapping[str, str]
    body: bytes


def short(url: str) -> str:
    """A URL as messages show it: no query string, no user info."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    port = f":{parts.port}" if parts.port else ""
    return f"{parts.scheme}://{host}{port}{parts.path}"


def _reason(err: BaseException) -> str:
    """Why a connection failed, in words (not requests' nested exception text)."""
    text = one_line(err)
    if "Connection refused" in text:
        return "connection refused"
    if "RemoteDisconnected" in text or "Connection aborted" in text or "IncompleteRead" in text:
        return "connection closed by the server"
    return err.__class__.__name__


class _NoAuth:
    """An explicit 'no credentials' for requests, so it never falls back to ~/.netrc."""

    def __call__(self, request: Any) -> Any:
        return request


def _origin(url: str) -> tuple[str, str, int | None]:
    parts = urlsplit(url)
    return parts.scheme, (parts.hostname or "").lower(), parts.port or {"http": 80, "https": 443}.get(parts.scheme)


def _session(with_credentials: bool) -> Any:
    """A requests session whose redirects never carry credentials to another origin."""
    import requests

    class Session(requests.Session):
        def rebuild_auth(self, prepared_request: Any, response: Any) -> None:
            # requests' own version strips Authorization across hosts but then reads ~/.netrc for
            # the new host, and a Digest hook would answer the new host's challenge.
            if _origin(response.request.url) == _origin(prepared_request.url):
                return
            if with_credentials:
                raise StoreError(
                    f"{short(response.request.url)} redirected to {short(prepared_request.url)}, another origin; "
                    "credentials are not sent there: give that URL directly if you trust it"
                )
            prepared_request.headers.pop("Authorization", None)

    session = Session()
    session.max_redirects = MAX_REDIRECTS
    return session


def _redirect_check(deadline: float, timeout: float) -> Any:
    """A response hook: every hop within the total deadline, and no redirect that drops a POST body."""

    def check(response: Any, *args: Any, **kwargs: Any) -> Any:
        url = response.request.url
        if time.monotonic() > deadline:
            response.close()
            raise StoreError(f"{short(url)} did not answer within {timeout:g} s in total; try a larger --timeout")
        if response.is_redirect and response.status_code in (301, 302, 303) and response.request.method == "POST":
            target = response.headers.get("Location", "")
            response.close()
            raise StoreError(
                f"{short(url)} redirected with HTTP {response.status_code}, which would drop the request's body; "
                f"give the URL it redirects to ({target[:200]}) directly"
            )
        return response

    return check


class StoreClient:
    """The one HTTP client of a store (see the module's docstring for its rules)."""

    def __init__(self, endpoint: Endpoint, *, max_bytes: int | None = None) -> None:
        from requests.auth import HTTPBasicAuth, HTTPDigestAuth

        self.endpoint, self.max_bytes = endpoint, endpoint.max_bytes if max_bytes is None else max_bytes
        self.session = _session(endpoint.credentials is not None)
        creds = endpoint.credentials
        if creds is None:
            self.session.auth = _NoAuth()
        else:
            auth = HTTPDigestAuth if creds.kind is AuthKind.DIGEST else HTTPBasicAuth
            self.session.auth = auth(creds.user, creds.password)

    def request(
        self,
        method: str,
        url: str,
        *,
        params: Mapping[str, str] | None = None,
        data: bytes | IO[bytes] | ProgressReader | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> Answer:
        """Send one request; the whole answer, or a StoreError (a StatusError for an HTTP error).

        Raises:
            StoreError: unreachable, cut off, too slow, too large, or an error status.
        """
        import requests
        import urllib3

        timeout = self.endpoint.timeout
        deadline = time.monotonic() + timeout
        hooks = {"response": [_redirect_check(deadline, timeout)]}
        try:
            with self.session.request(
                method,
                url,
                params=params,
                data=data,
                headers=headers,
                timeout=(timeout, timeout),
                stream=True,
                hooks=hooks,
            ) as response:
                body = self._read(response, url, deadline, error_page=response.status_code >= 300)
                answer = Answer(response.status_code, dict(response.headers), body)
        except requests.Timeout as err:
            raise StoreError(f"{short(url)} did not answer within {timeout:g} s; try a larger --timeout") from err
        except requests.TooManyRedirects as err:
            raise StoreError(f"{short(url)} redirected more than {MAX_REDIRECTS} times; check the URL") from err
        except (requests.exceptions.InvalidSchema, requests.exceptions.InvalidURL, ValueError) as err:
            raise StoreError(
                f"{short(url)} redirected to an address that cannot be followed ({one_line(err)[:200]}); check the URL"
            ) from err
        except (
            requests.ConnectionError,
            requests.exceptions.ChunkedEncodingError,
            requests.exceptions.ContentDecodingError,
            http.client.HTTPException,
            urllib3.exceptions.HTTPError,
        ) as err:
            if isinstance(err, urllib3.exceptions.ReadTimeoutError):
                raise StoreError(f"{short(url)} stopped answering for {timeout:g} s; try a larger --timeout") from err
            raise StoreError(
                f"{short(url)} cannot be reached, closed the connection or sent a broken answer "
                f"({_reason(err)}); check the URL and that the server is running"
            ) from err
        if answer.status >= 300:
            raise self.failure(method, url, answer)
        return answer

    def _read(self, response: Any, url: str, deadline: float, *, error_page: bool) -> bytes:
        chunks, size = [], 0
        limit = ERROR_BYTES if error_page else self.max_bytes
        while chunk := response.raw.read1(
            65536, decode_content=True
        ):  # one read at a time: the deadline is checked often
            size += len(chunk)
            if size > limit:
                if error_page:  # its first words are enough for the message
                    chunks.append(chunk)
                    break
                raise StoreError(
                    f"{short(url)} answered more than {self.max_bytes // (1 << 20)} MB; "
                    "narrow the query (LIMIT, fewer graphs)"
                )
            if time.monotonic() > deadline:
                raise StoreError(
                    f"{short(url)} did not finish its answer within {self.endpoint.timeout:g} s; try a larger --timeout"
                )
            chunks.append(chunk)
        return b"".join(chunks)

    def failure(self, method: str, url: str, answer: Answer) -> StatusError:
        """One line for an HTTP error status: the URL, the status and what to try."""
        status, text = answer.status, " ".join(answer.body[:2048].decode("utf-8", "replace").split())[:160]
        creds = self.endpoint.credentials
        if creds is not None and creds.password:  # a server may echo what it was sent
            text = text.replace(creds.password, "***")
        where = short(url)
        if status == 401 and self.endpoint.credentials is None:
            what = "needs credentials (HTTP 401); give --auth basic|digest and --user (the password comes from "
            what += "CASEGRAPH_PASSWORD, ~/.netrc or a prompt)"
        elif status == 401:
            what = "refused the credentials (HTTP 401); check --user, --auth and the password"
        elif status == 404:
            what = f"has no service at this path (HTTP 404 to {method}); check the URL"
        else:
            what = f"answered HTTP {status} to {method}: {text}"
        misdirected = (
            status in (400, 405, 415) and "update" in urlsplit(url).path.lower() and url == self.endpoint.query
        )
        if misdirected:
            what += "; this looks like the update endpoint: give it to --update, and the query endpoint to --endpoint"
        return StatusError(f"{where} {what}", status, text, misdirected=misdirected)

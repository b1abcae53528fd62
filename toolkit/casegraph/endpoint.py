"""Where a triple store lives and how to log in: endpoint URLs and credentials.

Credentials never come from a command-line argument (it would show in ``ps`` and shell history):
the password comes from ``CASEGRAPH_PASSWORD``, from ``~/.netrc`` (the entry for the endpoint's
host), or from a prompt on a terminal. No credential is ever printed: ``Credentials`` hides its
password in ``repr``, and messages name the user at most.
"""

from __future__ import annotations

import netrc
import os
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from urllib.parse import urlsplit

from .errors import UsageError

PASSWORD_VARIABLE = "CASEGRAPH_PASSWORD"


class AuthKind(StrEnum):
    BASIC = "basic"
    DIGEST = "digest"


@dataclass(frozen=True)
class Credentials:
    """A user name and password for HTTP Basic or Digest authentication."""

    kind: AuthKind
    user: str
    password: str = field(repr=False)


@dataclass(frozen=True)
class Endpoint:
    """A SPARQL 1.1 service: query URL, and optionally update and Graph Store URLs."""

    query: str
    update: str | None = None
    graph_store: str | None = None
    credentials: Credentials | None = None
    timeout: float = 60.0
    #: The largest answer read from the store, in bytes (a larger one stops the request).
    max_bytes: int = 1 << 30

    @property
    def name(self) -> str:
        """How messages name the endpoint (its query URL, without any user info)."""
        parts = urlsplit(self.query)
        host = parts.hostname or ""
        port = f":{parts.port}" if parts.port else ""
        return f"{parts.scheme}://{host}{port}{parts.path}"


def _check_url(option: str, url: str) -> str:
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise UsageError(f"{option} {url!r}: not an http(s) URL; give one like http://127.0.0.1:7878/query")
    if parts.username or parts.password:
        raise UsageError(f"{option}: do not put credentials in the URL; use --user and {PASSWORD_VARIABLE} or ~/.netrc")
    return url


def _from_netrc(host: str) -> tuple[str, str] | None:
    path = Path(os.environ.get("NETRC", Path.home() / ".netrc"))
    if not path.is_file():
        return None
    try:
        entry = netrc.netrc(str(path)).authenticators(host)
    except (netrc.NetrcParseError, OSError) as err:
        raise UsageError(f"{path}: cannot read ({err.__class__.__name__}); fix or remove the file") from err
    if entry is None:
        return None
    login, _, password = entry
    return login or "", password or ""


def credentials(
    url: str, *, kind: str | None, user: str | None, interactive: bool, prompt: object = None
) -> Credentials | None:
    """The credentials for ``url``: ``--auth``/``--user`` chosen by the caller, the password from
    the environment, ``~/.netrc`` or a prompt. None when no authentication is asked for.

    Raises:
        UsageError: authentication asked for but no password can be found.
    """
    if kind is None and user is None:  # nothing asked: ~/.netrc is not even read
        return None
    host = urlsplit(url).hostname or ""
    password = os.environ.get(PASSWORD_VARIABLE)
    # ~/.netrc is read only when it is needed: for the user name or the password
    stored = _from_netrc(host) if user is None or password is None else None
    auth = AuthKind(kind or "basic")
    name = user or (stored[0] if stored else "")
    if not name:
        raise UsageError(f"--auth {auth}: no user name; give --user NAME or a login for {host} in ~/.netrc")
    if password is None and stored and stored[0] == name:
        password = stored[1]
    if password is None and interactive and callable(prompt):
        password = str(prompt(f"Password for {name} at {host}"))
    if password is None:
        raise UsageError(
            f"no password for {name} at {host}: set {PASSWORD_VARIABLE}, add {host} to ~/.netrc, "
            "or run on a terminal to be asked"
        )
    return Credentials(auth, name, password)


def endpoint(
    query: str,
    *,
    update: str | None = None,
    graph_store: str | None = None,
    creds: Credentials | None = None,
    timeout: float = 60.0,
    max_bytes: int = 1 << 30,
) -> Endpoint:
    """A checked endpoint description.

    Raises:
        UsageError: a URL is not http(s), carries credentials, or the timeout is not positive.
    """
    if timeout <= 0:
        raise UsageError(f"--timeout {timeout}: must be a positive number of seconds")
    return Endpoint(
        query=_check_url("--endpoint", query),
        update=_check_url("--update", update) if update else None,
        graph_store=_check_url("--graph-store", graph_store) if graph_store else None,
        credentials=creds,
        timeout=timeout,
        max_bytes=max_bytes,
    )

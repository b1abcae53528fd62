"""Find the external programs the cross-check tests run (rapper, node + jsonld.js).

A missing tool skips the test on a developer machine and fails it in CI (``CI=true``), so a CI
image that lost a package cannot turn the cross-checks into silent skips.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path
from typing import NoReturn

import pytest

REPO_ROOT = Path(__file__).resolve().parents[1]
JS_DIR = REPO_ROOT / "tools" / "js"
JSONLD2NQ = JS_DIR / "jsonld2nq.js"

#: What to install for each tool, as shown in the skip/fail message.
INSTALL_HINTS: dict[str, str] = {
    "rapper": "install the Debian package raptor2-utils (apt-get install raptor2-utils)",
    "node": "install Node.js >= 18 (Debian package nodejs, or a NodeSource build)",
    "npm": "install npm (Debian package npm, or the one bundled with Node.js)",
    "chromium": "install the Debian package chromium (apt-get install chromium)",
    "nginx": "install the Debian package nginx-light (apt-get install nginx-light)",
}


def unavailable(message: str, *, what: str = "a missing tool") -> NoReturn:
    """Fail in CI, skip elsewhere."""
    if os.environ.get("CI") == "true":
        pytest.fail(f"{message} (CI=true: {what} is an error)", pytrace=False)
    pytest.skip(message)


def require_tool(name: str, *, path: str | None = None) -> str:
    """The full path of the executable ``name``, searched in ``path`` (default: ``$PATH``).

    When the tool is missing, the calling test is skipped, or failed if ``CI=true``, with a
    message saying which package to install.
    """
    found = shutil.which(name, path=path)
    if found is None:
        hint = INSTALL_HINTS.get(name, f"install {name}")
        where = f" in {path}" if path is not None else " on PATH"
        unavailable(f"{name!r} not found{where}: {hint}")
    return found


def jsonld_js() -> list[str]:
    """The command prefix that runs ``tools/js/jsonld2nq.js`` (append the JSON-LD file).

    Needs ``node`` and the npm package ``jsonld`` in ``tools/js/node_modules``; when either is
    missing the calling test is skipped, or failed if ``CI=true``.
    """
    require_tool("node")
    if not JSONLD2NQ.is_file():
        unavailable(f"{JSONLD2NQ} is missing from the checkout")
    if not (JS_DIR / "node_modules" / "jsonld" / "package.json").is_file():
        unavailable(f"npm package jsonld not installed in {JS_DIR / 'node_modules'}: run `cd tools/js && npm ci`")
    return ["node", str(JSONLD2NQ)]

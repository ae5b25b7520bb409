"""Fetch the hash-locked uv for the install step without pip: the standard library only.

``pip install uv`` spends seconds starting pip and unpacking the wheel; this reads
``requirements/uv.txt`` (one version, a sha256 per platform wheel), asks the package index's JSON
API (PEP 691) for that version's files, takes the wheel for this platform whose sha256 the lock
lists, checks it, and unpacks the ``uv`` binary alone. The wheel is cached (under
``$XDG_CACHE_HOME/prpilot``) and checked again on every use. Anything unexpected is a failure,
and the install step falls back to pip.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import platform
import re
import sys
import urllib.request
import zipfile
from collections.abc import Mapping

from prpilot.errors import ConfigError

_PIN = re.compile(r"^uv==(\S+)")
_HASH = re.compile(r"--hash=sha256:([0-9a-f]{64})")


def read_lock(text: str) -> tuple[str, frozenset[str]]:
    """The version and the sha256 hashes ``requirements/uv.txt`` allows."""
    version = next((m.group(1) for line in text.splitlines() if (m := _PIN.match(line))), None)
    if version is None:
        raise ConfigError("requirements/uv.txt pins no uv version")
    return version, frozenset(_HASH.findall(text))


def platform_tags() -> tuple[str, ...]:
    """Parts of a wheel's platform tag that fit this machine, best first."""
    machine = platform.machine().lower()
    machine = {"amd64": "x86_64", "arm64": "aarch64" if sys.platform.startswith("linux") else "arm64"}.get(
        machine, machine)
    if sys.platform.startswith("linux"):
        libc = "manylinux" if platform.libc_ver()[0] == "glibc" else "musllinux"
        return (f"{libc}_", machine)
    if sys.platform == "darwin":
        return ("macosx_", "x86_64" if machine == "x86_64" else "arm64")
    return ("win_", "amd64" if machine == "x86_64" else machine)


def choose(files: list[Mapping[str, object]], version: str, hashes: frozenset[str],
           tags: tuple[str, ...]) -> tuple[str, str]:
    """The (url, sha256) of this platform's locked wheel among the index's ``files``."""
    for entry in files:
        name, url = str(entry.get("filename", "")), str(entry.get("url", ""))
        digests = entry.get("hashes")
        digest = str(digests.get("sha256", "")) if isinstance(digests, Mapping) else ""
        if name.startswith(f"uv-{version}-") and name.endswith(".whl") and digest in hashes \
                and all(tag in name.rsplit("-", 1)[-1] for tag in tags):
            return url, digest
    raise ConfigError(f"the package index has no locked uv {version} wheel for {'/'.join(tags)}")


def _get(url: str, accept: str) -> bytes:
    if not url.startswith(("https://", "http://")):
        raise ConfigError(f"not an http(s) URL: {url}")
    request = urllib.request.Request(url, headers={"Accept": accept, "User-Agent": "prpilot"})  # noqa: S310
    with urllib.request.urlopen(request, timeout=60) as answer:  # noqa: S310 - checked above
        data: bytes = answer.read()
    return data


def fetch_uv(lock_path: str, target: str, env: Mapping[str, str]) -> str:
    """Put the locked uv binary at ``target``/bin/uv; return its path."""
    with open(lock_path, encoding="utf-8") as handle:
        version, hashes = read_lock(handle.read())
    cache = os.path.join(env.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache"), "prpilot")
    wheel = None
    for digest in hashes:  # a wheel cached by an earlier run, checked again
        path = os.path.join(cache, f"uv-{version}-{digest}.whl")
        if os.path.isfile(path):
            with open(path, "rb") as handle:
                data = handle.read()
            if hashlib.sha256(data).hexdigest() == digest:
                wheel = data
                break
    if wheel is None:
        index = (env.get("UV_DEFAULT_INDEX") or env.get("PIP_INDEX_URL") or "https://pypi.org/simple").rstrip("/")
        listing = json.loads(_get(f"{index}/uv/", "application/vnd.pypi.simple.v1+json"))
        url, digest = choose(listing.get("files", []), version, hashes, platform_tags())
        wheel = _get(url, "application/octet-stream")
        if hashlib.sha256(wheel).hexdigest() != digest:
            raise ConfigError(f"the uv wheel at {url} does not have the locked sha256")
        try:
            os.makedirs(cache, exist_ok=True)
            with open(os.path.join(cache, f"uv-{version}-{digest}.whl"), "wb") as handle:
                handle.write(wheel)
        except OSError:
            pass  # no cache: the next run downloads it again
    name = "uv.exe" if sys.platform == "win32" else "uv"
    with zipfile.ZipFile(io.BytesIO(wheel)) as archive:
        binary = archive.read(f"uv-{version}.data/scripts/{name}")
    os.makedirs(os.path.join(target, "bin"), exist_ok=True)
    path = os.path.join(target, "bin", name)
    with open(path, "wb") as handle:
        handle.write(binary)
    os.chmod(path, 0o755)  # noqa: S103 - an executable, for this user and the runner
    return path


def fetch_uv_main(args: list[str], env: Mapping[str, str]) -> int:
    """``entrypoint.py fetch-uv LOCK TARGET``: the install step's first try at uv."""
    if len(args) != 2:
        print("usage: prpilot fetch-uv REQUIREMENTS/UV.TXT TARGET", file=sys.stderr)
        return 2
    try:
        fetch_uv(args[0], args[1], env)
    except (OSError, ValueError, KeyError, zipfile.BadZipFile) as exc:
        raise ConfigError(f"could not fetch uv ({type(exc).__name__}: {exc})") from exc
    return 0

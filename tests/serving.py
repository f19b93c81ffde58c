"""A real ``needlepoint serve`` for tests: a free loopback port, a log file, always stopped.

The server's log (stderr) goes to ``serve.log`` in its data directory, never to a pipe: a pipe
nobody reads fills up and stalls the server.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Final

NEEDLEPOINT: Final = Path(sys.executable).with_name("needlepoint")
STARTUP_SECONDS: Final = 90.0
STOP_SECONDS: Final = 10.0


def free_port() -> int:
    """A loopback TCP port nothing listens on at the moment."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def local_url(port: int) -> str:
    return f"http://127.0.0.1:{port}"


def environment(data_dir: Path, settings: Mapping[str, str] | None = None) -> dict[str, str]:
    """This process's environment without any ``NEEDLEPOINT_*``, then the data directory and
    ``settings`` (full variable names) set. Admins sign in without a code unless ``settings``
    asks (``NEEDLEPOINT_ADMIN_TWO_STEP``): the two-step sign-in has tests of its own."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("NEEDLEPOINT_")}
    base = {"NEEDLEPOINT_DATA_DIR": str(data_dir), "NEEDLEPOINT_ADMIN_TWO_STEP": "0"}
    return env | base | dict(settings or {})


@contextmanager
def serving(
    env: Mapping[str, str], port: int | None = None, options: Sequence[str] = ()
) -> Iterator[str]:
    """Run ``needlepoint serve`` with ``env`` (and ``options``, e.g. ``--workers 2``) until the
    block ends; yields its URL once it answers ``/login``. The log is ``serve.log`` in
    ``NEEDLEPOINT_DATA_DIR``."""
    port = free_port() if port is None else port
    log_path = Path(env["NEEDLEPOINT_DATA_DIR"]) / "serve.log"
    command = [str(NEEDLEPOINT), "serve", "--host", "127.0.0.1", "--port", str(port), *options]
    url = local_url(port)
    with log_path.open("wb") as log:
        process = subprocess.Popen(command, env=dict(env), stdout=subprocess.DEVNULL, stderr=log)
        try:
            _wait_until_serving(url, process, log_path)
            yield url
        finally:
            process.terminate()
            process.wait(timeout=STOP_SECONDS)


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *_args: object, **_kwargs: object) -> None:
        return None


def _wait_until_serving(url: str, process: subprocess.Popen[bytes], log_path: Path) -> None:
    deadline = time.monotonic() + STARTUP_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(
                f"needlepoint serve exited with {process.returncode}; see {log_path}"
            )
        try:
            # Any answer means serving; a redirect (NEEDLEPOINT_HTTPS_ONLY) is not followed.
            with urllib.request.build_opener(_NoRedirects).open(f"{url}/login", timeout=1):
                return
        except urllib.error.HTTPError:
            return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(
        f"needlepoint serve did not answer within {STARTUP_SECONDS} s; see {log_path}"
    )

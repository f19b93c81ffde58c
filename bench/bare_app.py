"""Baseline for bench/api.py: a bare Starlette app that returns fixed bytes on any GET.

It answers with the exact body and content type captured from `needlepoint serve`, under the
same uvicorn flags (one worker, no access log), so the ratio needlepoint/bare shows what the
application (auth, database, serialisation) costs on top of server + framework.

Usage: python bench/bare_app.py --port 8001 --body FILE [--content-type application/json]
"""

from __future__ import annotations

import argparse
from pathlib import Path

import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route


def make_app(body: bytes, content_type: str) -> Starlette:
    async def fixed(_: Request) -> Response:
        return Response(body, media_type=content_type)

    return Starlette(routes=[Route("/{path:path}", fixed, methods=["GET"])])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--body", type=Path, required=True)
    parser.add_argument("--content-type", default="application/json")
    args = parser.parse_args()
    app = make_app(args.body.read_bytes(), args.content_type)
    uvicorn.run(app, host=args.host, port=args.port, access_log=False, log_level="warning")


if __name__ == "__main__":
    main()

"""Baselines for bench/api.py: apps that return fixed bytes on any GET, without the application.

``--kind starlette`` (the baseline of the issue): a bare Starlette route. ``--kind fastapi``: the
framework floor of needlepoint's own stack: FastAPI with needlepoint's middleware (request id,
no-store, access log, body limit) and one plain-``def`` route with one dependency, which is how
every needlepoint route is called, but with no authentication, database, audit or serialisation.

All answer with the exact body and content type captured from `needlepoint serve`, under the
same uvicorn flags (one worker, no access log), so the ratios show what each layer costs.

Usage: python bench/bare_app.py --port 8001 --body FILE [--content-type T] [--kind starlette]
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Annotated

import uvicorn
from fastapi import Depends, FastAPI
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from needlepoint.entrypoints.api.middleware import BodySizeLimit, RequestBoundary
from needlepoint.entrypoints.cli.main import _server_logging


def make_app(body: bytes, content_type: str) -> Starlette:
    async def fixed(_: Request) -> Response:
        return Response(body, media_type=content_type)

    return Starlette(routes=[Route("/{path:path}", fixed, methods=["GET"])])


async def caller(request: Request) -> str:
    """A dependency, as every needlepoint route has (theirs resolve the signed-in caller)."""
    return request.url.path


def make_fastapi_floor(body: bytes, content_type: str) -> FastAPI:
    app = FastAPI()

    @app.get("/{path:path}")
    def fixed(path: str, who: Annotated[str, Depends(caller)]) -> Response:  # noqa: ARG001
        return Response(body, media_type=content_type)

    app.add_middleware(BodySizeLimit)
    app.add_middleware(RequestBoundary)
    return app


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--body", type=Path, required=True)
    parser.add_argument("--content-type", default="application/json")
    parser.add_argument("--kind", choices=["starlette", "fastapi"], default="starlette")
    args = parser.parse_args()
    make = make_app if args.kind == "starlette" else make_fastapi_floor
    app = make(args.body.read_bytes(), args.content_type)
    if args.kind == "fastapi":  # needlepoint's access log goes out as under `needlepoint serve`
        uvicorn.run(
            app, host=args.host, port=args.port, access_log=False, log_config=_server_logging()
        )
        return
    uvicorn.run(app, host=args.host, port=args.port, access_log=False, log_level="warning")


if __name__ == "__main__":
    main()

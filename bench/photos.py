"""Benchmark: the before/after comparison of two 12-megapixel photos, served from kept copies.

Not a test: it prints a Markdown table and writes bench/results/photos.json. Every figure comes
with a baseline measured in the same run, because these machines are noisy (bench/web.py's
method and helpers):

* setup: a fresh demo clinic (`needlepoint demo`) served by `needlepoint serve`; the demo
  clinician signs in through the login form; two 4000 × 3000 photos of a synthetic face (the
  later moved by a known scale, rotation and shift, both with camera-like noise so that their
  JPEGs are megabytes, as a camera's are) are uploaded through the API for the demo's Okafor,
  and their landmarks (the eyes) put. Each upload's time is reported.
* first view: the comparison page and its two images once, cold (the display copy and the
  aligned image are made and kept then); reported, not judged.
* measured, each with wrk (-t1 -c4, closed loop) after a warm-up, runs interleaved: the
  comparison page (HTML), the earlier photo's display copy and the aligned later photo (both
  JPEG, 1600 × 1200), and the thumbnail. Every one of these reads checks the 12-megapixel
  original against its SHA-256 first and is audited.
* baselines: bench/bare_app.py (bare Starlette) answering the byte-identical comparison page,
  and the byte-identical aligned JPEG, under the same uvicorn flags and pinning. The page's
  rps is reported as a ratio to the HTML baseline, the images' to the JPEG baseline.
* a whole view: the page and then its two images, one after the other from one client, 60
  times (httpx, keep-alive), as a browser opening the page would fetch them; its p95.

Target: p95 <= 100 ms for the page and for each image, once the copies exist.

Usage: python bench/photos.py [--duration 3] [--reps 2] [--warmup 1]
"""

from __future__ import annotations

import argparse
import io
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import numpy as np
from api import API, NEEDLEPOINT, ROOT, Children, cores, ensure_wrk, free_port, wait_until_up
from api import start_baseline as start_bare
from PIL import Image
from web import (
    LUA,
    TARGET_P95_MS,
    find_programme,
    judge,
    measure,
    sign_in,
    summarise,
    verdict_text,
)

# the tests' synthetic face, moved by a known transform (tests/photo_faces.py)
sys.path.insert(0, str(ROOT / "tests"))
from photo_faces import face_pair

RESULTS = ROOT / "bench" / "results" / "photos.json"
WIDTH, HEIGHT = 4000, 3000
NOISE = 6.0
"""Standard deviation of the camera-like noise added to each photo (8-bit levels)."""
WHOLE_VIEWS = 60
HTML_BASELINE, JPEG_BASELINE = "bare_html", "bare_jpeg"


@dataclass(frozen=True, slots=True)
class Pair:
    """The two uploaded photos, what uploading them took, and the pages and images to read."""

    earlier_id: str
    later_id: str
    upload_s: tuple[float, float]
    bytes_uploaded: tuple[int, int]

    def paths(self) -> dict[str, str]:
        """Each measured target's path, by name."""
        return {
            "compare_page": f"/photos/compare?first={self.earlier_id}&second={self.later_id}",
            "earlier_display": f"/photos/{self.earlier_id}/image/display",
            "aligned_later": f"/photos/{self.later_id}/aligned/{self.earlier_id}",
            "thumbnail": f"/photos/{self.later_id}/image/thumbnail",
        }


def camera_like(jpeg: bytes, seed: int) -> bytes:
    """The photo with sensor-like noise, as a camera's 12-megapixel JPEG (a few MB)."""
    pixels = np.asarray(Image.open(io.BytesIO(jpeg)).convert("RGB"), dtype=np.float32)
    noise = np.random.default_rng(seed).normal(0.0, NOISE, pixels.shape).astype(np.float32)
    noisy = np.clip(pixels + noise, 0, 255).astype(np.uint8)
    out = io.BytesIO()
    Image.fromarray(noisy).save(out, format="JPEG", quality=92)
    return out.getvalue()


def csrf_token(client: httpx.Client) -> str:
    """The session's CSRF token, for the API's unsafe requests made with the cookie."""
    token: str = client.get(f"{API}/auth/me").raise_for_status().json()["csrf_token"]
    return token


def upload_pair(client: httpx.Client, patient_id: str) -> Pair:
    """Upload the two photos through the API and put their landmarks (the eyes)."""
    faces = face_pair(WIDTH, HEIGHT, scale=1.08, rotation_deg=6.0, shift=(120.0, -60.0))
    headers = {"X-CSRF-Token": csrf_token(client)}
    ids, took, sizes = [], [], []
    for seed, (data, day, eyes) in enumerate(
        (
            (faces.earlier, "2026-11-01", faces.earlier_eyes),
            (faces.later, "2026-12-01", faces.later_eyes),
        )
    ):
        photo = camera_like(data, seed)
        started = time.perf_counter()
        answer = client.post(
            f"{API}/patients/{patient_id}/photos",
            params={"view": "front", "taken_on": day},
            content=photo,
            headers={**headers, "Content-Type": "image/jpeg"},
        )
        took.append(round(time.perf_counter() - started, 2))
        if answer.status_code != 201:
            sys.exit(f"upload refused: {answer.status_code} {answer.text[:300]}")
        (first, second) = eyes
        marks = {
            "first": {"x_px": first[0], "y_px": first[1]},
            "second": {"x_px": second[0], "y_px": second[1]},
        }
        photo_id = answer.json()["id"]
        client.put(f"{API}/photos/{photo_id}/landmarks", json=marks, headers=headers)
        ids.append(photo_id)
        sizes.append(len(photo))
    return Pair(ids[0], ids[1], (took[0], took[1]), (sizes[0], sizes[1]))


def first_view(client: httpx.Client, pair: Pair) -> dict[str, Any]:
    """Each target once, cold: the copies are made (and kept) now."""
    figures: dict[str, Any] = {}
    for name, path in pair.paths().items():
        started = time.perf_counter()
        answer = client.get(path)
        elapsed = round((time.perf_counter() - started) * 1000, 1)
        if answer.status_code != 200:
            sys.exit(f"{name} answered {answer.status_code}: {answer.text[:300]}")
        figures[name] = {"ms": elapsed, "bytes": len(answer.content)}
    return figures


def whole_views(client: httpx.Client, pair: Pair) -> dict[str, float]:
    """The page, then its two images, from one keep-alive client, ``WHOLE_VIEWS`` times."""
    paths = pair.paths()
    times = []
    for _ in range(WHOLE_VIEWS):
        started = time.perf_counter()
        for name in ("compare_page", "earlier_display", "aligned_later"):
            client.get(paths[name]).raise_for_status()
        times.append((time.perf_counter() - started) * 1000)
    times.sort()
    return {
        "views": WHOLE_VIEWS,
        "p50_ms": round(statistics.median(times), 1),
        "p95_ms": round(times[int(0.95 * (len(times) - 1))], 1),
        "max_ms": round(times[-1], 1),
    }


@dataclass(frozen=True, slots=True)
class Setup:
    """What the measurement needs."""

    urls: dict[str, str]
    cookie: str
    pair: Pair
    first: dict[str, Any]
    whole: dict[str, float]


def prepare(children: Children, server_cpu: list[str], env: dict[str, str], tmp: Path) -> Setup:
    """Seed and serve the demo, upload the pair, view it once, and start both baselines."""
    subprocess.run([str(NEEDLEPOINT), "demo"], env=env, check=True, capture_output=True)
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    serve = [*server_cpu, str(NEEDLEPOINT), "serve", "--port", str(port)]
    children.start(serve, env, tmp / "serve.log")
    wait_until_up(f"{base}/login", children)
    with httpx.Client(base_url=base, timeout=120) as client:
        cookie = sign_in(client)
        pair = upload_pair(client, find_programme(client).patient_id)
        first = first_view(client, pair)
        page = client.get(pair.paths()["compare_page"])
        aligned = client.get(pair.paths()["aligned_later"])
        whole = whole_views(client, pair)
    urls = {
        HTML_BASELINE: bare(children, server_cpu, env, tmp, page),
        JPEG_BASELINE: bare(children, server_cpu, env, tmp, aligned),
        **{name: f"{base}{path}" for name, path in pair.paths().items()},
    }
    return Setup(urls, cookie, pair, first, whole)


def bare(
    children: Children,
    server_cpu: list[str],
    env: dict[str, str],
    tmp: Path,
    answer: httpx.Response,
) -> str:
    """Bare Starlette answering exactly these bytes; its URL once it does."""
    content_type = answer.headers["content-type"]
    body_file = tmp / f"body-{len(children.procs)}"
    body_file.write_bytes(answer.content)
    port = free_port()
    start_bare(children, server_cpu, env, tmp, "starlette", port, body_file, content_type)
    url = f"http://127.0.0.1:{port}/"
    wait_until_up(url, children)
    assert httpx.get(url).content == answer.content, "the baseline does not return the same bytes"
    return url


def report(
    setup: Setup, runs: dict[str, list[dict[str, Any]]], args: argparse.Namespace, layout: str
) -> dict[str, Any]:
    """The result document: each target's figures, ratio and verdict, the baselines."""
    baselines = {name: summarise(runs[name]) for name in (HTML_BASELINE, JPEG_BASELINE)}
    targets = {}
    for name, path in setup.pair.paths().items():
        baseline = HTML_BASELINE if name == "compare_page" else JPEG_BASELINE
        summary = summarise(runs[name])
        targets[name] = {
            "request": f"GET {path.split('?')[0]}",
            "first_view_ms": setup.first[name]["ms"],
            "bytes": setup.first[name]["bytes"],
            "baseline": baseline,
            **summary,
            **judge(summary, baselines[baseline]["rps"]),
            "runs": runs[name],
        }
    return {
        "target": f"p95 <= {TARGET_P95_MS:g} ms for the page and each image, from kept copies",
        "pass": all(t["pass"] for t in targets.values()),
        "photos": {
            "size_px": f"{WIDTH} x {HEIGHT}",
            "bytes": list(setup.pair.bytes_uploaded),
            "upload_s": list(setup.pair.upload_s),
        },
        "targets": targets,
        "whole_view": setup.whole,
        "baselines": {name: {**b, "runs": runs[name]} for name, b in baselines.items()},
        "machine": {
            "cpus": os.cpu_count(),
            "layout": layout,
            "python": sys.version.split()[0],
            "wrk": f"-t1 -c{args.connections} (closed loop), Lua percentiles",
            "duration_s": args.duration,
            "warmup_s": args.warmup,
            "reps": args.reps,
        },
    }


def markdown(result: dict[str, Any]) -> str:
    """The summary table, then the baselines and the whole view."""
    lines = [
        "| target | first view ms | rps | p50 ms | p95 ms | p99 ms | ratio vs bare | "
        f"p95 <= {TARGET_P95_MS:g} ms |",
        "|---|---:|---:|---:|---:|---:|---:|---|",
    ]
    for name, t in result["targets"].items():
        lines.append(
            f"| {name} ({t['bytes']} B) | {t['first_view_ms']:.0f} | {t['rps']:.0f} "
            f"| {t['p50_ms']:.1f} | {t['p95_ms']:.1f} | {t['p99_ms']:.1f} | {t['ratio']:.3f} "
            f"| {verdict_text(t)} |"
        )
    for name, b in result["baselines"].items():
        lines.append(
            f"| {name} | — | {b['rps']:.0f} | {b['p50_ms']:.1f} | {b['p95_ms']:.1f} "
            f"| {b['p99_ms']:.1f} | 1.000 | baseline |"
        )
    whole, photos = result["whole_view"], result["photos"]
    lines.append("")
    lines.append(
        f"Whole view (page + 2 images, sequential, {whole['views']}×): p50 {whole['p50_ms']} ms, "
        f"p95 {whole['p95_ms']} ms. Uploads ({photos['size_px']}, {photos['bytes']} bytes): "
        f"{photos['upload_s']} s."
    )
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--duration", type=float, default=3.0, help="seconds per measured run")
    parser.add_argument("--warmup", type=float, default=1.0)
    parser.add_argument("--reps", type=int, default=2, help="interleaved runs per target")
    parser.add_argument("--connections", type=int, default=4)
    args = parser.parse_args()

    wrk = ensure_wrk()
    server_cpu, generator_cpu, layout = cores()
    children = Children()
    tmp = Path(tempfile.mkdtemp(prefix="needlepoint-bench-photos-"))
    env = {**os.environ, "NEEDLEPOINT_DATA_DIR": str(tmp / "data"), "NEEDLEPOINT_DEVELOPMENT": "1"}
    try:
        setup = prepare(children, server_cpu, env, tmp)
        script = tmp / "figures.lua"
        script.write_text(LUA, encoding="utf-8")
        runs = measure(setup, args, wrk, generator_cpu, script)
        result = report(setup, runs, args, layout)
        RESULTS.parent.mkdir(parents=True, exist_ok=True)
        RESULTS.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
        print(markdown(result))
        print(json.dumps({"pass": result["pass"], "results": str(RESULTS.relative_to(ROOT))}))
    finally:
        children.stop()
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()

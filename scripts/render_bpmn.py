"""Render ``bpmn/order-process.bpmn`` to ``bpmn/order-process.svg`` with bpmn-js.

The viewer bundle comes from ``node_modules`` (run ``npm ci`` first) and runs in
Debian's Chromium driven by Playwright; nothing is fetched from the network. The
import must finish without warnings, or nothing is written. The SVG carries the
SHA-256 of the model it was drawn from, so a test can tell cheaply whether it is
stale. ``--png`` also saves a screenshot, handy to eyeball the layout.
"""

from __future__ import annotations

import argparse
import hashlib
import re
import sys
import tempfile
from pathlib import Path
from typing import TypedDict

from playwright.sync_api import ViewportSize, sync_playwright

ROOT = Path(__file__).resolve().parent.parent
MODEL = ROOT / "bpmn" / "order-process.bpmn"
SVG = ROOT / "bpmn" / "order-process.svg"
DIST = ROOT / "node_modules" / "bpmn-js" / "dist"
CHROMIUM = "/usr/bin/chromium"
VIEWPORT: ViewportSize = {"width": 2600, "height": 1000}

# The test reads this marker back; keep the two in step.
HASH_MARKER = "source-sha256:"

PAGE = """<!doctype html>
<html>
<head>
<meta charset="utf-8">
<link rel="stylesheet" href="{assets}/diagram-js.css">
<link rel="stylesheet" href="{assets}/bpmn-js.css">
<script src="{dist}/bpmn-viewer.production.min.js"></script>
<style>html, body, #canvas {{ margin: 0; height: 100%; background: #fff; }}</style>
</head>
<body><div id="canvas"></div></body>
</html>
"""

RENDER = """async (xml) => {
  const viewer = new BpmnJS({ container: '#canvas' });
  const { warnings } = await viewer.importXML(xml);
  viewer.get('canvas').zoom('fit-viewport', 'auto');
  const { svg } = await viewer.saveSVG();
  return { warnings: warnings.map((w) => String(w.message || w)), svg };
}"""


# bpmn-js gives each arrow-head marker a random id; numbering them in order of
# appearance makes the output depend on the model only, so re-rendering an
# unchanged model leaves the committed file untouched.
RANDOM_MARKER_ID = re.compile(r"marker-[a-z0-9]{16,}")


class Rendered(TypedDict):
    warnings: list[str]
    svg: str


def source_hash(model: bytes) -> str:
    return hashlib.sha256(model).hexdigest()


def stable_ids(svg: str) -> str:
    numbers: dict[str, str] = {}

    def renumber(match: re.Match[str]) -> str:
        return numbers.setdefault(match.group(0), f"marker-{len(numbers) + 1}")

    return RANDOM_MARKER_ID.sub(renumber, svg)


def stamp(svg: str, model: bytes) -> str:
    """``svg`` with a comment naming the hash of the model, after the prolog."""
    comment = f"<!-- {HASH_MARKER} {source_hash(model)} (scripts/render_bpmn.py) -->"
    head, sep, rest = svg.partition("?>")
    if not sep:
        return f"{comment}\n{svg}\n"
    return f"{head}?>\n{comment}{rest}\n"


def render(model: bytes, png: Path | None) -> Rendered:
    if not (DIST / "bpmn-viewer.production.min.js").is_file():
        raise SystemExit(f"render: {DIST} is missing: run `npm ci` first")

    with tempfile.TemporaryDirectory() as tmp:
        page_file = Path(tmp) / "render.html"
        page_file.write_text(
            PAGE.format(dist=DIST.as_uri(), assets=(DIST / "assets").as_uri())
        )
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM)
            try:
                page = browser.new_page(viewport=VIEWPORT)
                page.goto(page_file.as_uri())
                result: Rendered = page.evaluate(RENDER, model.decode())
                if png is not None:
                    page.screenshot(path=str(png), full_page=True)
            finally:
                browser.close()
    return result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--png", type=Path, help="also save a screenshot here")
    args = parser.parse_args()

    model = MODEL.read_bytes()
    result = render(model, args.png)
    if result["warnings"]:
        for warning in result["warnings"]:
            print(f"bpmn-js import warning: {warning}", file=sys.stderr)
        return 1

    SVG.write_text(stamp(stable_ids(result["svg"]), model))
    print(f"wrote {SVG.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Take the README's screenshot of the dashboard: start `peninsula dashboard` on a free port of
127.0.0.1, open it in Debian's Chromium through Playwright (--no-sandbox, a temporary HOME),
run the Explore view on the baseline at 2,000 runs, and save docs/dashboard.png.

    python tools/dashboard_screenshot.py [--out docs/dashboard.png]
"""

from __future__ import annotations

import argparse
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def main(argv: list[str] | None = None) -> None:
    from playwright.sync_api import sync_playwright

    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--out", type=Path, default=ROOT / "docs" / "dashboard.png")
    ap.add_argument("--runs", type=int, default=2000)
    a = ap.parse_args(argv)
    chromium = shutil.which("chromium")
    if chromium is None:
        raise SystemExit("no 'chromium' on PATH: install Debian's chromium package")
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    home = tempfile.mkdtemp()
    proc = subprocess.Popen([sys.executable, "-m", "peninsula.cli", "dashboard", "--port",
                             str(port)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                            start_new_session=True, env={**os.environ, "HOME": home})
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(240):
            try:
                with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as r:
                    if r.read().decode().strip() == "ok":
                        break
            except OSError:
                time.sleep(0.5)
        with sync_playwright() as p:
            b = p.chromium.launch(executable_path=chromium, args=["--no-sandbox"],
                                  env={**os.environ, "HOME": home})
            page = b.new_page(viewport={"width": 1500, "height": 1000})
            page.goto(url, timeout=120_000)
            page.get_by_text("Peninsula: alliance dynamics").wait_for(timeout=120_000)
            box = page.locator("input[aria-label^='Runs']").first
            box.fill(str(a.runs))
            box.press("Enter")
            page.wait_for_timeout(800)
            page.get_by_role("button", name="Run ensemble").click()
            page.locator(".js-plotly-plot").first.wait_for(timeout=300_000)
            page.wait_for_timeout(2500)  # let the charts finish drawing
            a.out.parent.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(a.out), full_page=False)
            b.close()
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=20)
        shutil.rmtree(home, ignore_errors=True)
    print(f"wrote {a.out}")


if __name__ == "__main__":
    main()

"""Printing with the workbench's one headless chromium (Debian ``/usr/bin/chromium``): a page printed to PDF, a
PDF's page count (the CJK font every printed page names is ``fpplan.app.style.FONT``). The report, the brief, the leader pages' exports
and the figures drawn as images (kaleido) all use it; nothing it opens reaches outside the machine.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
# headless chromium's settings everywhere fpplan drives it (printing here, the browser tests and benchmarks:
# fpplan.testing.browser): no GPU, no background requests, updates or sync of its own
QUIET_FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
NO_PROXY = "http://127.0.0.1:9"  # every request but file:// fails: the renderer cannot reach outside the machine


def to_pdf(page: Path, pdf: Path | None = None) -> Path | None:
    """PDF by headless chromium (offline, CJK fonts from fonts-noto-cjk); None where chromium is missing."""
    if not Path(CHROMIUM).exists():
        return None
    page = Path(page).resolve()  # a file URI needs an absolute path (``--out briefs/`` is relative)
    pdf = Path(pdf).resolve() if pdf is not None else page.with_suffix(".pdf")
    subprocess.run(
        [
            CHROMIUM,
            "--headless",
            *QUIET_FLAGS,
            "--no-pdf-header-footer",
            "--virtual-time-budget=20000",
            f"--print-to-pdf={pdf}",
            page.as_uri(),
        ],
        check=True,
        capture_output=True,
        timeout=300,
    )
    return pdf


def page_count(pdf: Path) -> int:
    """Pages of a PDF (chromium writes one ``/Type /Page`` object per page)."""
    return len(re.findall(rb"/Type\s*/Page(?![a-zA-Z])", pdf.read_bytes()))

"""The headless chromium the browser tests and benchmarks drive (Debian's, through Playwright), kept offline:
every host but loopback resolves to nothing, so a page that asks for a CDN fails loudly (and shows in
``requestfailed``)."""

from fpplan.app.printing import QUIET_FLAGS

CHROMIUM = "/usr/bin/chromium"
ARGS = [
    *QUIET_FLAGS,
    "--disable-quic",
    "--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE 127.0.0.1",
]

"""保存为图片 for the pages with controls (乡镇指标, 情景分析, 服务半径与选址): the page as it stands — controls moved,
figures redrawn — drawn into a PNG in the visitor's browser and saved.

The leader pages' images are drawn on the server once per data version (``fpplan.server.export``); a page with
controls has as many states as its controls, so the browser draws the one on screen, with html-to-image (MIT,
vendored in the template's static folder: ``static/html-to-image``): it copies the page into an SVG
``foreignObject`` and paints that on a canvas. The figures are plotly.js SVG and are copied as they are; the text
keeps the machine's own fonts (the CJK font included), and only web fonts the page itself serves are embedded:
nothing is fetched off the machine. The controls are drawn as they are set (the chosen period, target set, slider
values say what the image shows); the button and plotly's toolbar are left out.

The image is saved by clicking an ``<a download>`` on the PNG (a blob URL): no pop-up, no ``window.open``. WeChat's
built-in browser ignores ``download``: there the image is shown under the button instead, and a long press saves or
forwards it (as the leader pages' links do).

The script lives here once (``SCRIPT``): a page rendered ahead carries the button with it (``bar_html``), which
works before its kernel has started; a page its kernel renders alone (a region's county, a notebook) gets the same
button from its widgets (``panels.live_figure.SaveImage``), which stays hidden where the page has its own. Only the
standard library: the pages rendered ahead are written with it."""

from __future__ import annotations

from html import escape

from fpplan.data.labels import month_text, ui

LIBRARY_URL = "../templates/fpplan/static/html-to-image/html-to-image.js"  # from /voila/render/<page>.ipynb
BAR = "fpplan-save-image"  # the id of the page's own button bar (a widget's button stays hidden beside it)
MAX_PX = 16_000  # a canvas side chromium still draws (16,384): a longer page is drawn at fewer device pixels

CSS = (
    "<style>"
    ".fp-image-bar{display:flex;flex-wrap:wrap;gap:8px;align-items:center;margin:2px 0 8px 0}"
    ".fp-image-bar button{padding:5px 14px;border:1px solid #1565c0;border-radius:4px;color:#1565c0;"
    "background:#fff;font-size:14px;cursor:pointer;font-family:inherit}"
    ".fp-image-bar button:disabled{color:#888;border-color:#bbb;cursor:wait}"
    ".fp-image-status{font-size:12px;color:#777}"
    ".fp-image-shown{flex:1 1 100%}.fp-image-shown img{max-width:100%;border:1px solid #ddd}"
    "@media print{.fp-image-bar{display:none !important}}"
    "</style>"
)

# Shared by the page's inline script and the widget's module: the library loaded once per page (from the template's
# static folder, or as text from the kernel where there is no Voila), and one click's work.
SCRIPT = """
const fpImageLibrary = "__fpplanHtmlToImage";
function fpplanImageLibrary(url, fromKernel) {
  if (window.htmlToImage) return Promise.resolve(window.htmlToImage);
  window[fpImageLibrary] = window[fpImageLibrary] || new Promise((ok, fail) => {
    const add = (src, failed) => {
      const amd = window.define;  // the UMD build registers with an AMD loader where there is one: not here
      window.define = undefined;
      const s = document.createElement("script");
      s.src = src;
      s.onload = () => { window.define = amd; window.htmlToImage ? ok(window.htmlToImage) : failed(); };
      s.onerror = () => { window.define = amd; failed(); };
      document.head.appendChild(s);
    };
    const kernel = () => fromKernel ? fromKernel().then((src) => add(src, fail), fail) : fail(new Error("html-to-image"));
    if (url) add(new URL(url, document.baseURI).href, kernel); else kernel();
  }).catch((e) => { delete window[fpImageLibrary]; throw e; });
  return window[fpImageLibrary];
}
const fpImageSkip = ["fp-image-bar", "fp-wait", "modebar-container"];  // the button, a note, plotly's toolbar
// The style properties copied onto each element of the copy: the page's own, less CSS variables (JupyterLab defines
// hundreds on every element: 71 MB of copy and 25 s for 乡镇指标 with them, 6 MB and ~1.5 s without) and properties a
// still image does not show.
const fpImageUnseen = /^(--|animation|transition|scroll-|overscroll|cursor|pointer-events|user-select|-webkit-user|touch-action|will-change|caret|view-t|anchor|position-try|interpolate-size|speak)/;
function fpplanImageStyles() {
  window.__fpplanImageStyles = window.__fpplanImageStyles
    || Array.from(getComputedStyle(document.documentElement)).filter((p) => !fpImageUnseen.test(p));
  return window.__fpplanImageStyles;
}
function fpplanImageRoot(bar) {  // the page: Voila's cells, else the notebook cell or the document
  return document.getElementById("rendered_cells") || bar.closest(".jp-Cell, .jp-OutputArea") || document.body;
}
async function fpplanSaveImage(bar, library) {
  const button = bar.querySelector("button");
  const status = bar.querySelector(".fp-image-status");
  const shown = bar.querySelector(".fp-image-shown");
  const root = fpplanImageRoot(bar);
  const start = performance.now();
  button.disabled = true;
  status.textContent = bar.dataset.busy;
  try {
    const lib = await library();
    const width = root.scrollWidth, height = root.scrollHeight;
    const ratio = Math.min(window.devicePixelRatio || 1, MAX_PX / width, MAX_PX / height);
    const options = {
      backgroundColor: "#ffffff", pixelRatio: ratio, width, height, includeStyleProperties: fpplanImageStyles(),
      preferredFontFormat: "woff2",  // the page's web fonts (Font Awesome, served here) embedded once each
      filter: (node) => !(node.classList && fpImageSkip.some((c) => node.classList.contains(c))),
    };
    if (/MicroMessenger/i.test(navigator.userAgent)) {  // WeChat ignores download: the image shown, a long press saves it
      const img = document.createElement("img");
      img.alt = bar.dataset.file;
      img.src = await lib.toPng(root, options);
      shown.replaceChildren(img);
      shown.hidden = false;
      status.textContent = bar.dataset.hint;
    } else {
      const blob = await lib.toBlob(root, options);
      const url = URL.createObjectURL(blob);
      const a = document.createElement("a");
      a.href = url;
      a.download = bar.dataset.file;
      a.style.display = "none";
      document.body.appendChild(a);
      a.click();
      a.remove();
      setTimeout(() => URL.revokeObjectURL(url), 60000);
      status.textContent = "";
    }
    bar.dataset.ms = String(Math.round(performance.now() - start));
  } catch (e) {
    console.warn("fpplan: the page's image could not be drawn", e);
    status.textContent = bar.dataset.failed;
  } finally {
    button.disabled = false;
  }
}
""".replace("MAX_PX", str(MAX_PX))


def file_stem(title_key: str, manifest: dict) -> str:
    """The image's file name without its extension: page, county, data as of (``乡镇指标_演示县_2025年12月``)."""
    month = (manifest.get("data_as_of") or {}).get("last_month")
    parts = [ui(title_key), (manifest.get("county") or {}).get("name"), month_text(month) if month else None]
    return "_".join(p for p in parts if p)


def bar_html(title_key: str, manifest: dict, element_id: str = BAR) -> str:
    """The button with its status line (no script): what it says and the file it saves in ``data-`` attributes."""
    data = {
        "file": file_stem(title_key, manifest) + ".png",
        "busy": ui("page_image_busy"),
        "failed": ui("page_image_failed"),
        "hint": ui("leader_image_hint"),
    }
    attributes = " ".join(f"data-{k}='{escape(v)}'" for k, v in data.items())
    return (
        f"{CSS}<div id='{element_id}' class='fp-image-bar' {attributes}><button type='button'>"
        f"{escape(ui('leader_save_image'))}</button><span class='fp-image-status' aria-live='polite'></span>"
        "<div class='fp-image-shown' hidden></div></div>"
    )


def page_html(title_key: str, manifest: dict) -> str:
    """The button for a page rendered ahead, with its script (the library loaded at the first click)."""
    return (
        bar_html(title_key, manifest)
        + "<script>(function () {"
        + SCRIPT
        + f" const bar = document.getElementById('{BAR}');"
        f" bar.querySelector('button').addEventListener('click', () => fpplanSaveImage(bar,"
        f" () => fpplanImageLibrary('{LIBRARY_URL}')));"
        " })();</script>"
    )

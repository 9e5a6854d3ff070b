"""保存为图片 of the pages with controls (``fpplan.app.panels.page_image``): the file's name, the button the pages
rendered ahead and the widgets share, and the vendored html-to-image they load (the browser tests draw the images:
tests/test_dashboards.py, tests/test_region_dashboards.py)."""

from __future__ import annotations

import hashlib
import re
from urllib.parse import urljoin

from fpplan.app.panels import page_image
from fpplan.data import shipped

MANIFEST = {"county": {"code": "650123", "name": "演示县"}, "data_as_of": {"last_month": "2025-12"}}


def test_the_file_is_named_by_page_county_and_data_date() -> None:
    assert page_image.file_stem("app_scorecard", MANIFEST) == "乡镇指标_演示县_2025年12月"
    assert page_image.file_stem("app_scenarios", MANIFEST | {"data_as_of": {}}) == "情景分析_演示县"  # no month yet


def test_the_button_carries_its_file_name_and_words() -> None:
    bar = page_image.bar_html("app_spatial", MANIFEST)
    assert "id='fpplan-save-image'" in bar and ">保存为图片</button>" in bar
    assert "data-file='服务半径与选址_演示县_2025年12月.png'" in bar
    assert "data-hint='微信中打开后长按图片可保存或转发'" in bar and "data-busy='正在生成图片……'" in bar
    page = page_image.page_html("app_spatial", MANIFEST)
    assert page.count("<script>") == 1 and page_image.LIBRARY_URL in page
    assert "window.open" not in page and "a.download = bar.dataset.file" in page  # a download, never a pop-up


def test_the_library_address_is_the_vendored_file_and_it_is_unchanged() -> None:
    """The address the pages load (relative to /voila/render/<page>.ipynb) is the template's file, and the file is
    the one its README names (npm html-to-image 1.11.13, sha256), with its licence."""
    served = urljoin("http://host/voila/render/乡镇指标.ipynb", page_image.LIBRARY_URL)
    assert served == "http://host/voila/templates/fpplan/static/html-to-image/html-to-image.js"
    path = shipped.html_to_image()
    assert path == shipped.voila_template() / "static" / "html-to-image" / "html-to-image.js"
    readme = (path.parent / "README.md").read_text(encoding="utf-8")
    digest = re.search(r"\| `html-to-image.js` \|[^|]+\|[^|]+\| ([0-9a-f]{64}) \|", readme).group(1)
    assert hashlib.sha256(path.read_bytes()).hexdigest() == digest
    assert "MIT License" in (path.parent / "LICENSE").read_text(encoding="utf-8")
    assert path.read_text(encoding="utf-8").startswith("!function(t,e){") and "htmlToImage" in path.read_text()


def test_the_widget_brings_the_same_button_and_sends_the_library_where_the_page_cannot_load_it() -> None:
    from fpplan.app.panels.live_figure import SaveImage

    widget = SaveImage("app_scorecard", MANIFEST)
    assert "id='fpplan-save-image-widget'" in widget.html and "乡镇指标_演示县_2025年12月.png" in widget.html
    assert widget.page_bar == "fpplan-save-image" and widget.library_url == page_image.LIBRARY_URL
    assert page_image.SCRIPT in widget._esm  # one script for the page and the widget
    sent = []
    widget.send = sent.append
    widget._send_library(widget, {"need": "html-to-image"}, [])
    assert sent == [{"library_source": shipped.html_to_image().read_text(encoding="utf-8")}]

"""The documents targets, norms and rules are taken from, by title: what an official cites (《…》第几篇), never an
internal id. The label table's ``documents`` section maps an id (``seed 001 第五篇``) to the title in zh and en; an
id it does not know (a county's own document, written as its title) stands for itself."""

from __future__ import annotations

import re

from fpplan.data.labels import label, language, table

_SEED = re.compile(r"seeds? (00\d)(?: (第[一二三四五六七八九十]+篇))?(?: ?§| (?=[一二三四五六七八九十]))?")


def title(document: str | None, lang: str | None = None) -> str:
    """The title of ``document`` (an id of the label table's ``documents``, else the text itself); "" for None."""
    if not document:
        return ""
    known = table().get("documents", {})
    return label("documents", document, lang) if document in known else document


def cite_item(document: str | None, source: str) -> str:
    """``《title》item`` from a document id and a source written "<item>: <the source's own words>" (the item
    alone is cited; the words are the evidence kept in the configuration)."""
    item = str(source or "").split(":", 1)[0].strip() if ":" in str(source or "") else ""
    return f"{title(document)}{item}" if document else item


def cite(text: str | None, lang: str | None = None) -> str:
    """Free text with its seed ids replaced by the documents' titles: ``seed 000 §三(三)`` →
    ``《“十一五”时期计划生育优质服务新机制建设规划（最终版）》三(三)``."""
    if not text:
        return ""

    def one(match: re.Match) -> str:
        seed, part = match.group(1), match.group(2)
        key = (
            f"seed {seed} {part}" if part and f"seed {seed} {part}" in table().get("documents", {}) else f"seed {seed}"
        )
        named = title(key, lang or language())
        return named + (part if part and key == f"seed {seed}" else "")

    return _SEED.sub(one, str(text))


_ASCII_WORD = re.compile(r"[A-Za-z]{2,}")
_KEPT_WORDS = {"km", "WISN", "TFR"}


def official_source(text: str | None, lang: str | None = None) -> str:
    """A configuration's ``source`` as an official reads it: seed ids as document titles; in Chinese, "demo
    assumption" as 演示假设 and the English remarks left out (the parts that are only for the planner), e.g.
    ``kinds: seed 003 §(二); quantities and unit prices: demo assumption until …`` →
    ``《我国计划生育技术规范与优质服务》(二)；演示假设``."""
    if not text:
        return ""
    lang = lang or language()
    if text in table().get("documents", {}):
        return title(text, lang)
    cited = cite(text, lang)
    if lang != "zh":
        return cited
    kept: list[str] = []
    for part in re.split(r"\s*[;；]\s*", cited):
        pieces = []
        for piece in re.split(r":\s+|：", part):
            piece = piece.strip(" ,，")
            if "demo assumption" in piece:
                pieces.append(label("ui", "demo_assumption"))
            elif piece and not [
                w for w in _ASCII_WORD.findall(re.sub(r"\([^()]*[A-Za-z][^()]*\)", "", piece)) if w not in _KEPT_WORDS
            ]:
                pieces.append(re.sub(r"\s*\([^()]*[A-Za-z]{2,}[^()]*\)", "", piece))
        text_part = "：".join(dict.fromkeys(p for p in pieces if p))
        if text_part and text_part not in kept:
            kept.append(text_part)
    return "；".join(kept) or label("ui", "source_in_config")

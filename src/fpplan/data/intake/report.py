"""导入说明.md: what ``fpplan init`` read and how, in Chinese, for the planner to check."""

from __future__ import annotations

from pathlib import Path

from fpplan.data.intake.words import Log
from fpplan.data.labels import label


def _table(headers: list[str], rows: list[list[object]]) -> str:
    if not rows:
        return "（无）\n"
    lines = ["| " + " | ".join(headers) + " |", "|" + "---|" * len(headers)]
    lines += ["| " + " | ".join(str(c).replace("|", "｜") for c in row) + " |" for row in rows]
    return "\n".join(lines) + "\n"


def _files(labels: list[str]) -> str:
    """Files named once: up to three in full, else the first and the last with the count."""
    labels = list(dict.fromkeys(labels))
    return "、".join(labels) if len(labels) <= 3 else f"{labels[0]} … {labels[-1]}（共{len(labels)}个）"


def _columns(columns: list[tuple[str, str, str]]) -> list[list[str]]:
    """One row per header and field, the files that share it named together (monthly reports have one header)."""
    groups: dict[tuple[str, str], list[str]] = {}
    for file, header, field in columns:
        groups.setdefault((header, field), []).append(file)
    by_files: dict[str, list[tuple[str, str]]] = {}
    for (header, field), files in groups.items():
        by_files.setdefault(_files(files), []).append((header, field))
    return [[files, header, field] for files, pairs in by_files.items() for header, field in pairs]


def _totals(skipped: list[tuple]) -> list[list[object]]:
    """Per file: how many totals were checked against their parts, on which rows (every one of them added up;
    one that does not is refused before anything is written)."""
    rows: dict[str, list] = {}
    for file, row, *_ in skipped:
        rows.setdefault(file, []).append(row)
    return [[file, len(found), _ranges(sorted(set(found))), "均等于各部分之和"] for file, found in rows.items()]


def _ranges(numbers: list[int]) -> str:
    parts, start = [], None
    for i, n in enumerate(numbers):
        start = n if start is None else start
        if i + 1 == len(numbers) or numbers[i + 1] != n + 1:
            parts.append(str(start) if start == n else f"{start}–{n}")
            start = None
    return "、".join(parts)


def markdown(log: Log, target: Path) -> str:
    parts = [
        f"# 导入说明：{target.name}\n",
        (
            "本文件由 `fpplan init` 写出，说明县里的各个文件被读成了哪张表、哪一列对应哪个字段、哪些用语和名称被换成了"
            "标准取值和代码、哪些合计行经核对后跳过、年龄组如何拆分，以及还缺少什么。请逐项核对。\n"
        ),
    ]
    parts.append("## 一、文件与表\n")
    parts.append(
        _table(
            ["文件（工作表）", "读成的表", "行数/人数"],
            [[f, label("tables", t) if not t.startswith("本县") else t, n] for f, t, n in log.files],
        )
    )
    parts.append("\n## 二、列与字段\n")
    parts.append(_table(["文件（工作表）", "原表头", "对应字段"], _columns(log.columns)))
    if log.unused:
        parts.append("\n未使用的列（与任何字段都不对应；如果其中有应读入的数据，请改用标准表头或在模板中填写）：\n\n")
        parts.append(_table(["文件（工作表）", "原表头"], [list(u) for u in log.unused]))
    parts.append("\n## 三、取值对应\n")
    parts.append(
        _table(
            ["字段", "原文", "标准取值", "出现次数"],
            [[label("columns", f), w, v, n] for (f, w, v), n in sorted(log.values.items())],
        )
    )
    parts.append("\n## 四、名称与代码\n")
    parts.append(_table(["类别", "原文名称", "代码"], [[k, n, c] for (k, n), c in sorted(log.names.items())]))
    parts.append("\n## 五、核对后跳过的合计行\n")
    parts.append(_table(["文件（工作表）", "核对的合计数", "所在行", "核对结果"], _totals(log.skipped)))
    parts.append("\n## 六、采用的规则\n\n")
    parts.append("".join(f"- {r}\n" for r in dict.fromkeys(log.rules)) or "（无）\n")
    parts.append("\n## 七、缺少的内容及其影响\n\n")
    parts.append("".join(f"- **{w}**：{m}\n" for w, m in log.missing) or "（无）\n")
    parts.append(
        "\n## 下一步\n\n- `fpplan validate` 检查县文件夹；\n- 每月的村级月报表用 `fpplan import-reports 县文件夹 文件` 导入"
        "（原样的官方格式即可）；\n- 修改 config/ 下的设置（情景、目标、不采集的指标）后再运行 `fpplan validate`。\n"
    )
    return "".join(parts)

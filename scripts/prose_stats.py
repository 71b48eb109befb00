"""How a chapter reads: words of prose, glued numbers per 100 words, process words and visible plumbing.

    .venv/bin/python scripts/prose_stats.py chapters/*.ipynb

prints one line per chapter. ``tests/test_prose.py`` holds every chapter to the limits below (DEVELOPERS.md:
at most 1.5 glued numbers per 100 words of prose, about 2,000 words of prose, no ``glue(...)`` call in a cell the
reader sees, no word about the book's own machinery).
"""

from __future__ import annotations

import argparse
import ast
import json
import re
import sys
from dataclasses import dataclass
from pathlib import Path

MAX_GLUED_PER_100_WORDS = 1.5
MAX_PROSE_WORDS = 2050  # "about 2,000 words": every word a reader meets, "For the curious" blocks included

#: Code cells with one of these tags show no input to the reader.
HIDDEN_INPUT_TAGS = frozenset({"remove-cell", "remove-input"})

#: Words about how the book is made and checked, which a reader should never meet. Statistics has tests and
#: test sets of its own ("Wald test", "test accuracy"), and "compared with" is ordinary English, so the patterns
#: name the machinery, not the words.
PROCESS_PATTERNS = {
    "seed": r"\bseed(?:s|ed)?\b",
    "nbval": r"\bnbval\b",
    "issue": r"\b(?:the|this|an|that|our) issue\b|\bissues? (?:asks?|tracker)\b",
    "bar": r"\b(?:speed|accuracy|quality|library's|book's|our|the) bar\b",
    "unit tests": r"\bunit[- ]tests?\b|\b(?:our|the book's|the library's) tests\b|\btests? (?:check|checks|assert)\b",
    "compared": r"\b(?:not|is|are|be|being|never) compared\b|\bstrict(?:ly)? compar",
    "built": r"\b(?:page|book|site|notebook) (?:is|was) (?:built|executed)\b|\bwhen this page\b",
    "CI": r"\bCI\b|\bcontinuous integration\b",
}


@dataclass(frozen=True)
class ProseStats:
    """What a reader meets in one chapter."""

    name: str
    words: int
    glued: int
    process_words: tuple[str, ...]
    visible_glue_cells: int

    @property
    def glued_per_100_words(self) -> float:
        return 100.0 * self.glued / max(self.words, 1)


GLUE_ROLE = re.compile(r"\{glue(?::\w+)?\}`[^`]*`")
OTHER_ROLE = re.compile(r"\{[\w:-]+\}`([^`<]*)(?:<[^`]*>)?`")


def _tags(cell: dict) -> set[str]:
    return set(cell.get("metadata", {}).get("tags", []))


def reader_markdown(notebook: dict) -> str:
    """The markdown a reader sees: every markdown cell not removed, without MyST comment lines."""
    parts = []
    for cell in notebook["cells"]:
        if cell["cell_type"] != "markdown" or "remove-cell" in _tags(cell):
            continue
        lines = [line for line in "".join(cell["source"]).split("\n") if not line.lstrip().startswith("%")]
        parts.append("\n".join(lines))
    return "\n\n".join(parts)


def prose(markdown: str) -> str:
    """Prose only: no code blocks, directive fences or options, maths, link targets or HTML tags.

    Glued numbers become the token ``GLUED`` (one word each); other roles keep their visible text.
    """
    lines, in_code, fence = [], False, ""
    for line in markdown.split("\n"):
        opening = re.match(r"^\s*(`{3,}|~{3,}|:{3,})\s*(\S*)", line)
        if opening and in_code and opening.group(1).startswith(fence) and not opening.group(2):
            in_code = False
            continue
        if opening and not in_code:
            if opening.group(2) and not opening.group(2).startswith("{"):
                in_code, fence = True, opening.group(1)
            elif opening.group(2) in ("{code-cell}", "{code-block}", "{code}", "{math}"):
                in_code, fence = True, opening.group(1)
            else:  # a directive: its title is prose ("For the curious: ...", an exercise's title)
                lines.append(line[opening.end() :])
            continue
        if line.lstrip().startswith("%"):
            continue
        if in_code or re.match(r"^\s*:[\w-]+:", line):
            continue
        lines.append(line)
    text = "\n".join(lines)
    text = re.sub(r"\$\$.*?\$\$", " ", text, flags=re.S)
    text = GLUE_ROLE.sub(" GLUED ", text)
    text = re.sub(r"(?<!\\)\$[^$\n]+\$", " ", text)
    text = OTHER_ROLE.sub(r" \1 ", text)
    text = re.sub(r"\]\([^)]*\)", "] ", text)
    text = re.sub(r"<[^>\n]+>", " ", text)
    text = re.sub(r"`[^`]*`", " code ", text)
    return text


def count_words(text: str) -> int:
    return len(re.findall(r"[A-Za-z0-9][\w'’.-]*", text))


def process_words(text: str) -> list[str]:
    """Every phrase about the book's machinery, as ``"kind: phrase"``."""
    found = []
    for kind, pattern in PROCESS_PATTERNS.items():
        flags = 0 if kind == "CI" else re.I
        found += [f"{kind}: {match.group(0)}" for match in re.finditer(pattern, text, flags)]
    return found


def visible_glue_calls(cell: dict) -> bool:
    """Does a code cell the reader sees call ``glue(...)`` or import it?"""
    if cell["cell_type"] != "code" or _tags(cell) & HIDDEN_INPUT_TAGS:
        return False
    source = "".join(cell["source"])
    return bool(re.search(r"(?<![\w.])glue\(|from myst_nb import glue", source))


def stats(path: Path) -> ProseStats:
    notebook = json.loads(path.read_text())
    text = prose(reader_markdown(notebook))
    captions = " ".join(
        str(cell.get("metadata", {}).get("mystnb", {}).get(key, {}).get(field, ""))
        for cell in notebook["cells"]
        for key, field in (("image", "alt"), ("figure", "caption"))
    )
    return ProseStats(
        name=path.stem,
        words=count_words(text.replace("GLUED", "0")),
        glued=text.count("GLUED"),
        process_words=tuple(process_words(text + "\n" + captions)),
        visible_glue_cells=sum(visible_glue_calls(cell) for cell in notebook["cells"]),
    )


def _syntax_ok(source: str) -> bool:
    try:
        ast.parse(source)
    except SyntaxError:
        return False
    return True


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("notebooks", nargs="+", type=Path)
    args = parser.parse_args(argv)
    print(f"{'chapter':<20} {'words':>6} {'glued':>6} {'per 100':>8} {'visible glue cells':>19}  process words")
    for path in args.notebooks:
        s = stats(path)
        flag = " <-- over" if s.glued_per_100_words > MAX_GLUED_PER_100_WORDS or s.words > MAX_PROSE_WORDS else ""
        print(
            f"{s.name:<20} {s.words:>6} {s.glued:>6} {s.glued_per_100_words:>8.2f} {s.visible_glue_cells:>19}  "
            f"{'; '.join(s.process_words) or '-'}{flag}"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""The chapters as the notebooks a reader runs or downloads: plain Markdown instead of MyST.

    .venv/bin/python scripts/reader_notebooks.py --out DIR chapters/*.ipynb

The book's sources speak MyST (``{term}`sigmoid```, ``{cite}`muens2020```, ``{glue:text}`name:.3f```, fenced
directives for admonitions, exercises and solutions), which Jupyter, Colab and JupyterLite show as raw marks. A
reader notebook has the same code cells in the same order (so it runs top to bottom as the chapter did) and
Markdown any notebook renders:

- a glossary term in bold, linked to the glossary page; a citation as "Author (year)" linked to the references;
  a reference to another chapter as a link to its notebook; a glued value as its text;
- admonitions as block quotes (dropdowns as ``<details>``), theorems and proofs as quotes, exercises as headings,
  self-check questions as the question and its options with the answer in a collapsed ``<details>``;
- solutions after a heading, their cells collapsed; the hidden set-up and check cells collapsed, each opening with a
  one-line comment that says what it is.

``make book`` writes them over the download button's copies (``_build/html/_sources``) and into the in-browser site;
the deploy workflow publishes them on the branch the Binder, Colab and JupyterHub buttons open.
"""

from __future__ import annotations

import argparse
import ast
import copy
import json
import re
import sys
from functools import cache
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
#: Where the book is published (``html.baseurl`` in ``_config.yml``); links to its glossary and references.
DEFAULT_SITE = "https://logreg-book.github.io/logreg-book/"
READER_BRANCH = "reader-notebooks"

HIDDEN_TAGS = ("remove-cell", "remove-input", "hide-input")
SETUP_NOTE = "# Set-up (hidden in the book): nothing to change here."
CHECK_NOTE = "# Checks behind the numbers in the text (hidden in the book)."

ROLE = re.compile(r"\{(?P<role>[\w:-]+)\}`(?P<body>[^`]*)`")
FENCE = re.compile(r"^(?P<indent>\s*)(?P<fence>`{3,}|~{3,}|:{3,})\{(?P<name>[\w:-]+)\}\s*(?P<argument>.*)$")
ADMONITION_TITLES = {
    "note": "Note",
    "tip": "Tip",
    "hint": "Hint",
    "important": "Important",
    "warning": "Warning",
    "caution": "Caution",
    "attention": "Attention",
    "seealso": "See also",
}


def site_url(root: Path = ROOT) -> str:
    """The published book's address, from ``html.baseurl`` in ``_config.yml`` (with a trailing slash)."""
    match = re.search(r"^\s*baseurl:\s*\"?([^\"\s]+)", (root / "_config.yml").read_text(), re.M)
    url = match.group(1) if match else DEFAULT_SITE
    return url if url.endswith("/") else url + "/"


@cache
def glossary_terms(root: Path = ROOT) -> dict[str, str]:
    """Every term of ``glossary.md``, lower-cased -> as written (the ``{term}`` role matches case-insensitively)."""
    text = (root / "glossary.md").read_text()
    block = text.split("```{glossary}", 1)[-1].split("\n```", 1)[0]
    return {line.strip().lower(): line.strip() for line in block.split("\n") if line.strip() and not line[0].isspace()}


def anchor(text: str) -> str:
    """Sphinx's id of a glossary term: ``term-`` and the term as the glossary writes it, in Sphinx's id form."""
    from sphinx.util.nodes import _make_id

    return _make_id("term-" + glossary_terms().get(text.strip().lower(), text.strip()))


@cache
def bibliography(root: Path = ROOT) -> dict[str, str]:
    """Citation key -> "Author (year)", "A and B (year)" or "A et al. (year)" from ``references.bib``."""
    from pybtex.database import parse_file

    entries = {}
    for key, entry in parse_file(str(root / "references.bib")).entries.items():
        people = entry.persons.get("author") or entry.persons.get("editor") or []
        names = [" ".join(person.last_names) for person in people]
        if not names:
            who = entry.fields.get("organization", entry.fields.get("title", key))
        elif len(names) == 1:
            who = names[0]
        elif len(names) == 2:
            who = f"{names[0]} and {names[1]}"
        else:
            who = f"{names[0]} et al."
        who = who.replace("{", "").replace("}", "")
        entries[key] = f"{who} ({entry.fields.get('year', 'n.d.')})"
    return entries


@cache
def chapter_title(stem: str, root: Path = ROOT) -> str:
    path = root / "chapters" / f"{stem}.ipynb"
    if not path.is_file():
        path = root / f"{stem}.md"
        if not path.is_file():
            return stem.replace("_", " ")
        match = re.search(r"^# (.+)$", path.read_text(), re.M)
        return match.group(1).strip() if match else stem
    for cell in json.loads(path.read_text())["cells"]:
        match = re.search(r"^# (.+)$", "".join(cell["source"]), re.M)
        if cell["cell_type"] == "markdown" and match:
            return match.group(1).strip()
    return stem


def glued_values(notebook: dict) -> dict[str, object]:
    """Every value a notebook glued (in its stored outputs): numbers as numbers, anything else as its text."""
    values: dict[str, object] = {}
    for cell in notebook["cells"]:
        for output in cell.get("outputs", []):
            record = output.get("metadata", {}).get("scrapbook", {})
            if "name" in record:
                text = output.get("data", {}).get(record.get("mime_prefix", "") + "text/plain", "")
                text = "".join(text) if isinstance(text, list) else text
                try:
                    values[record["name"]] = ast.literal_eval(text)
                except (ValueError, SyntaxError):
                    values[record["name"]] = text.strip("'\"")
    return values


def _glued_text(body: str, values: dict[str, object]) -> str:
    name, _, spec = body.partition(":")
    if name.strip() not in values:
        raise KeyError(f"{name.strip()!r} is not glued in this notebook (execute it first)")
    value = values[name.strip()]
    try:
        return format(value, spec) if spec else str(value)
    except (TypeError, ValueError):
        return str(value)


def _link_text_and_target(body: str) -> tuple[str, str]:
    """``text <target>`` or ``target``."""
    match = re.fullmatch(r"\s*(.*?)\s*<([^>]+)>\s*", body, re.S)
    return (match.group(1), match.group(2)) if match else (body.strip(), body.strip())


def plain_roles(text: str, values: dict[str, object], site: str) -> str:
    """Every MyST role written as Markdown."""

    def replace(match: re.Match) -> str:
        role, body = match.group("role"), match.group("body")
        if role.startswith("glue"):
            return _glued_text(body, values)
        if role == "term":
            label, term = _link_text_and_target(body)
            return f"[**{label}**]({site}glossary.html#{anchor(term)})"
        if role == "cite":
            keys = [key.strip() for key in body.split(",")]
            return "; ".join(f"[{bibliography().get(key, key)}]({site}bibliography.html)" for key in keys)
        if role == "doc":
            label, target = _link_text_and_target(body)
            stem = target.rsplit("/", 1)[-1]
            label = chapter_title(stem) if label == target else label
            if (ROOT / "chapters" / f"{stem}.ipynb").is_file():
                return f"[{label}]({stem}.ipynb)"
            return f"[{label}]({site}{stem}.html)"
        if role in ("math",):
            return f"${body}$"
        label, _target = _link_text_and_target(body)
        return label  # ref, numref, eq, prf:ref and the rest: their text
    return ROLE.sub(replace, text)


def _quote(lines: list[str]) -> list[str]:
    return [("> " + line) if line.strip() else ">" for line in lines]


def _self_check(argument: str, body: list[str]) -> list[str]:
    """The question, its options, and the answer with the feedback in a collapsed block."""
    options, feedback, rest, answer = [], [], [], None
    for line in body:
        option = re.match(r"^\s*[-*] \[(?P<mark>[ xX])\]\s*(?P<text>.*)$", line)
        nested = re.match(r"^\s{2,}[-*]\s+(?P<text>.*)$", line)
        field = re.match(r"^:(answer|answer-glue|tolerance|label):\s*(.*)$", line.strip())
        if option:
            options.append((option.group("mark").lower() == "x", option.group("text")))
        elif nested and options:
            feedback.append((options[-1][1], nested.group("text")))
        elif field:
            if field.group(1) in ("answer", "answer-glue"):
                answer = (field.group(1), field.group(2))
        else:
            rest.append(line)
    out = ["> **Check yourself.** " + argument, ">"]
    letters = "abcdefghij"
    out += [f"> ({letters[i]}) {text}  " for i, (_right, text) in enumerate(options)]
    out += ["", "<details><summary>Answer</summary>", ""]
    right = [f"({letters[i]}) {text}" for i, (is_right, text) in enumerate(options) if is_right]
    if right:
        out.append("**Right:** " + ", ".join(right))
        out.append("")
    for option_text, why in feedback:
        out.append(f"- *{option_text}*: {why}")
    if answer is not None:
        out.append(f"**Answer:** {{ANSWER:{answer[0]}:{answer[1]}}}")
    out += ["", *[line for line in rest if line.strip() or True], "", "</details>"]
    return out


def plain_directives(source: str) -> list[str]:
    """Fenced MyST directives written as Markdown; ``(label)=`` targets and ``%`` comments removed."""
    out: list[str] = []
    lines = source.split("\n")
    index = 0
    while index < len(lines):
        line = lines[index]
        if re.fullmatch(r"\s*\([\w:.-]+\)=\s*", line) or line.lstrip().startswith("%"):
            index += 1
            continue
        match = FENCE.match(line)
        if not match:
            out.append(line)
            index += 1
            continue
        fence, name, argument = match.group("fence"), match.group("name"), match.group("argument").strip()
        body: list[str] = []
        index += 1
        depth = 0
        while index < len(lines):
            inner = lines[index]
            if FENCE.match(inner) and FENCE.match(inner).group("fence") == fence:
                depth += 1
            elif inner.strip() == fence:
                if depth == 0:
                    break
                depth -= 1
            body.append(inner)
            index += 1
        index += 1  # the closing fence
        options = {m.group(1): m.group(2) for m in (re.match(r"^:([\w-]+):\s*(.*)$", b.strip()) for b in body) if m}
        content = [b for b in body if not re.match(r"^\s*:[\w-]+:", b) or name == "self-check"]
        content = plain_directives("\n".join(content)) if name != "self-check" else content
        if name == "self-check":
            out += _self_check(argument, body)
        elif name in ("solution-start",):
            out += ["#### Solution", "", "*The cells below hold the solution (collapsed): expand them to read it.*"]
        elif name == "solution-end":
            continue
        elif name == "exercise":
            out += [f"### Exercise: {argument}", "", *content]  # numbered by reader_notebook()
        elif name in ("prf:theorem", "prf:lemma", "prf:proposition", "prf:definition", "prf:corollary"):
            kind = name.split(":")[1].capitalize()
            title = f"**{kind}** ({argument})." if argument else f"**{kind}.**"
            out += _quote([title, *content])
        elif name == "prf:proof":
            out += _quote(["*Proof.*", *content, "∎"])
        elif name in ("math",):
            out += ["$$", *content, "$$"]
        elif "dropdown" in options.get("class", ""):
            out += [f"<details><summary>{argument or 'More'}</summary>", "", *content, "", "</details>"]
        elif name == "admonition" or name in ADMONITION_TITLES:
            title = argument or ADMONITION_TITLES.get(name, "Note")
            out += _quote([f"**{title}**", "", *content])
        else:
            out += content
    return out


def _equation_labels(text: str) -> str:
    """``$$ ... $$ (label)`` -> ``$$ ... $$``."""
    return re.sub(r"\$\$\s*\([\w:.-]+\)", "$$", text)


def reader_markdown(source: str, values: dict[str, object], site: str) -> str:
    text = "\n".join(plain_directives(source))
    text = _equation_labels(plain_roles(text, values, site))

    def answer(match: re.Match) -> str:
        kind, value = match.group(1), match.group(2).strip()
        return _glued_text(value, values) if kind == "answer-glue" else value

    return re.sub(r"\{ANSWER:(answer|answer-glue):([^}]*)\}", answer, text)


def _collapse(cell: dict, outputs_too: bool = False) -> None:
    jupyter = cell.setdefault("metadata", {}).setdefault("jupyter", {})
    jupyter["source_hidden"] = True
    if outputs_too:
        jupyter["outputs_hidden"] = True


def _source_lines(text: str) -> list[str]:
    parts = text.split("\n")
    return [line + "\n" for line in parts[:-1]] + [parts[-1]]


def reader_notebook(notebook: dict, site: str | None = None) -> dict:
    """The reader's version of an executed chapter notebook (a new dict; the input is unchanged)."""
    site = site or site_url()
    values = glued_values(notebook)
    result = copy.deepcopy(notebook)
    in_solution = False
    exercises = 0
    for cell in result["cells"]:
        source = "".join(cell["source"])
        tags = set(cell.get("metadata", {}).get("tags", []))
        if cell["cell_type"] == "markdown":
            if "{solution-start}" in source:
                in_solution = True
            if "{solution-end}" in source:
                in_solution = False
            text = reader_markdown(source, values, site).strip("\n")
            while "### Exercise: " in text:
                exercises += 1
                text = text.replace("### Exercise: ", f"### Exercise {exercises}: ", 1)
            cell["source"] = _source_lines(text)
            continue
        if cell["cell_type"] != "code":
            continue
        if tags & set(HIDDEN_TAGS):
            is_setup = cell.get("metadata", {}).get("colab_install") or "Set-up" in source.split("\n")[0]
            if not source.lstrip().startswith("#"):
                note = SETUP_NOTE if is_setup else CHECK_NOTE
                cell["source"] = _source_lines(note + "\n" + source)
            _collapse(cell)
        elif in_solution:
            _collapse(cell, outputs_too=True)
    result["cells"] = [cell for cell in result["cells"] if cell["cell_type"] == "code" or "".join(cell["source"])]
    return result


#: What a reader notebook never contains: a MyST role, a fenced directive, a directive option or a target.
RAW_MYST = re.compile(
    r"\{[\w:-]+\}`|^\s*(?:`{3,}|:{3,})\{|^\s*:(?:class|label|name|tolerance|answer):|^\([\w:.-]+\)=$", re.M
)


def raw_myst(notebook: dict) -> list[str]:
    """The raw MyST left in a notebook's markdown cells (empty for a reader notebook)."""
    found = []
    for cell in notebook["cells"]:
        if cell["cell_type"] == "markdown":
            found += [match.group(0) for match in RAW_MYST.finditer("".join(cell["source"]))]
    return found


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("notebooks", nargs="+", type=Path)
    parser.add_argument("--out", type=Path, required=True, help="folder for the reader notebooks")
    parser.add_argument("--site", default=None, help="the published book's address (default: html.baseurl)")
    args = parser.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    for path in args.notebooks:
        reader = reader_notebook(json.loads(path.read_text()), args.site)
        leftover = raw_myst(reader)
        if leftover:
            print(f"{path}: raw MyST left: {leftover[:5]}", file=sys.stderr)
            return 1
        (args.out / path.name).write_text(json.dumps(reader, indent=1, ensure_ascii=False) + "\n")
    print(f"{len(args.notebooks)} reader notebook(s) in {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

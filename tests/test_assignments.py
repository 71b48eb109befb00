"""Classroom assignments: seven sources that otter builds, hides and grades; the reference solutions score full marks.

(``odds_likelihood``'s solution is graded in ``test_classroom.py``, as the full submission of its class run.)
"""

from __future__ import annotations

import ast
import json
import re
import shutil
import subprocess
import sys
import zipfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
import yaml

import classroom
import classroom.lite
from classroom.sources import ROOT, SOURCES

NAMES = classroom.assignment_names()
TOPICS = ["evaluating_classifier", "gradient_descent", "marks_end_to_end", "odds_likelihood", "regularisation",
          "sigmoid_log_loss", "softmax"]
PIP_LINE = 'pip install "logreg @ git+https://github.com/logreg-book/logreg-book@main"'
GRADED_ELSEWHERE = {"odds_likelihood"}


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("assignments")
    paths = classroom.build_all(out, check_solutions=False)  # the solutions are graded below instead
    assert [path.name for path in paths] == NAMES
    return out


@pytest.fixture(scope="module")
def solution_reports(built) -> dict[str, classroom.Report]:
    """Every reference solution graded in the sandbox, two at a time."""
    names = [name for name in NAMES if name not in GRADED_ELSEWHERE]

    def grade(name: str) -> classroom.Report:
        return classroom.grade(built / name / "autograder" / f"{name}.ipynb", name, built)

    with ThreadPoolExecutor(2) as pool:
        return dict(zip(names, pool.map(grade, names), strict=True))


def test_seven_topics_each_with_autograded_and_written_questions():
    assert NAMES == TOPICS
    for name in NAMES:
        asked = classroom.questions(name)
        assert sum(q.manual for q in asked) >= 1, f"{name} has a written question"
        assert sum(not q.manual for q in asked) >= 2, f"{name} has autograded questions"


def source_tests(name: str) -> list[tuple[str, dict, str]]:
    """(question, test config, test code) for every test cell of a source notebook."""
    found, question, inside = [], None, False
    for cell in json.loads((SOURCES / name / f"{name}.ipynb").read_text())["cells"]:
        text = "".join(cell["source"])
        if cell["cell_type"] == "raw" and text.startswith("# BEGIN QUESTION"):
            question = yaml.safe_load(text.split("\n", 1)[1])["name"]
        elif cell["cell_type"] == "raw" and text.strip() in ("# BEGIN TESTS", "# END TESTS"):
            inside = text.strip() == "# BEGIN TESTS"
        elif inside and cell["cell_type"] == "code":
            match = re.match(r'""" # BEGIN TEST CONFIG\n(.*?)""" # END TEST CONFIG\n(.*)', text, re.DOTALL)
            assert match, f"{name} {question}: every test starts with a test config (hidden, failure_message)"
            found.append((question, yaml.safe_load(match.group(1)), match.group(2)))
    return found


@pytest.mark.parametrize("name", NAMES)
def test_every_question_has_public_and_hidden_assert_tests_with_hints(name):
    tests = source_tests(name)
    for question in {q.name for q in classroom.questions(name) if not q.manual}:
        kinds = {config["hidden"] for q, config, _ in tests if q == question}
        assert kinds == {True, False}, f"{name} {question} needs public and hidden tests (partial credit)"
    for question, config, code in tests:
        assert len(config["failure_message"]) > 20, f"{name} {question}: a hint says what was wrong"
        statements = ast.parse(code).body
        assert any(isinstance(node, ast.Assert) for node in ast.walk(ast.Module(statements, [])))
        # an expression statement would be a doctest comparing printed output: tests are asserts
        assert not [node for node in statements if isinstance(node, ast.Expr)], f"{name} {question}: {code}"


def solution_lines(name: str) -> list[str]:
    """The substantial code lines between ``# BEGIN SOLUTION`` and ``# END SOLUTION`` in a source notebook."""
    lines, inside = [], False
    for cell in json.loads((SOURCES / name / f"{name}.ipynb").read_text())["cells"]:
        if cell["cell_type"] != "code":
            continue
        for line in "".join(cell["source"]).splitlines():
            if line.strip() in ("# BEGIN SOLUTION", "# END SOLUTION"):
                inside = line.strip() == "# BEGIN SOLUTION"
            elif inside and len(line.strip()) > 15:
                lines.append(line.strip())
    return lines


def strings(value) -> list[str]:
    """Every string inside a JSON document."""
    if isinstance(value, str):
        return [value]
    items = value.values() if isinstance(value, dict) else value if isinstance(value, list) else []
    return [text for item in items for text in strings(item)]


@pytest.mark.parametrize("name", NAMES)
def test_student_notebook_has_no_solutions_or_hidden_tests(built, name):
    student = json.loads((built / name / "student" / f"{name}.ipynb").read_text())
    code = "\n".join("".join(cell["source"]) for cell in student["cells"] if cell["cell_type"] == "code")
    everything = "\n".join(strings(student))  # sources, and the public tests otter stores in the metadata
    assert solution_lines(name), "the source has solutions to hide"
    assert [line for line in solution_lines(name) if line in code] == []
    for leaked in ("BEGIN SOLUTION", "hidden: true", "BEGIN TESTS", "BEGIN TEST CONFIG"):
        assert leaked not in everything, f"{leaked!r} leaked into the student notebook"
    hidden = [code for _, config, code in source_tests(name) if config["hidden"]]
    assert [test for test in hidden if test.strip().splitlines()[-1] in everything] == []
    first = "".join(student["cells"][0]["source"])
    assert student["cells"][0]["cell_type"] == "markdown" and PIP_LINE in first, "first cell: how to get logreg"
    assert f'grader = otter.Notebook("{name}.ipynb")' in code and "grader.check_all()" in code


@pytest.mark.parametrize("name", [name for name in NAMES if name not in GRADED_ELSEWHERE])
def test_solution_gets_full_marks(solution_reports, name):
    report = solution_reports[name]
    assert report.status == "graded", report.status
    assert report.total == report.possible == sum(q.points for q in classroom.questions(name) if not q.manual)
    assert [test for test in report.tests if not test.passed] == [] and report.notes == []
    assert list(report.manual) == [q.name for q in classroom.questions(name) if q.manual]


def run_cells(notebook: dict) -> None:
    """Execute a notebook's code cells in one namespace, in this process, as a student would run them: an error in
    an answer cell is shown and the student goes on; an error in a check cell stops here (the browser set-up cell,
    which does nothing outside the browser, is skipped)."""
    namespace: dict = {}
    for cell in notebook["cells"]:
        source = "".join(cell["source"])
        if cell["cell_type"] != "code" or "lite-setup" in cell.get("metadata", {}).get("tags", []):
            continue
        try:
            exec(compile(source, "<cell>", "exec"), namespace)
        except Exception:
            if source.startswith("# public checks"):
                raise


def last_statement(test: str) -> str:
    """A test's last statement as otter stores it (it re-renders tests with ``ast.unparse``)."""
    return ast.unparse(ast.parse(test).body[-1])


@pytest.mark.parametrize("name", NAMES)
def test_browser_version_runs_the_public_checks_as_plain_asserts(built, name):
    student = json.loads((built / name / "student-lite" / f"{name}.ipynb").read_text())
    code = "\n".join("".join(cell["source"]) for cell in student["cells"] if cell["cell_type"] == "code")
    assert not re.search(r"^\s*(grader\.|import otter|.*otter\.Notebook\()", code, re.MULTILINE)
    assert student["metadata"]["otter"]["assignment_name"] == name, "the browser version can be handed in too"
    public = [code for _, config, code in source_tests(name) if not config["hidden"]]
    hidden = [code for _, config, code in source_tests(name) if config["hidden"]]
    assert all(last_statement(test) in code for test in public)
    assert not [test for test in hidden if last_statement(test) in code]
    # the reference solution passes every public check; the untouched notebook fails the first with its hint
    tests = json.loads((built / name / "student" / f"{name}.ipynb").read_text())["metadata"]["otter"]["tests"]
    solution = json.loads((built / name / "autograder" / f"{name}.ipynb").read_text())
    run_cells(classroom.lite.browser_version(solution, tests))
    with pytest.raises(AssertionError, match=r"^q1, check 1: .{20}"):
        run_cells(student)


@pytest.mark.parametrize("name", NAMES)
def test_autograder_zip_has_what_gradescope_runs(built, name):
    bundle = classroom.autograder_zip(name, built)
    with zipfile.ZipFile(bundle) as archive:
        members = set(archive.namelist())
        assert {"run_autograder", "run_otter.py", "setup.sh", "environment.yml", "otter_config.json"} <= members
        autograded = [q.name for q in classroom.questions(name) if not q.manual]
        assert {f"tests/{question}.py" for question in autograded} <= members
        config = json.loads(archive.read("otter_config.json"))
        assert config["assignment_name"] == name and config["lang"] == "python"
        assert "/autograder/source/run_otter.py" in archive.read("run_autograder").decode()
        assert "environment.yml" in archive.read("setup.sh").decode()
        environment = yaml.safe_load(archive.read("environment.yml"))
        pip = next(item["pip"] for item in environment["dependencies"] if isinstance(item, dict))
        assert "python=3.11" in environment["dependencies"]
        assert any(req.startswith("otter-grader") for req in pip)
        assert "logreg @ https://github.com/logreg-book/logreg-book/archive/refs/heads/main.zip" in pip
        assert {"numpy>=2", "scikit-learn>=1.6"} <= set(pip)
        tests = "".join(archive.read(member).decode() for member in members if member.startswith("tests/"))
        assert "'hidden': True" in tests and not [line for line in solution_lines(name) if line in tests]


def test_logreg_wheel_carries_metadata_and_no_classroom(tmp_path):
    source = tmp_path / "source"
    source.mkdir()
    for name in ("pyproject.toml", "README.md", "LICENSE"):
        shutil.copy(ROOT / name, source / name)
    for package in ("logreg", "classroom"):
        shutil.copytree(ROOT / package, source / package, ignore=shutil.ignore_patterns("__pycache__"))
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "--no-cache-dir", "--quiet",
         "--disable-pip-version-check", "-w", str(tmp_path / "dist"), str(source)],
        check=True, capture_output=True, timeout=120,
    )
    wheel = next((tmp_path / "dist").glob("logreg-*.whl"))
    with zipfile.ZipFile(wheel) as archive:
        names = archive.namelist()
        metadata = archive.read(next(n for n in names if n.endswith(".dist-info/METADATA"))).decode()
    assert "logreg/__init__.py" in names and "logreg/softmax.py" in names
    assert not [n for n in names if n.startswith("classroom")], "the grading tools stay out of the learners' package"
    assert any(n.endswith(".dist-info/licenses/LICENSE") or n.endswith(".dist-info/LICENSE") for n in names)
    assert "Name: logreg" in metadata and "Requires-Dist: numpy>=2" in metadata
    assert not re.search(r"Requires-Dist: (otter|tqdm|pyyaml)", metadata, re.IGNORECASE)


def test_logreg_never_imports_the_grading_tools():
    assert not (ROOT / "logreg" / "classroom.py").exists()
    for path in (ROOT / "logreg").glob("*.py"):
        text = path.read_text()
        assert not re.search(r"^\s*(import|from)\s+(classroom|otter|tqdm)\b", text, re.MULTILINE), path.name


def test_licences_and_citation():
    mit = (ROOT / "LICENSE").read_text()
    assert mit.startswith("MIT License") and "Permission is hereby granted, free of charge" in mit
    cc_by = (ROOT / "LICENSES" / "CC-BY-4.0.txt").read_text()
    assert "Attribution 4.0 International" in cc_by and "Section 1 -- Definitions." in cc_by
    readme = (ROOT / "README.md").read_text()
    assert "## Licence" in readme and "LICENSES/CC-BY-4.0.txt" in readme and "`classroom/`" in readme
    citation = yaml.safe_load((ROOT / "CITATION.cff").read_text())
    assert citation["cff-version"] == "1.2.0"
    for key in ("message", "title", "authors"):
        assert citation[key], f"CITATION.cff needs {key}"
    assert all("name" in author or "family-names" in author for author in citation["authors"])
    assert citation["license"] == ["MIT", "CC-BY-4.0"] and citation["type"] == "software"
    assert citation["repository-code"] == "https://github.com/logreg-book/logreg-book"


CHAPTER_STYLE_TABLE = '''
def reliability_table(y_true, p, n_bins=5):
    edges = np.linspace(0, 1, n_bins + 1)  # the evaluation chapter's bins: (left, right], as calibration_curve
    bins = np.searchsorted(edges[1:-1], p)
    counts = np.bincount(bins, minlength=n_bins)
    occupied = counts > 0
    observed = np.bincount(bins, weights=y_true, minlength=n_bins)[occupied] / counts[occupied]
    predicted = np.bincount(bins, weights=p, minlength=n_bins)[occupied] / counts[occupied]
    return list(zip(predicted, observed, counts[occupied]))
'''
UPPER_BIN_TABLE = '''
def reliability_table(y_true, p, n_bins=5):
    y_true, p = np.asarray(y_true), np.asarray(p)
    which = np.minimum((p * n_bins).astype(int), n_bins - 1)  # [left, right): an edge goes to the upper bin
    inside = [which == k for k in range(n_bins)]
    return [(float(p[i].mean()), float(y_true[i].mean()), int(i.sum())) for i in inside if i.any()]
'''


def calibration_outcomes(answer: str) -> list[bool]:
    """Which of evaluating_classifier's question-3 tests (public and hidden) pass for ``answer``."""
    name = "evaluating_classifier"
    cells = [
        "".join(cell["source"])
        for cell in json.loads((SOURCES / name / f"{name}.ipynb").read_text())["cells"]
        if cell["cell_type"] == "code"
    ]
    setup = next(cell for cell in cells if "load_breast_cancer()" in cell)
    namespace: dict = {}
    exec(setup, namespace)
    exec(answer + "\ntable = reliability_table(y_test, p_test)\nbrier = float(np.mean((p_test - y_test) ** 2))",
         namespace)
    outcomes = []
    for _, _, code in [test for test in source_tests(name) if test[0] == "q3"]:
        try:
            exec(code, dict(namespace))
            outcomes.append(True)
        except AssertionError:
            outcomes.append(False)
    return outcomes


def test_calibration_bins_follow_calibration_curve_and_the_chapter():
    """A reliability table written as the evaluation chapter writes it passes every test of question 3; the
    convention the tests once required (an edge in the upper bin) fails the edge test."""
    assert calibration_outcomes(CHAPTER_STYLE_TABLE) == [True, True, True]
    assert calibration_outcomes(UPPER_BIN_TABLE) == [True, True, False]

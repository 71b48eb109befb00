"""What a teacher collects: checks that a file is a notebook for the right assignment before anything runs it."""

from __future__ import annotations

import json
import re
from pathlib import Path


class SubmissionError(ValueError):
    """A submission that cannot be graded: missing, empty, not a notebook, corrupt, or for another assignment."""


def student_name(path: Path) -> str:
    """The student a file belongs to, from its name: ``ada_lovelace.ipynb`` -> ``ada_lovelace``.

    Characters other than letters, digits, ``.``, ``_`` and ``-`` become ``_`` so the name is safe as a file name.
    """
    return re.sub(r"[^\w.-]", "_", Path(path).stem, flags=re.ASCII) or "_"


def check_submission(submission: Path, assignment: str) -> None:
    """Raise :class:`SubmissionError` with a one-line reason unless ``submission`` is a notebook for ``assignment``."""
    submission = Path(submission)
    if not submission.is_file():
        raise SubmissionError(f"{submission.name} does not exist")
    if submission.suffix != ".ipynb":
        raise SubmissionError(f"{submission.name} is not a Jupyter notebook (.ipynb); submit the notebook itself")
    if submission.stat().st_size == 0:
        raise SubmissionError(f"{submission.name} is empty (0 bytes)")
    try:
        notebook = json.loads(submission.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise SubmissionError(f"{submission.name} is not a valid notebook: it is not readable JSON ({error})") from None
    if not isinstance(notebook, dict) or not isinstance(notebook.get("cells"), list):
        raise SubmissionError(f"{submission.name} is not a valid notebook: it has no list of cells")
    metadata = notebook.get("metadata")
    otter = metadata.get("otter") if isinstance(metadata, dict) else None
    meant_for = otter.get("assignment_name") if isinstance(otter, dict) else None
    if meant_for is None:  # otter refuses these too, after starting up
        raise SubmissionError(
            f"{submission.name} is not a student notebook of an assignment (it has no otter metadata); "
            "start from the notebook that was handed out"
        )
    if meant_for != assignment:
        raise SubmissionError(f"{submission.name} is a submission for assignment {meant_for!r}, not {assignment!r}")

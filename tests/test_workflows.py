"""The GitHub workflows parse and call the repository's own commands (they cannot run here)."""

from pathlib import Path

import yaml

WORKFLOWS = Path(__file__).resolve().parent.parent / ".github" / "workflows"


def steps(name: str) -> list[dict]:
    workflow = yaml.safe_load((WORKFLOWS / name).read_text())
    assert workflow[True if True in workflow else "on"], "the workflow has triggers"  # YAML reads `on:` as True
    return [step for job in workflow["jobs"].values() for step in job.get("steps", [])]


def test_ci_runs_make_test():
    commands = [step.get("run", "") for step in steps("ci.yml")]
    assert "make test" in commands


def test_deploy_builds_with_make_book_and_publishes_the_html():
    all_steps = steps("deploy.yml")
    assert "make book" in [step.get("run", "") for step in all_steps]
    upload = [step for step in all_steps if step.get("uses", "").startswith("actions/upload-pages-artifact")]
    assert upload and upload[0]["with"]["path"] == "_build/html"


def test_deploy_builds_the_pdf_and_publishes_it_with_the_site():
    all_steps = steps("deploy.yml")
    commands = [step.get("run", "") for step in all_steps]
    pdf = next(i for i, command in enumerate(commands) if "make pdf" in command)
    upload = next(i for i, step in enumerate(all_steps) if step.get("uses", "").startswith("actions/upload-pages"))
    assert commands.index("make book") < pdf < upload, "the PDF is built after the book and before the upload"
    makefile = (WORKFLOWS.parent.parent / "Makefile").read_text()
    assert "cp _build/latex/$(PDF_NAME).pdf _build/html/" in makefile, "make pdf puts the PDF into the site"

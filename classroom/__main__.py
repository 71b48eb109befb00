"""``python -m classroom``: build assignments, grade one submission, or grade a whole class (run from the repo root).

    python -m classroom build [NAME ...]               student notebooks + autograders into _build/assignments
    python -m classroom grade SUBMISSION.ipynb NAME    one submission, scores printed
    python -m classroom grade-all FOLDER NAME          every file of FOLDER into FOLDER/../graded/NAME/
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from classroom.build import build_many
from classroom.grade import grade
from classroom.gradebook import grade_all
from classroom.sandbox import Limits, SandboxUnavailable
from classroom.sources import BUILD, ROOT, assignment_names


def _limits(args: argparse.Namespace) -> Limits:
    return Limits(cpu_seconds=args.cpu_seconds, wall_seconds=args.wall_seconds,
                  memory_bytes=int(args.memory_gb * 2**30), call_seconds=args.call_seconds)


def parser() -> argparse.ArgumentParser:
    main = argparse.ArgumentParser(prog="python -m classroom", description=__doc__.splitlines()[0].replace("``", ""),
                                   formatter_class=argparse.RawDescriptionHelpFormatter,
                                   epilog="\n".join(__doc__.splitlines()[2:]))
    commands = main.add_subparsers(dest="command", required=True)
    building = commands.add_parser("build", help="build assignments into _build/assignments")
    building.add_argument("names", nargs="*", help="assignments to build (default: all)")
    building.add_argument("--no-check", action="store_true", help="skip running the tests on the solutions")
    one = commands.add_parser("grade", help="grade one submission")
    one.add_argument("submission", type=Path)
    one.add_argument("assignment", choices=assignment_names())
    many = commands.add_parser("grade-all", help="grade every file of a folder into a gradebook")
    many.add_argument("folder", type=Path)
    many.add_argument("assignment", choices=assignment_names())
    many.add_argument("--workers", type=int, default=2, help="gradings at once (default 2)")
    for command in (one, many):
        command.add_argument("--build", type=Path, default=BUILD, metavar="DIR",
                             help="where the assignments were built (default _build/assignments)")
        limits = Limits()
        command.add_argument("--cpu-seconds", type=float, default=limits.cpu_seconds, help="CPU time per process")
        command.add_argument("--wall-seconds", type=float, default=limits.wall_seconds, help="per submission")
        command.add_argument("--call-seconds", type=float, default=limits.call_seconds,
                             help="each call from the tests into the submission's code")
        command.add_argument("--memory-gb", type=float, default=limits.memory_bytes / 2**30,
                             help="address space per process")
        command.add_argument("--no-sandbox", action="store_true",
                             help="run student code unconfined (only where bubblewrap cannot run; see teachers.md)")
    return main


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    try:
        if args.command == "build":
            for path in build_many(args.names or assignment_names(), check_solutions=not args.no_check):
                print(f"built {path.relative_to(ROOT)}: student/ to hand out, autograder/ to keep")
            return 0
        if args.no_sandbox:
            print("warning: grading WITHOUT the sandbox: student code runs with your permissions", file=sys.stderr)
        if args.command == "grade":
            report = grade(args.submission, args.assignment, args.build, limits=_limits(args),
                           use_sandbox=not args.no_sandbox)
            print(report)
            return 0 if report.graded else 2
        grade_all(args.folder, args.assignment, args.build, workers=args.workers, limits=_limits(args),
                  use_sandbox=not args.no_sandbox)
        return 0
    except (ValueError, RuntimeError, SandboxUnavailable) as error:
        print(f"error: {error}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    raise SystemExit(main())

"""nbval, with the numbers in outputs compared as numbers.

nbval compares a cell's new output with the stored one as text. The last printed digits of a floating-point result
depend on the CPU and the BLAS kernel that computed it (``OPENBLAS_CORETYPE=SkylakeX make nbval`` shows it), so an
exact comparison fails a correct book on a learner's machine. This plugin keeps nbval (it still executes every
notebook and compares every output) and changes one thing: each output's text is split into numbers and the text
between them; the text must match exactly (runs of spaces and tabs count as one space and the padding next to a
number is ignored, because a number's width moves the columns of a printed table), integers must match exactly,
and every other number must agree within a relative tolerance ``RTOL`` with an absolute floor ``ATOL`` for values
near zero.

The same idea as pytest-doctestplus's ``FLOAT_CMP`` for doctests; it is written out here because nbval has no hook
for a comparator and FLOAT_CMP recognises a number only between a fixed set of separators (``97.4%`` or ``1.5x``
would stay text and fail on a last-digit change).

The plugin is loaded by the repository's root ``conftest.py``; it wraps nbval's ``IPyNbCell.sanitize`` so that
the sanitised strings nbval then compares with ``!=`` compare numerically.
"""

from __future__ import annotations

import re

RTOL = 1e-6
ATOL = 1e-15  # below it a value is rounding noise: a sum of terms of size 1 carries about 1e-16

#: A decimal number (sign, digits, point, exponent) that is not part of a word, an identifier (``x1``) or a
#: version number (``1.9.1``). A full stop that ends a sentence is not part of the number.
NUMBER = re.compile(r"(?<![\w.])([-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?)(?!\w)(?!\.\d)")
_SPACES = re.compile(r"[ \t]+")


def _is_integer(token: str) -> bool:
    return re.fullmatch(r"[-+]?\d+", token) is not None


def _text(part: str, index: int, n_parts: int) -> str:
    """Text between numbers, without the padding next to a number (a column's width changes with its numbers)."""
    if index > 0:
        part = part.lstrip(" \t")
    if index < n_parts - 1:
        part = part.rstrip(" \t")
    return _SPACES.sub(" ", part)


def numbers_agree(expected: str, actual: str, rtol: float = RTOL, atol: float = ATOL) -> bool:
    """Do two number tokens agree? Integers exactly; decimals within ``max(rtol * max(|a|, |b|), atol)``."""
    if _is_integer(expected) or _is_integer(actual):
        return _is_integer(expected) and _is_integer(actual) and int(expected) == int(actual)
    a, b = float(expected), float(actual)
    return a == b or abs(a - b) <= max(rtol * max(abs(a), abs(b)), atol)


def outputs_agree(expected: str, actual: str, rtol: float = RTOL, atol: float = ATOL) -> bool:
    """Does a new output's text agree with the stored one: the same words, the same numbers within tolerance?"""
    if expected == actual:
        return True
    expected_parts = NUMBER.split(expected)  # text, number, text, number, ..., text
    actual_parts = NUMBER.split(actual)
    if len(expected_parts) != len(actual_parts):
        return False
    for index, (left, right) in enumerate(zip(expected_parts, actual_parts, strict=True)):
        if index % 2:
            if not numbers_agree(left, right, rtol, atol):
                return False
        elif _text(left, index, len(expected_parts)) != _text(right, index, len(actual_parts)):
            return False
    return True


class NumericText(str):
    """A string whose ``==`` and ``!=`` are :func:`outputs_agree` (nbval compares sanitised outputs with ``!=``)."""

    __hash__ = str.__hash__

    def __eq__(self, other: object) -> bool:
        return isinstance(other, str) and outputs_agree(str(self), str(other))

    def __ne__(self, other: object) -> bool:
        return not self.__eq__(other)


def pytest_configure(config) -> None:
    if not config.getoption("nbval", default=False) and not config.getoption("nbval_lax", default=False):
        return
    from nbval.plugin import IPyNbCell

    if getattr(IPyNbCell.sanitize, "compares_numbers", False):
        return
    original = IPyNbCell.sanitize

    def sanitize(self, text):
        clean = original(self, text)
        return NumericText(clean) if isinstance(clean, str) else clean

    sanitize.compares_numbers = True
    IPyNbCell.sanitize = sanitize

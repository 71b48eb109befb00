"""The book's data sets: fetched once with pooch (sha256-checked, cached) or read from a local mirror.

The Palmer penguins come from the PyPI package ``palmerpenguins``, which ships them: nothing is downloaded.
Set the environment variable ``LOGREG_DATA_DIR`` to a folder holding the files (an offline mirror, as in
CI); it is used before any download. ``LOGREG_CACHE_DIR`` overrides where downloads are cached.
"""

from __future__ import annotations

import hashlib
import importlib.resources
import os
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pooch
import sklearn.datasets
from numpy.typing import NDArray

if TYPE_CHECKING:
    import pandas as pd


class DataFileError(ValueError):
    """A data file is missing, cannot be downloaded, or is not the file it should be."""


@dataclass(frozen=True)
class RemoteFile:
    """Where a data file comes from and what it must hash to."""

    name: str
    url: str
    sha256: str


MARKS = RemoteFile(
    name="marks.txt",
    url="https://raw.githubusercontent.com/animesh-agarwal/Machine-Learning/master/LogisticRegression/data/marks.txt",
    sha256="ed7298995232c17a7f1bc50c9807cb7216337563e4a7c00bfcaa8f5d6bd32f02",
)

#: Ng's ex2data2.txt at a pinned commit (byte-identical to the course file; its first line ends with a space).
MICROCHIPS = RemoteFile(
    name="microchips.txt",
    url=(
        "https://raw.githubusercontent.com/anastasiiakhil/Andrew_Ng_ML/"
        "d1fa06000c00295cf9ca0a0412189ee4f857bbb9/ml_ex2/ex2data2.txt"
    ),
    sha256="39b91f85acd6fd40ec1f0d87d91e17cba20024d63ceeb6f3bda1646d6e2607be",
)


#: sha256 of data/penguins.csv in ``palmerpenguins==0.1.6`` (Nakhaee's Python port of Horst, Hill & Gorman's R package)
PENGUINS_SHA256 = "f204db2c753b0937caac3cb35258562c14f073e4bbc76be24b4c51ce22767a93"
PENGUINS_COLUMNS = (
    "species",
    "island",
    "bill_length_mm",
    "bill_depth_mm",
    "flipper_length_mm",
    "body_mass_g",
    "sex",
    "year",
)


def sha256_of(path: Path) -> str:
    """Hex sha256 of a file's bytes."""
    return hashlib.sha256(path.read_bytes()).hexdigest()


def cache_dir() -> Path:
    """Where downloads are kept: ``LOGREG_CACHE_DIR`` or the operating system's cache folder."""
    return Path(os.environ.get("LOGREG_CACHE_DIR") or pooch.os_cache("logreg"))


def fetch(remote: RemoteFile) -> Path:
    """Path to a verified local copy of ``remote``: from the mirror if one is set, else downloaded once."""
    mirror = os.environ.get("LOGREG_DATA_DIR")
    if mirror:
        candidate = Path(mirror).expanduser() / remote.name
        if candidate.is_file():
            actual = sha256_of(candidate)
            if actual != remote.sha256:
                raise DataFileError(
                    f"{candidate} is corrupt or a different file: sha256 {actual} != expected {remote.sha256}. "
                    f"Replace it with a fresh copy of {remote.url}, or unset LOGREG_DATA_DIR to download it."
                )
            return candidate
    try:
        return Path(
            pooch.retrieve(
                remote.url,
                known_hash=f"sha256:{remote.sha256}",
                fname=remote.name,
                path=cache_dir(),
                progressbar=False,
            )
        )
    except ValueError as error:  # pooch's hash mismatch
        raise DataFileError(
            f"downloaded {remote.name} does not match its sha256 ({error}); the file at {remote.url} has "
            "changed. Put a verified copy in a folder and point LOGREG_DATA_DIR at it."
        ) from None
    except Exception as error:  # network failures come as many types (requests, urllib3, OSError)
        where = f"{mirror!r} has no {remote.name} and " if mirror else ""
        raise DataFileError(
            f"cannot get {remote.name}: {where}downloading {remote.url} failed ({type(error).__name__}: {error}). "
            f"Offline? Copy the file into a folder and set LOGREG_DATA_DIR to that folder."
        ) from None


def _load_labelled_table(remote: RemoteFile, n_rows: int) -> tuple[NDArray[np.float64], NDArray[np.int64]]:
    """Fetch ``remote`` and split its comma-separated table into two feature columns and 0/1 labels."""
    path = fetch(remote)
    try:
        table = np.loadtxt(path, delimiter=",", ndmin=2)  # float() ignores the stray trailing space in ex2data2
    except ValueError as error:
        raise DataFileError(f"{path} is not a comma-separated table of numbers ({error})") from None
    if table.shape != (n_rows, 3):
        raise DataFileError(f"{path} should hold {n_rows} rows of 3 numbers; got shape {table.shape}")
    return table[:, :2], table[:, 2].astype(np.int64)


def load_marks() -> tuple[NDArray[np.float64], NDArray[np.int64]]:
    """Andrew Ng's exam-scores data (ex2data1): ``X`` (100, 2) two exam scores, ``y`` admitted (1) or not (0)."""
    return _load_labelled_table(MARKS, 100)


def load_microchips() -> tuple[NDArray[np.float64], NDArray[np.int64]]:
    """Andrew Ng's microchip data (ex2data2): ``X`` (118, 2) two test results, ``y`` passed QA (1) or not (0).

    58 of the 118 chips passed. The classes are not linearly separable in ``X``: Ng's exercise fits them with
    the 28 polynomial features of degree at most 6 (``sklearn.preprocessing.PolynomialFeatures(6)``).
    """
    return _load_labelled_table(MICROCHIPS, 118)


def load_breast_cancer() -> tuple[NDArray[np.float64], NDArray[np.int64]]:
    """The Wisconsin diagnostic breast-cancer data shipped with scikit-learn (no download).

    ``X`` (569, 30) cell-nucleus measurements, ``y`` 1 = benign, 0 = malignant (scikit-learn's coding).
    Names are in :func:`breast_cancer_names`.
    """
    bunch = sklearn.datasets.load_breast_cancer()
    return bunch.data, bunch.target.astype(np.int64)


def breast_cancer_names() -> tuple[list[str], list[str]]:
    """The 30 feature names and the two class names (index 0 = malignant, 1 = benign)."""
    bunch = sklearn.datasets.load_breast_cancer()
    return list(bunch.feature_names), list(bunch.target_names)


def load_penguins() -> pd.DataFrame:
    """The Palmer penguins (Gorman, Williams & Fraser 2014; CC0), as a pandas DataFrame of 344 rows.

    Columns: ``species`` (Adelie, Chinstrap, Gentoo), ``island`` (Biscoe, Dream, Torgersen) and ``sex`` (female,
    male) as text; ``bill_length_mm``, ``bill_depth_mm``, ``flipper_length_mm``, ``body_mass_g`` and ``year``.
    Two rows miss every measurement and 11 miss ``sex`` (the two included); missing values are NaN. The table is
    the one the PyPI package ``palmerpenguins`` ships (no download), checked against its sha256.
    """
    try:
        import palmerpenguins
    except ImportError:
        raise DataFileError(
            "the Palmer penguins come from the package palmerpenguins, which is not installed: "
            "`pip install palmerpenguins==0.1.6` (the book's requirements.txt pins it; nothing is downloaded)"
        ) from None
    csv = importlib.resources.files("palmerpenguins") / "data" / "penguins.csv"
    if not csv.is_file():
        raise DataFileError(f"palmerpenguins has no data/penguins.csv ({csv}): reinstall palmerpenguins==0.1.6")
    actual = hashlib.sha256(csv.read_bytes()).hexdigest()
    if actual != PENGUINS_SHA256:
        raise DataFileError(
            f"{csv} is not the penguins table the book expects (sha256 {actual} != {PENGUINS_SHA256}): "
            "install palmerpenguins==0.1.6"
        )
    table = palmerpenguins.load_penguins()
    if table.shape != (344, len(PENGUINS_COLUMNS)) or tuple(table.columns) != PENGUINS_COLUMNS:
        raise DataFileError(f"palmerpenguins.load_penguins() gave {table.shape} with columns {list(table.columns)}")
    return table

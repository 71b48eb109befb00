"""The data loader: mirror first, then a sha256-checked, cached download; clear errors otherwise.

Nothing here touches the internet: downloads are served from a throw-away HTTP server on loopback.
"""

from __future__ import annotations

import functools
import http.server
import shutil
import sys
import threading
from pathlib import Path

import numpy as np
import pytest
from sklearn.preprocessing import PolynomialFeatures

import logreg
from logreg import datasets
from logreg.datasets import DataFileError, RemoteFile, load_breast_cancer, load_marks, load_microchips


@pytest.fixture
def isolated(monkeypatch, tmp_path):
    """No mirror, an empty cache: the loader has to download."""
    monkeypatch.delenv("LOGREG_DATA_DIR", raising=False)
    monkeypatch.setenv("LOGREG_CACHE_DIR", str(tmp_path / "cache"))
    return tmp_path


@pytest.fixture
def loopback_server(tmp_path):
    """Serve a folder on 127.0.0.1; yields (folder, base_url, list of requested paths)."""
    folder = tmp_path / "served"
    folder.mkdir()
    requested: list[str] = []

    class Handler(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *args):
            requested.append(self.path)

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(Handler, directory=str(folder)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield folder, f"http://127.0.0.1:{server.server_address[1]}", requested
    server.shutdown()
    server.server_close()


@pytest.fixture(scope="session")
def verified_marks_file() -> Path:
    """The real file, from the mirror or cache, fetched before any test removes the mirror."""
    path = datasets.fetch(datasets.MARKS)
    assert datasets.sha256_of(path) == datasets.MARKS.sha256
    return path


def test_marks_has_the_published_shape_and_counts():
    X, y = load_marks()
    assert X.shape == (100, 2) and X.dtype == np.float64
    assert y.shape == (100,) and y.dtype == np.int64 and y.sum() == 60 and set(y) == {0, 1}
    np.testing.assert_allclose(X[0], [34.62365962451697, 78.0246928153624])


def test_breast_cancer_is_scikit_learns():
    X, y = load_breast_cancer()
    assert X.shape == (569, 30) and y.sum() == 357
    features, classes = datasets.breast_cancer_names()
    assert len(features) == 30 and classes == ["malignant", "benign"]


def test_download_is_checked_and_cached(verified_marks_file, isolated, loopback_server, monkeypatch):
    folder, base_url, requested = loopback_server
    shutil.copy(verified_marks_file, folder / "marks.txt")
    monkeypatch.setattr(datasets, "MARKS", RemoteFile("marks.txt", f"{base_url}/marks.txt", datasets.MARKS.sha256))
    X, y = load_marks()
    assert X.shape == (100, 2) and y.sum() == 60
    assert (isolated / "cache" / "marks.txt").is_file()
    load_marks()
    assert requested == ["/marks.txt"], "the second load must come from the cache"


def test_download_with_a_wrong_hash_is_refused(isolated, loopback_server, monkeypatch):
    folder, base_url, _ = loopback_server
    (folder / "marks.txt").write_text("1,2,0\n")
    monkeypatch.setattr(datasets, "MARKS", RemoteFile("marks.txt", f"{base_url}/marks.txt", datasets.MARKS.sha256))
    with pytest.raises(DataFileError, match="does not match its sha256.*LOGREG_DATA_DIR"):
        load_marks()


def test_offline_without_mirror_says_what_to_do(isolated, monkeypatch):
    # port 9 (discard) on loopback: nothing listens, the connection is refused at once
    monkeypatch.setattr(datasets, "MARKS", RemoteFile("marks.txt", "http://127.0.0.1:9/marks.txt", "0" * 64))
    with pytest.raises(DataFileError, match="cannot get marks.txt.*set LOGREG_DATA_DIR"):
        load_marks()
    with pytest.raises(ValueError):  # DataFileError is a ValueError
        load_marks()


def test_corrupt_mirror_file_is_refused(monkeypatch, tmp_path):
    (tmp_path / "marks.txt").write_text("34.6,78.0,0\n")
    monkeypatch.setenv("LOGREG_DATA_DIR", str(tmp_path))
    with pytest.raises(DataFileError, match="corrupt or a different file: sha256"):
        load_marks()


def test_mirror_missing_the_file_falls_back_to_download_and_names_both(isolated, monkeypatch, tmp_path):
    monkeypatch.setenv("LOGREG_DATA_DIR", str(tmp_path / "empty-mirror"))
    monkeypatch.setattr(datasets, "MARKS", RemoteFile("marks.txt", "http://127.0.0.1:9/marks.txt", "0" * 64))
    with pytest.raises(DataFileError, match="empty-mirror.*has no marks.txt"):
        load_marks()


def test_a_file_with_the_right_hash_but_wrong_table_is_reported(monkeypatch, tmp_path):
    (tmp_path / "marks.txt").write_text("not,a,number\n")
    monkeypatch.setenv("LOGREG_DATA_DIR", str(tmp_path))
    digest = datasets.sha256_of(tmp_path / "marks.txt")
    monkeypatch.setattr(datasets, "MARKS", RemoteFile("marks.txt", "http://127.0.0.1:9/marks.txt", digest))
    with pytest.raises(DataFileError, match="not a comma-separated table"):
        load_marks()


# --- microchips (Ng's ex2 part 2) -------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def microchips_features():
    """The 28 polynomial features of degree <= 6 (constant first, in Ng's mapFeature order) and the labels."""
    X, y = load_microchips()
    return PolynomialFeatures(6).fit_transform(X), y


def test_microchips_has_the_published_shape_and_counts():
    X, y = load_microchips()
    assert X.shape == (118, 2) and X.dtype == np.float64
    assert y.shape == (118,) and y.dtype == np.int64 and y.sum() == 58 and set(y) == {0, 1}
    np.testing.assert_allclose(X[0], [0.051267, 0.69956])  # the first line ends with a space: still parsed
    assert datasets.fetch(datasets.MICROCHIPS).read_bytes().splitlines()[0] == b"0.051267,0.69956,1 "


def test_polynomial_features_are_ngs_map_feature():
    X, _ = load_microchips()
    features = PolynomialFeatures(6).fit_transform(X)
    assert features.shape == (118, 28)
    x1, x2 = X[:, 0], X[:, 1]
    ng = np.column_stack([x1 ** (i - j) * x2**j for i in range(7) for j in range(i + 1)])  # mapFeature.m
    np.testing.assert_allclose(features, ng)


def test_ngs_published_cost_and_gradient_at_zero_with_lambda_1(microchips_features):
    F, y = microchips_features
    l2 = 1 / len(y)  # Ng's lambda = our l2 * m
    assert logreg.cost(np.zeros(28), F, y, l2=l2) == pytest.approx(0.693147, abs=5e-7)
    np.testing.assert_allclose(
        logreg.gradient(np.zeros(28), F, y, l2=l2)[:5], [0.0085, 0.0188, 0.0001, 0.0503, 0.0115], atol=5e-5
    )


def test_ngs_published_cost_and_gradient_at_ones_with_lambda_10(microchips_features):
    F, y = microchips_features
    l2 = 10 / len(y)
    assert logreg.cost(np.ones(28), F, y, l2=l2) == pytest.approx(3.1645, abs=5e-5)
    np.testing.assert_allclose(
        logreg.gradient(np.ones(28), F, y, l2=l2)[:5], [0.3460, 0.1614, 0.1948, 0.2269, 0.0922], atol=5e-5
    )


def test_ngs_published_training_accuracy_with_lambda_1(microchips_features):
    F, y = microchips_features
    beta = logreg.newton(F, y, l2=1 / len(y)).beta
    assert round(100 * np.mean((F @ beta > 0) == y), 1) == 83.1
    model = logreg.LogisticRegression(l2=1 / len(y)).fit(F[:, 1:], y)  # the estimator adds its own intercept
    assert round(100 * model.score(F[:, 1:], y), 1) == 83.1


def test_corrupt_microchips_mirror_file_is_refused(monkeypatch, tmp_path):
    (tmp_path / "microchips.txt").write_text("0.05,0.70,1\n")
    monkeypatch.setenv("LOGREG_DATA_DIR", str(tmp_path))
    with pytest.raises(DataFileError, match="microchips.txt is corrupt or a different file"):
        load_microchips()


def test_microchips_download_goes_through_the_same_checked_cache(isolated, loopback_server, monkeypatch):
    folder, base_url, requested = loopback_server
    (folder / "microchips.txt").write_bytes(b"0.1,0.2,1 \n0.3,0.4,0\n")
    digest = datasets.sha256_of(folder / "microchips.txt")
    monkeypatch.setattr(datasets, "MICROCHIPS", RemoteFile("microchips.txt", f"{base_url}/microchips.txt", digest))
    with pytest.raises(DataFileError, match="should hold 118 rows of 3 numbers; got shape \\(2, 3\\)"):
        load_microchips()
    assert (isolated / "cache" / "microchips.txt").is_file() and requested == ["/microchips.txt"]


# --- the Palmer penguins: shipped by the palmerpenguins package, never downloaded -------------------------------
def test_penguins_have_the_published_shape_gaps_and_counts():
    table = datasets.load_penguins()
    assert table.shape == (344, 8)
    assert table["species"].value_counts().to_dict() == {"Adelie": 152, "Gentoo": 124, "Chinstrap": 68}
    assert table["sex"].value_counts().to_dict() == {"male": 168, "female": 165}
    measurements = ["bill_length_mm", "bill_depth_mm", "flipper_length_mm", "body_mass_g"]
    assert table[measurements].isna().all(axis=1).sum() == 2 and table[measurements].isna().any(axis=1).sum() == 2
    assert table["sex"].isna().sum() == 11 and table.loc[table[measurements].isna().any(axis=1), "sex"].isna().all()
    islands = table.groupby("species")["island"].unique().map(sorted).to_dict()
    assert islands == {"Adelie": ["Biscoe", "Dream", "Torgersen"], "Chinstrap": ["Dream"], "Gentoo": ["Biscoe"]}
    assert table["body_mass_g"].max() == 6300 and table["year"].unique().tolist() == [2007, 2008, 2009]


def test_penguins_without_the_package_say_how_to_install_it(monkeypatch):
    monkeypatch.setitem(sys.modules, "palmerpenguins", None)  # `import palmerpenguins` now raises ImportError
    with pytest.raises(DataFileError, match=r"pip install palmerpenguins==0\.1\.6"):
        datasets.load_penguins()


def test_penguins_from_another_table_are_refused(monkeypatch):
    monkeypatch.setattr(datasets, "PENGUINS_SHA256", "0" * 64)
    with pytest.raises(DataFileError, match="not the penguins table the book expects"):
        datasets.load_penguins()


def test_penguins_are_pinned_in_the_requirements():
    pins = (Path(__file__).resolve().parent.parent / "requirements.txt").read_text().splitlines()
    assert "palmerpenguins==0.1.6" in pins

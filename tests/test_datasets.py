"""The data loader: mirror first, then a sha256-checked, cached download; clear errors otherwise.

Nothing here touches the internet: downloads are served from a throw-away HTTP server on loopback.
"""

from __future__ import annotations

import functools
import http.server
import shutil
import threading
from pathlib import Path

import numpy as np
import pytest

from logreg import datasets
from logreg.datasets import DataFileError, RemoteFile, load_breast_cancer, load_marks


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

"""Tests for lossylab.data: bundled photographs, the hash-checked corpus, the fixed split."""

from __future__ import annotations

import hashlib
from pathlib import Path

import numpy as np
import pytest

from lossylab import data


@pytest.fixture
def corpus_dir() -> Path:
    """The folder holding a real tinyshakespeare.txt (CI points LOSSYLAB_DATA_DIR at it)."""
    folder = data._data_dir()
    if folder is None or not (folder / data.SHAKESPEARE_FILENAME).is_file():
        pytest.skip("LOSSYLAB_DATA_DIR does not point at a folder with tinyshakespeare.txt")
    return folder


@pytest.mark.parametrize("name", data.sample_image_names())
def test_sample_images_are_uint8(name: str) -> None:
    image = data.sample_image(name)
    assert image.dtype == np.uint8
    assert image.ndim in (2, 3)
    assert min(image.shape[:2]) >= 100
    if image.ndim == 3:
        assert image.shape[2] == 3


def test_unknown_sample_image_lists_valid_names() -> None:
    with pytest.raises(ValueError, match=r"unknown sample image 'lena'.*astronaut.*camera"):
        data.sample_image("lena")


def test_face_blocks() -> None:
    faces = data.face_blocks()
    assert faces.shape == (200, 25, 25)
    assert faces.dtype == np.uint8
    assert faces.max() > 200  # the [0, 1] floats were scaled to grey levels


def test_corpus_from_data_dir(corpus_dir: Path) -> None:
    text = data.tiny_shakespeare()
    assert len(text.encode("utf-8")) == data.SHAKESPEARE_N_BYTES
    assert hashlib.sha256(text.encode("utf-8")).hexdigest() == data.SHAKESPEARE_SHA256
    assert text.startswith("First Citizen:")


def test_split_is_fixed(corpus_dir: Path) -> None:
    split = data.shakespeare_split()
    assert (len(split.train), len(split.test)) == (1_003_854, 111_540)
    assert split.train + split.test == data.tiny_shakespeare()


def test_missing_file_in_data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LOSSYLAB_DATA_DIR", str(tmp_path))
    with pytest.raises(data.DataError, match=r"does not exist.*unset LOSSYLAB_DATA_DIR"):
        data.tiny_shakespeare()


DAMAGE = ["truncate", "flip-first", "flip-middle", "empty", "html-error-page", "short-text"]


def _damaged(damage: str) -> bytes:
    """A damaged corpus file (the real one, from LOSSYLAB_DATA_DIR, only to damage it)."""
    simple = {"empty": b"", "html-error-page": b"<html><body>404: Not Found</body></html>",
              "short-text": b"To be, or not"}
    if damage in simple:
        return simple[damage]
    folder = data._data_dir()
    if folder is None or not (folder / data.SHAKESPEARE_FILENAME).is_file():
        pytest.skip("LOSSYLAB_DATA_DIR does not point at a folder with tinyshakespeare.txt")
    good = (folder / data.SHAKESPEARE_FILENAME).read_bytes()
    if damage == "truncate":
        return good[: len(good) // 3]
    at = 0 if damage == "flip-first" else len(good) // 2
    return good[:at] + bytes([good[at] ^ 1]) + good[at + 1:]


@pytest.mark.parametrize("damage", DAMAGE)
def test_damaged_corpus_in_data_dir_is_refused_and_left_alone(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, damage: str
) -> None:
    content = _damaged(damage)
    (tmp_path / data.SHAKESPEARE_FILENAME).write_bytes(content)
    monkeypatch.setenv("LOSSYLAB_DATA_DIR", str(tmp_path))
    with pytest.raises(data.DataError,
                       match=r"not the Tiny Shakespeare corpus.*SHA-256.*damaged or truncated"):
        data.tiny_shakespeare()
    assert (tmp_path / data.SHAKESPEARE_FILENAME).read_bytes() == content


@pytest.mark.parametrize("damage", DAMAGE)
def test_damaged_cache_is_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                  damage: str) -> None:
    content = _damaged(damage)
    monkeypatch.delenv("LOSSYLAB_DATA_DIR", raising=False)
    monkeypatch.setattr(data, "_cache_dir", lambda: tmp_path)
    (tmp_path / data.SHAKESPEARE_FILENAME).write_bytes(content)
    with pytest.raises(data.DataError, match="damaged or truncated"):
        data.shakespeare_split()


def test_good_copy_in_data_dir_is_accepted(corpus_dir: Path, tmp_path: Path,
                                           monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / data.SHAKESPEARE_FILENAME).write_bytes(
        (corpus_dir / data.SHAKESPEARE_FILENAME).read_bytes())
    monkeypatch.setenv("LOSSYLAB_DATA_DIR", str(tmp_path))
    assert len(data.tiny_shakespeare()) == data.SHAKESPEARE_N_BYTES


def test_offline_without_file_says_how_to_fix(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import pooch

    def no_network(*args: object, **kwargs: object) -> str:
        raise ConnectionError("Name or service not known")

    monkeypatch.delenv("LOSSYLAB_DATA_DIR", raising=False)
    monkeypatch.setattr(data, "_cache_dir", lambda: tmp_path / "cache")
    monkeypatch.setattr(pooch, "retrieve", no_network)
    with pytest.raises(data.DataError, match=r"offline.*set LOSSYLAB_DATA_DIR"):
        data.tiny_shakespeare()
    assert not (tmp_path / "cache").exists() or not any((tmp_path / "cache").iterdir())


def test_download_uses_the_pinned_hash(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import pooch

    seen: dict[str, object] = {}

    def fake_retrieve(url: str, known_hash: str, **kwargs: object) -> str:
        seen.update(url=url, known_hash=known_hash)
        raise ValueError("SHA256 hash of downloaded file does not match")

    monkeypatch.delenv("LOSSYLAB_DATA_DIR", raising=False)
    monkeypatch.setattr(data, "_cache_dir", lambda: tmp_path)
    monkeypatch.setattr(pooch, "retrieve", fake_retrieve)
    with pytest.raises(data.DataError, match="failed its hash check"):
        data.tiny_shakespeare()
    assert seen == {"url": data.SHAKESPEARE_URL, "known_hash": f"sha256:{data.SHAKESPEARE_SHA256}"}

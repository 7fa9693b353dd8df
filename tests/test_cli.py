"""Tests of the command-line compressor ``python -m lossylab compress|decompress IN OUT``."""

from __future__ import annotations

import subprocess
import sys

import pytest

from lossylab import data
from lossylab.__main__ import _main

TEXT = data.shakespeare_split().test[:2000] + " \N{GRINNING FACE} ünïcödé\r\n"


@pytest.fixture
def text_file(tmp_path):
    path = tmp_path / "in.txt"
    path.write_bytes(TEXT.encode("utf-8"))
    return path


@pytest.mark.parametrize("model", [None, "gru-16", "ngram-3"])
def test_round_trip_restores_the_file_byte_for_byte(tmp_path, text_file, model, capsys):
    extra = ["--model", model] if model else []
    assert _main(["compress", str(text_file), str(tmp_path / "f.llab"), *extra]) == 0
    assert "bits/char" in capsys.readouterr().out
    assert _main(["decompress", str(tmp_path / "f.llab"), str(tmp_path / "out.txt")]) == 0
    assert (tmp_path / "out.txt").read_bytes() == text_file.read_bytes()


def _error(argv, capsys) -> str:
    assert _main(argv) == 1
    captured = capsys.readouterr()
    assert "Traceback" not in captured.err
    return captured.err


def test_errors_are_one_clear_line_and_exit_status_one(tmp_path, text_file, capsys):
    blob = tmp_path / "f.llab"
    assert _main(["compress", str(text_file), str(blob), "--model", "gru-4", "--quiet"]) == 0
    assert "exists" in _error(["compress", str(text_file), str(blob)], capsys)
    binary = tmp_path / "b.bin"
    binary.write_bytes(b"ok \xff\xfe")
    assert "not UTF-8 text (byte 0xff at offset 3)" in _error(
        ["compress", str(binary), str(tmp_path / "x")], capsys)
    assert "was not made by lossylab" in _error(
        ["decompress", str(text_file), str(tmp_path / "y")], capsys)
    assert "compressed with model 'gru-4'" in _error(
        ["decompress", str(blob), str(tmp_path / "z"), "--model", "gru-16"], capsys)
    newer = bytearray(blob.read_bytes())
    newer[4] = 99
    blob.write_bytes(bytes(newer))
    assert "newer lossylab" in _error(["decompress", str(blob), str(tmp_path / "w")], capsys)
    assert "unknown model 'gpt-5'" in _error(
        ["compress", str(text_file), str(tmp_path / "v"), "--model", "gpt-5"], capsys)
    assert "No such file" in _error(["compress", str(tmp_path / "none"), str(tmp_path / "u")],
                                    capsys)
    assert not any((tmp_path / name).exists() for name in "xyzwvu")


def test_runs_as_a_module(tmp_path, text_file):
    result = subprocess.run([sys.executable, "-m", "lossylab", "compress", str(text_file),
                             str(tmp_path / "f"), "--model", "gru-4"], capture_output=True,
                            text=True, timeout=120)
    assert result.returncode == 0 and "characters ->" in result.stdout
    result = subprocess.run([sys.executable, "-m", "lossylab", "compress", str(text_file),
                             str(tmp_path / "f"), "--model", "gru-4"], capture_output=True,
                            text=True, timeout=120)
    assert result.returncode == 1 and result.stderr.startswith("lossylab: error:")

"""The benchmark's machinery (benchmarks/bench.py), run on a tiny notebook the test writes."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest
import tooling

bench = tooling.load("bench")

TINY_CELLS = [
    "import ipywidgets as widgets\nimport time",
    # A slider whose callback sleeps 2 ms: its p50 must come out >= 2 ms, so the timing
    # really covers the observer, not just the assignment.
    "calls = []\n"
    "def on_change(change):\n"
    "    time.sleep(0.002)\n"
    "    calls.append(change['new'])\n"
    "slider = widgets.IntSlider(value=3, min=0, max=10, step=2, description='level')\n"
    "slider.observe(on_change, names='value')\n"
    "slider",
    "choice = widgets.Dropdown(options=[('one', 1), ('two', 2)], description='pick')\nchoice",
    "print('done')",
]


def write_notebook(path: Path, sources: list[str]) -> Path:
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(s) for s in sources])
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3",
                                 "language": "python"}
    nbformat.write(nb, path)
    return path


@pytest.fixture(scope="module")
def tiny_results(tmp_path_factory: pytest.TempPathFactory) -> dict:
    """The full benchmark (without the results of record) on the tiny notebook, run once."""
    folder = tmp_path_factory.mktemp("bench")
    path = write_notebook(folder / "01_tiny.ipynb", TINY_CELLS)
    before = path.read_bytes()
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(bench, "_submodules", lambda: ["data"])  # one submodule keeps it short
        results = bench.run([path], record=False, log=lambda _: None)
    assert path.read_bytes() == before, "the benchmark must never write the notebook"
    return results


def test_notebook_entry_has_time_and_memory(tiny_results: dict) -> None:
    (entry,) = tiny_results["notebooks"]
    assert entry["name"] == "01_tiny.ipynb"
    assert "error" not in entry and "probe_error" not in entry
    assert 0 < entry["cells_s"] <= entry["wall_s"] < 120
    # A Python kernel with ipywidgets loaded takes tens of MB; under 10 MB means a unit bug.
    assert 10 < entry["peak_rss_mb"] <= entry["peak_rss_after_sliders_mb"] < 2000


def test_every_slider_is_timed_with_enough_moves(tiny_results: dict) -> None:
    sliders = {s["slider"]: s for s in tiny_results["sliders"]}
    assert set(sliders) == {"level (IntSlider)", "pick (Dropdown)"}
    for s in sliders.values():
        assert s["notebook"] == "01_tiny.ipynb"
        assert s["n_moves"] >= bench.N_MOVES
        assert 0 <= s["p50_ms"] <= s["p95_ms"] <= s["max_ms"]
    assert sliders["level (IntSlider)"]["p50_ms"] >= 2.0  # the observer sleeps 2 ms


def test_results_files_have_the_promised_keys(tiny_results: dict, tmp_path: Path) -> None:
    json_path, md_path = bench.write_results(tiny_results, tmp_path / "benchmarks")
    data = json.loads(json_path.read_text())
    promised = {"notebooks", "sliders", "import_s", "machine", "python", "versions", "date"}
    assert promised <= set(data)
    assert {"name", "wall_s", "peak_rss_mb"} <= set(data["notebooks"][0])
    assert {"notebook", "slider", "p50_ms", "p95_ms"} <= set(data["sliders"][0])
    assert 0 < data["import_s"] < 30
    assert 0 < data["module_import_s"]["data"] < 30
    table = md_path.read_text()
    assert "| 01_tiny.ipynb |" in table and "level (IntSlider)" in table


def test_main_writes_results(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                             monkeypatch: pytest.MonkeyPatch) -> None:
    path = write_notebook(tmp_path / "02_plain.ipynb", ["x = 1"])
    monkeypatch.setattr(bench, "_submodules", lambda: [])  # keep the test short
    assert bench.main(["--notebooks", str(path), "--out", str(tmp_path / "out"),
                       "--no-record"]) == 0
    data = json.loads((tmp_path / "out" / "results.json").read_text())
    assert [nb["name"] for nb in data["notebooks"]] == ["02_plain.ipynb"]
    assert data["sliders"] == []
    assert "wrote" in capsys.readouterr().out


def test_a_failing_cell_is_reported_not_raised(tmp_path: Path) -> None:
    path = write_notebook(tmp_path / "03_broken.ipynb", ["1 / 0", "y = 2"])
    entry = bench.run_notebook(path)
    assert "ZeroDivisionError" in entry["error"]
    assert any("03_broken.ipynb: did not run" in line
               for line in bench.missed_targets({"notebooks": [entry], "sliders": []}))


def test_missed_targets_names_each_number() -> None:
    results = {
        "notebooks": [{"name": "a.ipynb", "wall_s": 31.0, "peak_rss_mb": 450.0},
                      {"name": "b.ipynb", "wall_s": 160.0, "peak_rss_mb": 100.0}],
        "sliders": [{"notebook": "a.ipynb", "slider": "q (IntSlider)", "p50_ms": 20.0,
                     "p95_ms": 75.5, "n_moves": 20},
                    {"notebook": "b.ipynb", "slider": "k (Dropdown)", "p50_ms": 1.0,
                     "p95_ms": 2.0, "n_moves": 20}],
        "import_s": 0.2,
    }
    missed = bench.missed_targets(results)
    assert missed == [
        "MISSED a.ipynb: 31.0 s (target < 30 s)",
        "MISSED a.ipynb: peak kernel memory 450 MB (target < 400 MB)",
        "MISSED b.ipynb: 160.0 s (target < 30 s)",
        "MISSED whole collection: 191.0 s (target < 180 s)",
        "MISSED a.ipynb / q (IntSlider): p95 75.5 ms (target < 50 ms)",
    ]
    assert "**MISSED**" in bench.markdown_report(results)


@pytest.mark.parametrize(
    ("points", "start"),
    [([0, 1], 0), ([0, 1], 1), (list(range(7)), 3), ([False, True], False), (["a", "b", "c"], "z")],
)
def test_sweep_moves_every_time(points: list, start: object) -> None:
    values = bench.sweep_values(points, start=start, n_moves=20)
    assert len(values) >= 20
    assert all(v in points for v in values)
    assert all(a != b for a, b in zip([start, *values[:-1]], values, strict=True))
    assert set(values) == set(points)  # the whole range is visited


def test_sweep_refuses_a_single_value() -> None:
    with pytest.raises(ValueError, match="at least two distinct values"):
        bench.sweep_values([5, 5], start=5)


def test_widget_points_follow_the_step_grid() -> None:
    import ipywidgets as widgets

    float_points = bench.widget_points(widgets.FloatSlider(min=0.0, max=1.0, step=0.25))
    assert float_points == [0.0, 0.25, 0.5, 0.75, 1.0]
    int_points = bench.widget_points(widgets.IntSlider(min=1, max=100, step=1))
    assert int_points[0] == 1 and int_points[-1] == 100 and len(int_points) == 21
    log_points = bench.widget_points(widgets.FloatLogSlider(min=-1, max=1, step=1, base=10))
    assert log_points == pytest.approx([0.1, 1.0, 10.0])
    options = bench.widget_points(widgets.SelectionSlider(options=[("x", 10), ("y", 20)]))
    assert options == [10, 20]


def test_report_warns_when_the_machine_was_shared() -> None:
    busy = {"machine": {"usable_cores": 2, "load_average_1min": 7.5}, "notebooks": [],
            "sliders": []}
    idle = {"machine": {"usable_cores": 2, "load_average_1min": 0.3}, "notebooks": [],
            "sliders": []}
    assert "the machine was shared" in bench.markdown_report(busy)
    assert "the machine was shared" not in bench.markdown_report(idle)


def test_unbounded_text_boxes_are_swept_upwards() -> None:
    import ipywidgets as widgets

    assert bench.widget_points(widgets.IntText(value=5)) == list(range(5, 26))
    points = bench.widget_points(widgets.FloatText(value=1.0, step=0.5))
    assert points[:3] == [1.0, 1.5, 2.0] and len(points) == 21


def test_the_probe_travels_as_source_and_needs_no_lossylab() -> None:
    # The kernel cannot import the benchmark: the probe cell must run in a bare interpreter.
    code = (bench.probe_cell(n_moves=20)
            + "\nimport sys\nprint('lossylab loaded:', 'lossylab' in sys.modules)")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            timeout=120, cwd="/")
    assert result.returncode == 0, result.stderr
    marked, loaded = result.stdout.splitlines()[-2:]
    assert marked.startswith(bench.MARKER)
    assert json.loads(marked[len(bench.MARKER):])["sliders"] == []
    assert loaded == "lossylab loaded: False"


@pytest.mark.filterwarnings("ignore:Widget.widgets is deprecated:DeprecationWarning")
def test_the_probe_leaves_the_notebook_namespace_alone(capsys: pytest.CaptureFixture[str]) -> None:
    import ipywidgets as widgets

    slider = widgets.IntSlider(value=2, min=0, max=4, description="probe-test")
    namespace = {"slider": slider, "time": "a learner's variable"}
    exec(bench.probe_cell(n_moves=20), namespace)
    assert set(namespace) == {"slider", "time", "__builtins__"}
    assert namespace["time"] == "a learner's variable" and slider.value == 2
    line = capsys.readouterr().out.strip().splitlines()[-1]
    report = json.loads(line[len(bench.MARKER):])
    assert "probe-test (IntSlider)" in [s["slider"] for s in report["sliders"]]
    slider.close()


def test_import_times_cover_the_package_modules_not_the_tools() -> None:
    modules = bench._submodules()
    assert {"data", "images", "jpeg", "neural"} <= set(modules)
    assert not {"bench", "nbtools", "train", "course", "ui"} & set(modules)


def test_notebooks_are_chosen_by_the_notebook_tool() -> None:
    every = bench._notebook_paths([])
    assert every and all(p.suffix == ".ipynb" and p.parent.name == "notebooks" for p in every)
    assert [p.name for p in bench._notebook_paths(["04"])] == ["04_jpeg_roundtrips.ipynb"]


def test_compressor_table_shows_every_compressor_and_the_prequential_code() -> None:
    comp = {"standard": [{"compressor": "ppmd", "bits_per_char": 2.3973,
                          "bits_per_char_given_train": 2.026, "encode_chars_per_s": 9_000_000,
                          "decode_chars_per_s": 9_400_000}],
            "real_files": [{"model": "mix", "round_trip": True, "bits_per_char": 1.9304,
                            "encode_chars_per_s": 9228, "decode_chars_per_s": 10401}],
            "prequential": {"model": "mix-untrained", "n_chars": 1_115_394, "bits_per_char": 2.0904,
                            "encode_chars_per_s": 53_200, "ppmd_bits_per_char": 2.0868,
                            "two_part_gru_256": {"model_bits": 8_489_024,
                                                 "data_bits_per_char": 1.847,
                                                 "bits_per_char": 9.458}}}
    text = "\n".join(bench._compressor_table(comp))
    assert "| ppmd | 2.397 | 2.026 | 9,000,000 | 9,400,000 |" in text
    assert "| mix (real file) | - | 1.930 | 9,228 | 10,401 |" in text
    assert "prequential code (mix-untrained, untrained at the start) 2.090 bits/char" in text
    assert "PPMd 2.087; two-part code of gru-256 9.458" in text

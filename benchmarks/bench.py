"""Benchmark the collection: notebook run time, kernel memory, slider latency, results of record.

A course that is slow to open or laggy to play with does not get used, so the speed
targets are measured, not hoped for. ``python benchmarks/bench.py`` (from the
repository root) runs, on the machine it is on:

1. every notebook, top to bottom, in a fresh kernel (``nbclient``): the wall time
   (kernel start included, as a student's "Restart & Run All") and the kernel's peak
   resident memory (``resource.getrusage(RUSAGE_SELF).ru_maxrss`` read inside the kernel);
2. then, in the same kernel, every slider-like widget still alive: ``widget.value = v``
   for at least 20 values across its range, timed kernel-side with
   ``time.perf_counter`` (observers run synchronously, so the time covers the callback),
   reported as p50 and p95 per slider (the benchmark is not in the package, so the
   kernel-side functions below are sent to the kernel as source, see :func:`probe_cell`);
3. ``import lossylab`` (and each of its top-level modules) in a fresh interpreter;
4. results of record, computed directly with the library so that a regression in the
   numbers shows up next to the timings: JPEG rate-distortion points (bits per pixel and
   PSNR, ``lossylab.images.psnr_db``, for every sample photograph at qualities 5, 10, ...,
   95; notebook 04 draws the same round trips) and the compression table of notebook 06
   (held-out bits/char of the n-gram orders, of the pretrained neural ladder, and of gzip,
   bz2 and lzma). Each piece is guarded: a missing one is reported, never a crash.

It writes ``benchmarks/results.json`` and ``benchmarks/results.md`` (the table the README
shows) and prints every target it misses as ``MISSED``. It never fails on a time: timings
on a shared machine are noisy, so they are reported, not asserted.

What this leaves out compared with a real front-end measurement: the browser's share of a
slider move (sending the comm message, decoding and painting the PNG) is not included here;
``tests/browser`` checks that the widgets render and respond in a real Chromium.

Examples
--------
>>> values = sweep_values(list(range(1, 6)), start=3, n_moves=20)
>>> len(values) >= 20 and all(a != b for a, b in zip([3, *values], values))
True
"""

from __future__ import annotations

import argparse
import bz2
import datetime as dt
import gzip
import inspect
import json
import lzma
import os
import pkgutil
import platform
import resource
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from importlib import metadata
from pathlib import Path
from typing import Any

from lossylab import data, images, neural, ngram

# Targets on two CPU cores (issue 7).
SLIDER_P95_MS = 50.0
NOTEBOOK_S = 30.0
COLLECTION_S = 180.0
PEAK_RSS_MB = 400.0
IMPORT_S = 0.5

N_MOVES = 20  # minimum number of timed moves per slider
SLIDER_BUDGET_S = 30.0  # stop moving one slider after this long (reported as fewer moves)
JPEG_QUALITIES = tuple(range(5, 100, 5))  # 5, 10, ..., 95
NGRAM_ORDERS = (0, 1, 2, 3, 4, 5, 6, 8)
PACKAGES = (
    "lossylab", "numpy", "matplotlib", "ipywidgets", "pillow", "scikit-image", "constriction",
    "jupyterlab", "ipykernel", "nbclient",
)
MARKER = "LOSSYLAB_BENCH_JSON "  # prefix of the line the kernel-side probe prints

# Widget classes timed by the probe (names in ipywidgets), and how their values are swept.
SLIDER_CLASSES = (
    "IntSlider", "FloatSlider", "FloatLogSlider", "IntRangeSlider", "FloatRangeSlider",
    "BoundedIntText", "BoundedFloatText", "IntText", "FloatText", "SelectionSlider",
    "SelectionRangeSlider", "Dropdown", "ToggleButtons", "RadioButtons", "Select", "Checkbox",
    "ToggleButton",
)


# --------------------------------------------------------------------------------------
# Kernel side: runs inside the notebook's kernel after its last cell.
# --------------------------------------------------------------------------------------


def sweep_values(points: Sequence[Any], *, start: Any, n_moves: int = N_MOVES) -> list[Any]:
    """Values to set one after another: back and forth over ``points``, never a no-op move.

    Parameters
    ----------
    points : sequence
        Distinct allowed values in order (at least two).
    start : object
        The widget's current value; the first move goes away from it.
    n_moves : int
        Minimum number of moves.

    Returns
    -------
    list
        At least ``n_moves`` values; no value equals the one before it (an equal value
        would not fire the observers, and so would time nothing).

    Raises
    ------
    ValueError
        If fewer than two points are given.
    """
    if len(points) < 2 or all(p == points[0] for p in points[1:]):
        raise ValueError(f"points must hold at least two distinct values, got {list(points)!r}")
    cycle = list(points) + list(points[-2:0:-1])  # ping-pong: 0 1 2 ... n-1 n-2 ... 1
    values: list[Any] = []
    previous = start
    i = 0
    while len(values) < n_moves:
        candidate = cycle[i % len(cycle)]
        i += 1
        if candidate != previous:
            values.append(candidate)
            previous = candidate
    return values


def _grid(low: float, high: float, *, step: float | None, integer: bool,
          n: int = 21) -> list[Any]:
    """About ``n`` distinct values from ``low`` to ``high``, on the widget's step grid.

    A value off the step grid is one a learner can never reach with the mouse, so the
    sweep snaps to ``low + k * step`` like the front end does.
    """
    import numpy as np

    raw = np.linspace(low, high, n)
    if step:
        raw = low + np.round((raw - low) / step) * step
    values = [int(round(v)) for v in raw] if integer else [round(float(v), 12) for v in raw]
    return list(dict.fromkeys(min(max(v, low), high) for v in values))


def _option_values(options: Any) -> list[Any]:
    """The values of a selection widget's ``options`` (labels alone, pairs, or a mapping)."""
    if isinstance(options, Mapping):
        return list(options.values())
    return [o[1] if isinstance(o, tuple) and len(o) == 2 and isinstance(o[0], str) else o
            for o in options]


def widget_points(widget: Any) -> list[Any]:
    """Distinct values across a widget's range, in order (at most ~21 of them)."""
    name = type(widget).__name__
    if name in ("Checkbox", "ToggleButton"):
        return [False, True]
    if "Selection" in name or name in ("Dropdown", "ToggleButtons", "RadioButtons", "Select"):
        values = _option_values(widget.options)
        if name == "SelectionRangeSlider":
            return [(values[0], v) for v in values[1:]]
        return values
    integer = name.startswith(("Int", "BoundedInt"))
    if name in ("IntText", "FloatText"):  # unbounded: 20 steps up from the current value
        step = widget.step or 1
        return [widget.value + k * step if integer else round(widget.value + k * step, 12)
                for k in range(21)]
    grid = _grid(widget.min, widget.max, step=getattr(widget, "step", None), integer=integer)
    if name == "FloatLogSlider":  # min, max and step are exponents of the base
        return [widget.base**e for e in grid]
    if name.endswith("RangeSlider"):
        return [(widget.min, high) for high in grid[1:]]
    return grid


def time_widget(widget: Any, *, n_moves: int = N_MOVES,
                budget_s: float = SLIDER_BUDGET_S) -> dict[str, Any]:
    """Time ``widget.value = v`` over its range; the original value is restored afterwards."""
    original = widget.value
    entry: dict[str, Any] = {"slider": widget_name(widget)}
    try:
        values = sweep_values(widget_points(widget), start=original, n_moves=n_moves)
    except ValueError:
        return {**entry, "skipped": "fewer than two values to choose from"}
    times_ms = []
    try:
        for value in values:
            start = time.perf_counter()
            widget.value = value
            times_ms.append(1000 * (time.perf_counter() - start))
            if sum(times_ms) > 1000 * budget_s:
                break
    except Exception as err:  # an observer failing is a finding to report, not a crash
        return {**entry, "error": f"{type(err).__name__}: {err}", "n_moves": len(times_ms)}
    finally:
        try:
            widget.value = original
        except Exception:  # restoring is best effort; the timing is already done
            pass
    return {**entry, **latency_summary(times_ms)}


def widget_name(widget: Any) -> str:
    """``"<description> (<Class>)"``, e.g. ``"quality (IntSlider)"``."""
    description = getattr(widget, "description", "") or "(no description)"
    return f"{description} ({type(widget).__name__})"


def latency_summary(times_ms: Sequence[float]) -> dict[str, Any]:
    """p50, p95 and max of a list of times in milliseconds (nearest-rank percentiles).

    Examples
    --------
    >>> latency_summary([float(t) for t in range(1, 21)])["p95_ms"]
    19.0
    """
    ordered = sorted(times_ms)

    def rank(q: float) -> float:
        return ordered[max(0, min(len(ordered) - 1, round(q * len(ordered)) - 1))]

    return {
        "n_moves": len(ordered),
        "p50_ms": round(statistics.median(ordered), 2),
        "p95_ms": round(rank(0.95), 2),
        "max_ms": round(ordered[-1], 2),
    }


def peak_rss_mb() -> float:
    """Peak resident memory of this process in MB (``ru_maxrss``: KiB on Linux, bytes on macOS)."""
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / 2**20 if sys.platform == "darwin" else peak / 2**10


def kernel_probe(*, n_moves: int = N_MOVES, budget_s: float = SLIDER_BUDGET_S) -> str:
    """Run inside a kernel: time every slider-like widget alive; return the marked JSON line."""
    import ipywidgets

    classes = tuple(getattr(ipywidgets, name) for name in SLIDER_CLASSES
                    if hasattr(ipywidgets, name))
    peak_before = peak_rss_mb()
    alive = [w for w in list(ipywidgets.Widget.widgets.values()) if isinstance(w, classes)]
    sliders = [time_widget(w, n_moves=n_moves, budget_s=budget_s) for w in alive]
    report = {"peak_rss_mb": round(peak_before, 1),
              "peak_rss_after_sliders_mb": round(peak_rss_mb(), 1), "sliders": sliders}
    return MARKER + json.dumps(report)


# What the kernel needs: these functions and constants, sent as source (see probe_cell).
_KERNEL_CONSTANTS = ("N_MOVES", "SLIDER_BUDGET_S", "MARKER", "SLIDER_CLASSES")
_KERNEL_SIDE = (sweep_values, _grid, _option_values, widget_points, time_widget, widget_name,
                latency_summary, peak_rss_mb, kernel_probe)


def probe_cell(n_moves: int = N_MOVES) -> str:
    """Source of the cell that runs :func:`kernel_probe` in a notebook's kernel.

    The benchmark lives outside the package, so the kernel cannot import it: the
    kernel-side functions travel as source (``inspect.getsource``) and run in a namespace
    of their own, deleted afterwards, so the notebook's variables are left as they were.
    The probe imports nothing of ``lossylab``.
    """
    header = [
        "from __future__ import annotations",
        "import json, resource, statistics, sys, time",
        "from collections.abc import Mapping, Sequence",
        "from typing import Any",
        *(f"{name} = {globals()[name]!r}" for name in _KERNEL_CONSTANTS),
    ]
    code = "\n".join(header) + "\n\n" + "\n".join(inspect.getsource(f) for f in _KERNEL_SIDE)
    return (f"_lossylab_bench = {{}}\n"
            f"exec(compile({code!r}, 'benchmarks/bench.py (kernel probe)', 'exec'), "
            "_lossylab_bench)\n"
            f"print(_lossylab_bench['kernel_probe'](n_moves={n_moves}))\n"
            "del _lossylab_bench")


# --------------------------------------------------------------------------------------
# Driver side: executes notebooks, measures import time, computes the results of record.
# --------------------------------------------------------------------------------------


def run_notebook(path: Path, *, n_moves: int = N_MOVES, timeout: int = 600) -> dict[str, Any]:
    """Execute one notebook in a fresh kernel, then time its sliders in that same kernel.

    The notebook file is read, never written. Returns a dict with ``name``, ``wall_s``
    (kernel start + all cells), ``cells_s``, ``peak_rss_mb`` and ``sliders``; if a cell
    fails, ``error`` says which and the rest is what could be measured.
    """
    import nbformat
    from nbclient import NotebookClient

    path = Path(path)
    nb = nbformat.read(path, as_version=4)
    client = NotebookClient(nb, timeout=timeout, kernel_name="python3",
                            resources={"metadata": {"path": str(path.parent)}})
    entry: dict[str, Any] = {"name": path.name}
    start = time.perf_counter()
    with client.setup_kernel():
        kernel_ready = time.perf_counter()
        try:
            for index, cell in enumerate(nb.cells):
                client.execute_cell(cell, index)
        except Exception as err:
            entry["error"] = f"{type(err).__name__}: {str(err)[-500:]}"
        entry["wall_s"] = round(time.perf_counter() - start, 2)
        entry["cells_s"] = round(time.perf_counter() - kernel_ready, 2)
        probe = nbformat.v4.new_code_cell(probe_cell(n_moves))
        nb.cells.append(probe)  # in memory only: the file is never written
        try:
            client.execute_cell(probe, len(nb.cells) - 1)
            entry.update(_parse_probe(probe))
        except Exception as err:
            entry["probe_error"] = f"{type(err).__name__}: {str(err)[-500:]}"
    return entry


def _parse_probe(cell: Any) -> dict[str, Any]:
    for output in cell.get("outputs", []):
        if output.get("output_type") == "stream":
            for line in output.get("text", "").splitlines():
                if line.startswith(MARKER):
                    return json.loads(line[len(MARKER):])
    raise RuntimeError("the kernel-side probe printed no result")


def import_seconds(module: str = "lossylab", *, repeats: int = 3) -> float:
    """Median wall time of ``import <module>`` in a fresh interpreter, in seconds."""
    code = (f"import time; t = time.perf_counter(); import {module}; "
            "print(time.perf_counter() - t)")
    times = []
    for _ in range(repeats):
        out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                             check=True, timeout=120)
        times.append(float(out.stdout.strip().splitlines()[-1]))
    return round(statistics.median(times), 3)


def _guarded(compute: Callable[[], Any]) -> Any:
    """Run ``compute``; on any failure return ``{"error": ...}`` instead of raising."""
    try:
        return compute()
    except Exception as err:
        return {"error": f"{type(err).__name__}: {err}"}


def jpeg_rd_points(qualities: Iterable[int] = JPEG_QUALITIES) -> list[dict[str, Any]]:
    """Bits per pixel and PSNR (dB) of a real JPEG round trip per sample image and quality."""
    points = []
    for name in data.sample_image_names():
        image = data.sample_image(name)
        for quality in qualities:
            result = images.roundtrip(image, quality)
            psnr_db = images.psnr_db(image, result.decoded, data_range=255)
            points.append({"image": name, "quality": quality, "n_bytes": int(result.n_bytes),
                           "bpp": round(float(result.bpp), 4), "psnr_db": round(float(psnr_db), 3)})
    return points


def standard_compressors(train: str, test: str) -> list[dict[str, Any]]:
    """Held-out bits/char of gzip, bz2, xz and PPMd (as in notebook 06), alone and given train.

    "Given the training text" is ``8 * (size(train + test) - size(train)) / len(test)``; the
    speeds are of compressing and decompressing the held-out text alone.
    """
    from lossylab.course.nb06 import STANDARD_COMPRESSORS  # in here: a failure is reported

    train_b, test_b = train.encode("utf-8"), test.encode("utf-8")
    rows = []
    for name, squeeze in STANDARD_COMPRESSORS.items():
        start = time.perf_counter()
        packed = squeeze(test_b)
        encode_s = time.perf_counter() - start
        start = time.perf_counter()
        assert _DECOMPRESSORS[name](packed) == test_b, name
        decode_s = time.perf_counter() - start
        given = len(squeeze(train_b + test_b)) - len(squeeze(train_b))
        rows.append({"compressor": name, "bits_per_char": round(8 * len(packed) / len(test), 4),
                     "bits_per_char_given_train": round(8 * given / len(test), 4),
                     "encode_chars_per_s": round(len(test) / encode_s),
                     "decode_chars_per_s": round(len(test) / decode_s)})
    return rows


def _decompress_ppmd(data: bytes) -> bytes:
    import pyppmd

    from lossylab.course.nb06 import PPMD_ORDER

    return pyppmd.decompress(data, max_order=PPMD_ORDER)


_DECOMPRESSORS: dict[str, Callable[[bytes], bytes]] = {
    "gzip": gzip.decompress, "bz2": bz2.decompress, "xz": lzma.decompress, "ppmd": _decompress_ppmd}


def real_files(test: str) -> list[dict[str, Any]]:
    """Real files of the held-out text: gru-256 and the adaptive mixture, timed both ways."""
    from lossylab import adaptive, coding

    rows = []
    for build in (lambda: neural.load_pretrained("gru-256"), adaptive.default_mix):
        model = build()
        start = time.perf_counter()
        packed = coding.compress(test, model)
        encode_s = time.perf_counter() - start
        start = time.perf_counter()
        exact = coding.decompress(packed, model) == test
        decode_s = time.perf_counter() - start
        rows.append({"model": model.name, "n_bytes": len(packed), "round_trip": exact,
                     "bits_per_char": round(8 * len(packed) / len(test), 4),
                     "encode_s": round(encode_s, 2), "decode_s": round(decode_s, 2),
                     "encode_chars_per_s": round(len(test) / encode_s),
                     "decode_chars_per_s": round(len(test) / decode_s)})
    return rows


def prequential(text: str) -> dict[str, Any]:
    """The whole corpus coded by a model that starts untrained and learns as it codes.

    Beside it: PPMd on the same bytes, and the two-part code of the shipped gru-256: its
    weights at 32 bits each, plus the code length of the whole text given those weights.
    """
    from lossylab import adaptive, coding
    from lossylab.course.nb06 import STANDARD_COMPRESSORS

    gru = neural.load_pretrained("gru-256")
    model = adaptive.AdaptiveMix([], orders=range(8), vocab=gru.vocab)
    start = time.perf_counter()
    packed = coding.compress(text, model)
    seconds = time.perf_counter() - start
    gru_bits = float(gru.code_lengths(text).sum())
    return {"model": model.name, "n_chars": len(text), "n_bytes": len(packed),
            "bits_per_char": round(8 * len(packed) / len(text), 4),
            "encode_chars_per_s": round(len(text) / seconds),
            "ppmd_bits_per_char": round(8 * len(STANDARD_COMPRESSORS["ppmd"](
                text.encode("utf-8"))) / len(text), 4),
            "two_part_gru_256": {"model_bits": gru.stored_bits,
                                 "data_bits_per_char": round(gru_bits / len(text), 4),
                                 "bits_per_char": round((gru_bits + gru.stored_bits)
                                                        / len(text), 4)}}


def lm_rows(train: str, test: str) -> list[dict[str, Any]]:
    """Held-out bits/char of every n-gram order and every pretrained model (each guarded)."""

    rows: list[dict[str, Any]] = []
    for order in NGRAM_ORDERS:
        row = _guarded(lambda o=order: _model_row(ngram.NGramLM(o).fit(train), test))
        rows.append({"model": f"ngram-{order}", **row})
    names = _guarded(neural.pretrained_names)
    if isinstance(names, dict):
        return [*rows, {"model": "pretrained ladder", **names}]
    for name in names:
        rows.append({"model": name, **_guarded(lambda n=name: _model_row(
            neural.load_pretrained(n), test))})
    return rows


def _model_row(model: Any, test: str) -> dict[str, Any]:
    start = time.perf_counter()
    bits = model.bits_per_char(test)
    seconds = time.perf_counter() - start
    return {"n_params": int(model.n_params), "bits_per_char": round(float(bits), 4),
            "eval_s": round(seconds, 2), "eval_chars_per_s": round(len(test) / seconds)}


def results_of_record() -> dict[str, Any]:
    """JPEG rate-distortion points (notebook 04) and the compression table (notebook 06)."""
    record: dict[str, Any] = {"jpeg_rate_distortion": _guarded(jpeg_rd_points)}
    split = _guarded(data.shakespeare_split)
    if isinstance(split, dict):
        record["compression"] = split
        return record
    record["compression"] = {
        "test_chars": len(split.test),
        "models": lm_rows(split.train, split.test),
        "standard": _guarded(lambda: standard_compressors(split.train, split.test)),
        "real_files": _guarded(lambda: real_files(split.test)),
        "prequential": _guarded(lambda: prequential(split.train + split.test)),
    }
    return record


def machine_info() -> dict[str, Any]:
    """Where the numbers come from: CPU, cores, memory, load, OS."""
    info: dict[str, Any] = {
        "platform": platform.platform(),
        "processor": _cpu_model() or platform.processor() or platform.machine(),
        "cpu_count": os.cpu_count(),
    }
    if hasattr(os, "sched_getaffinity"):
        info["usable_cores"] = len(os.sched_getaffinity(0))
    if hasattr(os, "getloadavg"):
        info["load_average_1min"] = round(os.getloadavg()[0], 2)
    try:
        info["memory_gb"] = round(os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
                                  / 2**30, 1)
    except (ValueError, OSError, AttributeError):
        pass
    return info


def _cpu_model() -> str | None:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        return None
    return None


def package_versions() -> dict[str, str]:
    """Installed versions of the packages the timings depend on."""
    versions = {}
    for name in PACKAGES:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            versions[name] = "not installed"
    return versions


# --------------------------------------------------------------------------------------
# Targets and the report.
# --------------------------------------------------------------------------------------


def missed_targets(results: Mapping[str, Any]) -> list[str]:
    """One line per target missed (or not measured), e.g. ``"MISSED slider p95 ..."``.

    Examples
    --------
    >>> missed_targets({"notebooks": [], "sliders": [], "import_s": 0.9})
    ['MISSED import lossylab: 0.90 s (target < 0.5 s)']
    """
    lines = []
    for nb in results.get("notebooks", []):
        if "error" in nb:
            lines.append(f"MISSED {nb['name']}: did not run to the end ({nb['error'][:200]})")
        if "probe_error" in nb:
            lines.append(f"MISSED {nb['name']}: sliders and memory not measured "
                         f"({nb['probe_error'][:200]})")
        if nb.get("wall_s", 0) >= NOTEBOOK_S:
            lines.append(f"MISSED {nb['name']}: {nb['wall_s']:.1f} s (target < {NOTEBOOK_S:g} s)")
        peak = _peak(nb)
        if peak is not None and peak >= PEAK_RSS_MB:
            lines.append(f"MISSED {nb['name']}: peak kernel memory {peak:.0f} MB "
                         f"(target < {PEAK_RSS_MB:g} MB)")
    total = sum(nb.get("wall_s", 0) for nb in results.get("notebooks", []))
    if total >= COLLECTION_S:
        lines.append(f"MISSED whole collection: {total:.1f} s (target < {COLLECTION_S:g} s)")
    for s in results.get("sliders", []):
        if "error" in s:
            lines.append(f"MISSED {s['notebook']} / {s['slider']}: callback failed ({s['error']})")
        elif s.get("p95_ms", 0) >= SLIDER_P95_MS:
            lines.append(f"MISSED {s['notebook']} / {s['slider']}: p95 {s['p95_ms']:.1f} ms "
                         f"(target < {SLIDER_P95_MS:g} ms)")
    if results.get("import_s", 0) >= IMPORT_S:
        lines.append(f"MISSED import lossylab: {results['import_s']:.2f} s "
                     f"(target < {IMPORT_S:g} s)")
    return lines


def _peak(nb: Mapping[str, Any]) -> float | None:
    values = [nb.get(k) for k in ("peak_rss_mb", "peak_rss_after_sliders_mb")]
    numbers = [v for v in values if isinstance(v, (int, float))]
    return max(numbers) if numbers else None


def _mark(ok: bool) -> str:
    return "ok" if ok else "**MISSED**"


def markdown_report(results: Mapping[str, Any]) -> str:
    """The markdown tables written to ``results.md`` (and shown in the README)."""
    m, v = results.get("machine", {}), results.get("versions", {})
    lines = [
        "# lossylab benchmark",
        "",
        f"Measured {results.get('date', '?')} on {m.get('processor', '?')}, "
        f"{m.get('usable_cores', m.get('cpu_count', '?'))} usable cores, "
        f"{m.get('memory_gb', '?')} GB RAM, load average {m.get('load_average_1min', '?')} "
        f"at the start and {m.get('load_average_1min_end', '?')} at the end; "
        f"Python {results.get('python', '?')}; "
        + ", ".join(f"{k} {val}" for k, val in v.items()) + ".",
        "",
        *_load_note(m),
        "Regenerate with `python benchmarks/bench.py` (from the repository root, "
        "`LOSSYLAB_DATA_DIR` set if offline).",
        "",
        *_notebook_table(results),
        *_slider_table(results),
        f"`import lossylab`: {results.get('import_s', float('nan')):.3f} s "
        f"(target < {IMPORT_S:g} s: {_mark(results.get('import_s', 0) < IMPORT_S)}).",
        *_module_line(results.get("module_import_s", {})),
        "",
        *_record_tables(results.get("record", {})),
    ]
    missed = missed_targets(results)
    lines += ["## Targets missed", "", *(f"- {line}" for line in missed)] if missed else [
        "All targets met."]
    return "\n".join(lines) + "\n"


def _load_note(machine: Mapping[str, Any]) -> list[str]:
    """A warning when other work shared the CPUs: then every time here is pessimistic."""
    cores = machine.get("usable_cores") or machine.get("cpu_count") or 1
    loads = [machine.get(k) for k in ("load_average_1min", "load_average_1min_end")]
    busiest = max((x for x in loads if isinstance(x, (int, float))), default=0.0)
    if busiest <= cores:
        return []
    return [f"Note: the machine was shared while this ran (load average up to {busiest:g} on "
            f"{cores} cores), so the times below are pessimistic; rerun on an idle machine "
            "for the numbers a learner sees.", ""]


def _module_line(times: Mapping[str, Any]) -> list[str]:
    """Submodule import times (fresh interpreter), slowest first: where import time goes."""
    numbers = sorted(((t, name) for name, t in times.items() if isinstance(t, (int, float))),
                     reverse=True)
    if not numbers:
        return []
    return ["Submodules, each in a fresh interpreter: "
            + ", ".join(f"`lossylab.{name}` {t:.2f} s" for t, name in numbers) + "."]


def _notebook_table(results: Mapping[str, Any]) -> list[str]:
    notebooks = results.get("notebooks", [])
    lines = ["## Notebooks (fresh kernel, top to bottom)", "",
             f"| notebook | wall time (s) | peak kernel memory (MB) | sliders | "
             f"< {NOTEBOOK_S:g} s | < {PEAK_RSS_MB:g} MB |",
             "|---|---:|---:|---:|:---:|:---:|"]
    for nb in notebooks:
        peak = _peak(nb)
        n_sliders = sum(1 for s in results.get("sliders", []) if s["notebook"] == nb["name"])
        wall = nb.get("wall_s", float("nan"))
        lines.append(
            f"| {nb['name']}{' (error)' if 'error' in nb else ''} | {wall:.1f} | "
            f"{'n/a' if peak is None else f'{peak:.0f}'} | {n_sliders} | "
            f"{_mark(wall < NOTEBOOK_S and 'error' not in nb)} | "
            f"{_mark(peak is not None and peak < PEAK_RSS_MB)} |")
    total = sum(nb.get("wall_s", 0) for nb in notebooks)
    lines += ["", f"Whole collection: {total:.1f} s (target < {COLLECTION_S:g} s: "
              f"{_mark(total < COLLECTION_S)}).", ""]
    return lines


def _slider_table(results: Mapping[str, Any]) -> list[str]:
    lines = ["## Sliders (kernel-side callback time per move)", "",
             f"| notebook | widget | moves | p50 (ms) | p95 (ms) | p95 < {SLIDER_P95_MS:g} ms |",
             "|---|---|---:|---:|---:|:---:|"]
    for s in results.get("sliders", []):
        if "p95_ms" in s:
            lines.append(f"| {s['notebook']} | {s['slider']} | {s['n_moves']} | "
                         f"{s['p50_ms']:.1f} | {s['p95_ms']:.1f} | "
                         f"{_mark(s['p95_ms'] < SLIDER_P95_MS)} |")
        else:
            why = s.get("error") or s.get("skipped", "?")
            lines.append(f"| {s['notebook']} | {s['slider']} | - | - | - | {why} |")
    return [*lines, ""]


def _record_tables(record: Mapping[str, Any]) -> list[str]:
    lines: list[str] = []
    comp = record.get("compression")
    if isinstance(comp, Mapping) and "models" in comp:
        lines += ["## Held-out Tiny Shakespeare, bits per character (notebook 06)", "",
                  "| model | parameters | bits/char |", "|---|---:|---:|"]
        for row in comp["models"]:
            bits = row.get("bits_per_char")
            lines.append(f"| {row['model']} | {row.get('n_params', '-')} | "
                         f"{row.get('error', f'{bits:.3f}' if bits is not None else '-')} |")
        lines.append("")
        lines += _compressor_table(comp)
    elif isinstance(comp, Mapping):
        lines += [f"Compression table not computed: {comp.get('error')}", ""]
    lines += _jpeg_table(record.get("jpeg_rate_distortion"))
    return lines


def _compressor_table(comp: Mapping[str, Any]) -> list[str]:
    """Classical compressors and real lossylab files: bits/char and speeds; the prequential code."""
    lines = ["## Compressors on the held-out text: bits/char and speed (notebook 06)", "",
             "| compressor | alone | given train | encode chars/s | decode chars/s |",
             "|---|---:|---:|---:|---:|"]
    for row in comp.get("standard") if isinstance(comp.get("standard"), list) else []:
        lines.append(f"| {row['compressor']} | {row['bits_per_char']:.3f} | "
                     f"{row['bits_per_char_given_train']:.3f} | {row['encode_chars_per_s']:,} | "
                     f"{row['decode_chars_per_s']:,} |")
    for row in comp.get("real_files") if isinstance(comp.get("real_files"), list) else []:
        lines.append(f"| {row['model']} (real file{'' if row['round_trip'] else ', NOT EXACT'}) "
                     f"| - | {row['bits_per_char']:.3f} | {row['encode_chars_per_s']:,} | "
                     f"{row['decode_chars_per_s']:,} |")
    pre = comp.get("prequential")
    if isinstance(pre, Mapping) and "bits_per_char" in pre:
        two = pre["two_part_gru_256"]
        lines += ["", f"Whole corpus ({pre['n_chars']:,} characters): prequential code "
                  f"({pre['model']}, untrained at the start) {pre['bits_per_char']:.3f} bits/char "
                  f"at {pre['encode_chars_per_s']:,} chars/s; "
                  f"PPMd {pre['ppmd_bits_per_char']:.3f}; "
                  f"two-part code of gru-256 {two['bits_per_char']:.3f} "
                  f"({two['data_bits_per_char']:.3f} data + {two['model_bits']:,} model bits)."]
    return [*lines, ""]


def _jpeg_table(points: Any) -> list[str]:
    if isinstance(points, Mapping):
        return [f"JPEG rate-distortion points not computed: {points.get('error')}", ""]
    if not points:
        return []
    shown = (10, 50, 90)
    lines = ["## JPEG round trips: bits per pixel / PSNR (dB) (notebook 04)", "",
             "| image | " + " | ".join(f"quality {q}" for q in shown) + " |",
             "|---|" + "---:|" * len(shown)]
    for image in dict.fromkeys(p["image"] for p in points):
        cells = []
        for q in shown:
            p = next((p for p in points if p["image"] == image and p["quality"] == q), None)
            cells.append("-" if p is None else f"{p['bpp']:.2f} / {p['psnr_db']:.1f}")
        lines.append(f"| {image} | " + " | ".join(cells) + " |")
    return [*lines, "", "All qualities 5..95 are in `results.json`.", ""]


def run(paths: Sequence[Path], *, n_moves: int = N_MOVES, record: bool = True,
        log: Callable[[str], Any] = print) -> dict[str, Any]:
    """Run the whole benchmark and return the results (a JSON-ready dict)."""
    results: dict[str, Any] = {
        "date": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
        "machine": machine_info(),
        "python": platform.python_version(),
        "versions": package_versions(),
        "targets": {"slider_p95_ms": SLIDER_P95_MS, "notebook_s": NOTEBOOK_S,
                    "collection_s": COLLECTION_S, "peak_rss_mb": PEAK_RSS_MB,
                    "import_s": IMPORT_S},
        "notebooks": [], "sliders": [],
    }
    for path in paths:
        log(f"running {path.name} ...")
        entry = run_notebook(path, n_moves=n_moves)
        sliders = entry.pop("sliders", [])
        results["notebooks"].append(entry)
        results["sliders"] += [{"notebook": path.name, **s} for s in sliders]
        log(f"  {entry.get('wall_s', float('nan')):.1f} s, {_peak(entry) or float('nan'):.0f} MB,"
            f" {len(sliders)} sliders{'  ERROR ' + entry['error'] if 'error' in entry else ''}")
    results["import_s"] = import_seconds("lossylab")
    results["module_import_s"] = {
        name: _guarded(lambda n=name: import_seconds(f"lossylab.{n}", repeats=1))
        for name in _submodules()
    }
    if record:
        log("computing the results of record (JPEG rate-distortion, compression table) ...")
        results["record"] = results_of_record()
    if hasattr(os, "getloadavg"):
        results["machine"]["load_average_1min_end"] = round(os.getloadavg()[0], 2)
    return results


def _submodules() -> list[str]:
    """The package's top-level modules (not its subpackages, not private modules)."""
    import lossylab

    return sorted(m.name for m in pkgutil.iter_modules(lossylab.__path__)
                  if not m.ispkg and not m.name.startswith("_"))


def write_results(results: Mapping[str, Any], out: Path) -> tuple[Path, Path]:
    """Write ``results.json`` and ``results.md`` into ``out`` (created if needed)."""
    out.mkdir(parents=True, exist_ok=True)
    json_path, md_path = out / "results.json", out / "results.md"
    json_path.write_text(json.dumps(results, indent=1) + "\n", encoding="utf-8")
    md_path.write_text(markdown_report(results), encoding="utf-8")
    return json_path, md_path


def _nbtools() -> Any:
    """``tools/nbtools.py`` of this repository (notebook selection lives there, once)."""
    tools = str(Path(__file__).resolve().parent.parent / "tools")
    if tools not in sys.path:
        sys.path.insert(0, tools)
    import nbtools

    return nbtools


def _notebook_paths(names: Sequence[str]) -> list[Path]:
    """The notebooks named by path, number or file name (default: every notebook)."""
    nbtools = _nbtools()
    if not names:
        return sorted(nbtools.notebooks_dir().glob("*.ipynb"))
    paths: list[Path] = []
    for name in names:
        path = Path(name)
        paths += [path] if path.is_file() else nbtools.select([name])
    return paths


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python benchmarks/bench.py", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--notebooks", nargs="*", default=[],
                        help="notebook paths, numbers or file names (default: notebooks/*.ipynb)")
    parser.add_argument("--out", type=Path, default=Path("benchmarks"),
                        help="folder for results.json and results.md (default: benchmarks/)")
    parser.add_argument("--moves", type=int, default=N_MOVES,
                        help=f"timed moves per slider (default: {N_MOVES}, at least 20)")
    parser.add_argument("--no-record", action="store_true",
                        help="skip the JPEG and compression results of record")
    parser.add_argument("--no-notebooks", action="store_true",
                        help="run no notebook (e.g. only the results of record)")
    args = parser.parse_args(argv)
    if args.moves < N_MOVES:
        parser.error(f"--moves must be at least {N_MOVES}, got {args.moves}")
    paths = [] if args.no_notebooks else _notebook_paths(args.notebooks)
    results = run(paths, n_moves=args.moves, record=not args.no_record)
    json_path, md_path = write_results(results, args.out)
    for line in missed_targets(results):
        print(line)
    print(f"wrote {json_path} and {md_path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

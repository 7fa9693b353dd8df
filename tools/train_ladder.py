"""Train the ladder of pretrained neural character models shipped with lossylab.

The ladder is a series of GRU language models (:mod:`lossylab.neural`) of growing
hidden size, each trained from a fixed seed on the train split of Tiny Shakespeare
(the first 90% of the characters) and measured on both splits with the canonical
lockstep evaluation of :meth:`lossylab.lm.CharLM.code_lengths`. To regenerate the
shipped weights (``lossylab/weights/<name>.npz``) and their record
(``lossylab/weights/ladder.json``), run from the repository root::

    LOSSYLAB_DATA_DIR=/path/to/folder python tools/train_ladder.py      # the whole ladder
    python tools/train_ladder.py --sizes gru-4 gru-16 --jobs 1          # only some sizes
    python tools/train_ladder.py --sizes gru-4 --out /tmp/check         # reproduce elsewhere

Every model trains in its own worker process with single-threaded BLAS (``--jobs``
workers in parallel, 2 by default, the largest first), which keeps the run
deterministic: a rerun reproduces the recorded bits/char (to float32 rounding, and
exactly on the same machine). ``--steps`` overrides the number of updates of every
size, for quick experiments. The JSON records, per model: hidden size, number of
parameters, every training setting, the seed, the measured train and held-out
bits/char and the training time in seconds (wall clock) on the machine that ran it.

Time. One training step of the largest model (hidden size 256, 64 streams of 64
characters) costs about 0.22 CPU-seconds, so on an idle two-core machine the whole
ladder takes about 13 minutes (the largest model's 3000 steps alone ~11; the other
sizes together ~5, on the second core). The shipped weights were trained on a
shared two-core machine where each worker got 10-50% of a core (``train_seconds``
in the JSON is that wall-clock time: 17 minutes for the largest model).

This is maintainers' tooling: it lives beside the package, not in the wheel; the
training itself is :func:`lossylab.neural.train_gru`.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import asdict, dataclass
from multiprocessing import get_context
from pathlib import Path
from typing import Any

_BLAS_THREAD_VARIABLES = ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS")


@dataclass(frozen=True)
class LadderSpec:
    """How one size of the ladder is trained (arguments of ``lossylab.neural.train_gru``)."""

    name: str
    hidden_size: int
    n_steps: int
    batch_size: int
    seq_len: int
    learning_rate: float


LADDER: tuple[LadderSpec, ...] = (
    LadderSpec("gru-4", 4, 1500, 32, 64, 1e-2),
    LadderSpec("gru-16", 16, 1500, 32, 64, 1e-2),
    LadderSpec("gru-32", 32, 1500, 32, 64, 1e-2),
    LadderSpec("gru-64", 64, 1500, 32, 64, 6e-3),
    LadderSpec("gru-128", 128, 1500, 64, 64, 5e-3),
    LadderSpec("gru-256", 256, 3000, 64, 64, 4e-3),
)


def ladder_names() -> list[str]:
    """Names of the ladder's sizes, smallest to largest."""
    return [spec.name for spec in LADDER]


def train_one(spec: LadderSpec, out_dir: str, seed: int) -> dict[str, Any]:
    """Train, save and measure one size; returns its JSON record (runs in a worker)."""
    from lossylab import data, neural

    split = data.shakespeare_split()
    run = neural.train_gru(
        split.train, hidden_size=spec.hidden_size, n_steps=spec.n_steps,
        batch_size=spec.batch_size, seq_len=spec.seq_len, learning_rate=spec.learning_rate,
        seed=seed, progress=True, name=spec.name,
    )
    record = {
        **asdict(spec),
        "seed": seed,
        "n_params": run.model.n_params,
        "train_chars": len(split.train),
        "train_bits_per_char": round(run.model.bits_per_char(split.train), 4),
        "test_bits_per_char": round(run.model.bits_per_char(split.test), 4),
        "final_loss_bits_per_char": round(float(run.loss_bits[-50:].mean()), 4),
        "train_seconds": round(run.seconds, 1),
    }
    run.model.save(Path(out_dir) / f"{spec.name}.npz", metadata=record)
    return record


def write_record(out_dir: Path, record: dict[str, Any]) -> None:
    """Merge one model's record into ``ladder.json``, keeping the ladder order."""
    path = out_dir / "ladder.json"
    models = json.loads(path.read_text())["models"] if path.is_file() else []
    by_name = {entry["name"]: entry for entry in models}
    by_name[record["name"]] = record
    order = {name: i for i, name in enumerate(ladder_names())}
    ordered = sorted(by_name.values(), key=lambda entry: order.get(entry["name"], len(order)))
    payload = {
        "corpus": "Tiny Shakespeare, first 90% train / last 10% held out (lossylab.data)",
        "evaluation": "lossylab.lm.CharLM.code_lengths: blocks of 8192 chars in lockstep",
        "regenerate": "python tools/train_ladder.py",
        "models": ordered,
    }
    path.write_text(json.dumps(payload, indent=1) + "\n")


def _parse(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python tools/train_ladder.py", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", nargs="+", default=ladder_names(), choices=ladder_names(),
                        metavar="NAME", help=f"sizes to train (default all: {ladder_names()})")
    parser.add_argument("--steps", type=int, default=None,
                        help="override the number of Adam updates of every size")
    parser.add_argument("--seed", type=int, default=0, help="seed of the initial weights")
    parser.add_argument("--jobs", type=int, default=2, help="models trained in parallel")
    parser.add_argument("--out", type=Path, default=None,
                        help="output folder (default: the package's weights folder)")
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    """Command-line entry point: train the chosen sizes and write weights + ladder.json."""
    args = _parse(argv)
    for variable in _BLAS_THREAD_VARIABLES:  # inherited by the spawned workers
        os.environ[variable] = "1"
    from lossylab.neural import WEIGHTS_DIR

    out_dir = args.out if args.out is not None else WEIGHTS_DIR
    out_dir.mkdir(parents=True, exist_ok=True)
    specs = [spec for spec in LADDER if spec.name in args.sizes]
    if args.steps is not None:
        specs = [LadderSpec(**{**asdict(spec), "n_steps": args.steps}) for spec in specs]
    start = time.perf_counter()
    context = get_context("spawn")  # fresh interpreters: the BLAS setting above takes effect
    with ProcessPoolExecutor(max_workers=max(1, args.jobs), mp_context=context) as pool:
        futures = [pool.submit(train_one, spec, str(out_dir), args.seed)
                   for spec in sorted(specs, key=lambda s: -s.hidden_size)]  # largest first
        for future in as_completed(futures):
            record = future.result()
            write_record(out_dir, record)
            print(f"{record['name']}: {record['n_params']:,} params, train "
                  f"{record['train_bits_per_char']:.4f}, held-out "
                  f"{record['test_bits_per_char']:.4f} bits/char, "
                  f"{record['train_seconds']:.0f} s", flush=True)
    print(f"total wall time {time.perf_counter() - start:.0f} s", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())

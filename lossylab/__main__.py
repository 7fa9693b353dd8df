"""``python -m lossylab compress|decompress IN OUT``: the course's best compressor on any text.

``--model`` (default ``mix``: :func:`lossylab.adaptive.default_mix`; decompress: the file's).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

__all__: list[str] = []


def _model(name: str) -> Any:
    """The model called ``name``: ``mix``, a pretrained GRU, or ``ngram-K`` (counted here)."""
    from lossylab import adaptive, data, neural, ngram

    if name in ("mix", "mix-gru-256+ngram-6-o234567"):
        return adaptive.default_mix()
    if name in neural.pretrained_names():
        return neural.load_pretrained(name)
    order = name.removeprefix("ngram-")
    if order.isdigit() and int(order) <= ngram.MAX_ORDER:
        return ngram.NGramLM(int(order)).fit(data.shakespeare_split().train)
    raise ValueError(f"unknown model {name!r}; choose mix, one of {neural.pretrained_names()} "
                     f"or ngram-0 ... ngram-{ngram.MAX_ORDER}")


def _run(args: argparse.Namespace) -> str:
    """Do what ``args`` ask; return the summary line (ValueError/OSError on failure)."""
    from tqdm.auto import tqdm

    from lossylab import coding

    source, target = Path(args.input), Path(args.output)
    if target.exists() and not args.force:
        raise ValueError(f"{target} exists; choose another output file or pass --force")
    raw = source.read_bytes()
    bar = tqdm(disable=args.quiet or len(raw) < 100_000, unit="step", leave=False, delay=0.5)

    def progress(step: int, n_steps: int) -> None:
        bar.total = n_steps
        bar.update(step - bar.n)

    if args.command == "compress":
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError as err:
            raise ValueError(f"{source} is not UTF-8 text (byte {raw[err.start]:#04x} at offset "
                             f"{err.start}); lossylab compresses text files only") from None
        model = _model(args.model or "mix")
        out = coding.compress(text, model, progress=progress)
        summary = f"{len(text):,} characters -> {len(out):,} bytes " \
                  f"({8 * len(out) / max(len(text), 1):.3f} bits/char, {model.name})"
    else:
        header = coding.read_header(raw)  # not lossylab data, damaged, another version: refused
        model = _model(args.model or header.model_name)
        out = coding.decompress(raw, model, progress=progress).encode("utf-8")
        summary = f"{len(raw):,} bytes -> {header.n_chars:,} characters ({model.name})"
    bar.close()
    target.write_bytes(out)
    return summary


def _main(argv: list[str] | None = None) -> int:
    """Parse ``argv``, run, and return the exit status (0, or 1 with a message on stderr)."""
    from lossylab.data import DataError  # Tiny Shakespeare missing (the n-gram needs it)

    parser = argparse.ArgumentParser(prog="python -m lossylab", description=__doc__.split("\n")[0])
    parser.add_argument("command", choices=("compress", "decompress"))
    parser.add_argument("input", help="file to read")
    parser.add_argument("output", help="file to write (refused if it exists, unless --force)")
    parser.add_argument("--model", help="compress: default mix; decompress: the file's")
    parser.add_argument("--force", action="store_true", help="overwrite the output file")
    parser.add_argument("--quiet", action="store_true", help="no progress bar, no summary")
    args = parser.parse_args(argv)
    try:
        summary = _run(args)
    except (ValueError, OSError, DataError) as err:
        print(f"lossylab: error: {err}", file=sys.stderr)
        return 1
    if not args.quiet:
        print(summary)
    return 0


if __name__ == "__main__":
    sys.exit(_main())

"""Compressed files are portable: made under one CPU configuration, decoded under another.

Each configuration is a fresh Python process with its own BLAS kernel (``OPENBLAS_CORETYPE``),
thread count (``OPENBLAS_NUM_THREADS``) and numpy SIMD paths (``NPY_DISABLE_CPU_FEATURES``):
the encoder writes a GRU file, an n-gram file and two adaptive-mixture files (the default mix
and one learning from nothing), the decoder (another configuration) must give back the text
exactly. Also: one block stepped alone and in a batch of 4 sees bit-identical
probabilities (the coder relies on it).
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

import lossylab
from lossylab import data, neural

NARROW_SIMD = "X86_V3 X86_V4 AVX512_ICL AVX512_SPR"  # numpy without its AVX2 and AVX-512 paths
N_CHARS = 3000

# Run as a script: python <this file> encode|decode <directory>
_SCRIPT = """
import sys
from pathlib import Path
from lossylab import coding, data, neural
from lossylab.adaptive import AdaptiveMix, default_mix
from lossylab.ngram import NGramLM
split = data.shakespeare_split()
text = split.test[:{n_chars}]
gru = neural.load_pretrained("gru-256")
models = {{"gru": gru, "ngram": NGramLM(4).fit(split.train[:200_000]), "mix": default_mix(),
          "untrained": AdaptiveMix([], orders=range(8), vocab=gru.vocab)}}
folder = Path(sys.argv[2])
for label, model in models.items():
    path = folder / f"{{label}}.llab"
    if sys.argv[1] == "encode":
        path.write_bytes(coding.compress(text, model))
    else:
        assert coding.decompress(path.read_bytes(), model) == text, label
print("ok")
"""


def _run(mode: str, folder: Path, settings: dict[str, str]) -> None:
    """Run the encoder or decoder in a fresh process under ``settings`` (environment)."""
    env = {k: v for k, v in os.environ.items()
           if k not in ("OPENBLAS_CORETYPE", "OPENBLAS_NUM_THREADS", "NPY_DISABLE_CPU_FEATURES")}
    env.update(settings)
    env["PYTHONPATH"] = os.pathsep.join([str(Path(lossylab.__file__).resolve().parents[1]),
                                         env.get("PYTHONPATH", "")])
    result = subprocess.run([sys.executable, "-c", _SCRIPT.format(n_chars=N_CHARS), mode,
                             str(folder)], env=env, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0 and result.stdout.strip() == "ok", \
        f"{mode} under {settings} failed:\n{result.stdout}\n{result.stderr[-3000:]}"


@pytest.mark.parametrize(("encoder", "decoder"), [
    ({"OPENBLAS_CORETYPE": "SkylakeX", "OPENBLAS_NUM_THREADS": "1"},
     {"OPENBLAS_CORETYPE": "Prescott", "OPENBLAS_NUM_THREADS": "2",
      "NPY_DISABLE_CPU_FEATURES": NARROW_SIMD}),
    ({"OPENBLAS_CORETYPE": "Sandybridge", "OPENBLAS_NUM_THREADS": "2"},
     {"OPENBLAS_CORETYPE": "Nehalem", "OPENBLAS_NUM_THREADS": "1"}),
], ids=["skylakex-1-to-prescott-2-narrow-simd", "sandybridge-2-to-nehalem-1"])
def test_files_decode_under_another_cpu_configuration(tmp_path, encoder, decoder):
    _run("encode", tmp_path, encoder)
    assert (tmp_path / "gru.llab").stat().st_size > N_CHARS // 8
    _run("decode", tmp_path, decoder)


def test_one_block_alone_and_in_a_batch_of_four_sees_the_same_probabilities():
    model = neural.load_pretrained("gru-256")
    text = data.shakespeare_split().test
    blocks = np.stack([model.symbols(text[i * 500:i * 500 + 300]) for i in range(4)])
    batch, alone = model.initial_state(4), model.initial_state(1)
    for t in range(blocks.shape[1]):
        np.testing.assert_array_equal(model.probs(alone)[0], model.probs(batch)[2])
        batch = model.advance(batch, blocks[:, t])
        alone = model.advance(alone, blocks[2:3, t])

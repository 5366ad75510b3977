"""The ONNX encoder: unit vectors, one per text, the same whatever the threads or the batch."""

from __future__ import annotations

import json

import numpy as np

from steelman.judge import Encoder
from steelman.judge.encoder import encoder_dir

TEXTS = ["Rents fell 12% after the policy.", "You are wrong.", "Ωραία! 这是一个测试。 🚀"]


def test_vectors_are_unit_length_and_per_text(encoder: Encoder) -> None:
    v = encoder.encode(TEXTS)
    assert v.shape == (3, encoder.dim) and v.dtype == np.float32
    assert np.allclose(np.linalg.norm(v, axis=1), 1.0, atol=1e-5)
    assert encoder.encode([]).shape == (0, encoder.dim)


def test_same_vectors_whatever_the_threads_or_batch(encoder: Encoder) -> None:
    one_thread = Encoder(encoder.path, threads=1)
    many = encoder.encode(TEXTS)
    assert np.array_equal(one_thread.encode(TEXTS), Encoder(encoder.path, threads=3).encode(TEXTS))
    assert np.array_equal(one_thread.encode(TEXTS[1:2])[0], one_thread.encode(TEXTS)[1])
    assert np.allclose(many, one_thread.encode(TEXTS), atol=1e-5)


def test_similar_texts_are_closer_than_unrelated_ones(encoder: Encoder) -> None:
    a, b, c = encoder.encode(
        ["The rent went down last year.", "Last year rents dropped.", "I like green tea."]
    )
    assert float(a @ b) > float(a @ c)


def test_encoder_folder_comes_from_the_environment(tmp_path: object) -> None:
    assert encoder_dir({"STEELMAN_ENCODER_DIR": "/x/y"}).as_posix() == "/x/y"
    assert encoder_dir({"XDG_CACHE_HOME": "/c"}).as_posix().startswith("/c/steelman/")
    manifest = json.loads((encoder_dir() / "manifest.json").read_text())
    assert manifest["dim"] == 384 and len(manifest["sha256"]) == 64

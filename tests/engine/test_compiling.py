"""torch.compile as an option: a failure (here a compiler that raises on the first call, as a missing C
compiler does) falls back to the eager module with the reason in words, in a run too."""

from __future__ import annotations

import torch
from torch import nn

from cnnstudio.engine import TrainConfig, compiling, train
from cnnstudio.engine.compiling import compile_module

from .conftest import of_kind, small_net, stripe_split

COMPILED = TrainConfig(epochs=1, batch_size=32, compile=True)


def test_a_compiler_failure_on_the_first_call_falls_back_to_eager(monkeypatch):
    def failing_compile(module, mode):
        def call(x):
            raise RuntimeError("InductorError: CppCompileError: C++ compile error\nfull log follows ...")

        return call

    monkeypatch.setattr(compiling.torch, "compile", failing_compile)
    module = nn.Linear(4, 2)
    result = compile_module(module, torch.zeros(1, 4))
    assert result.module is module and not result.compiled
    assert result.note == (
        "torch.compile failed, running eager PyTorch instead: RuntimeError: InductorError: CppCompileError: "
        "C++ compile error"
    )


def test_a_working_compiler_is_checked_on_the_example_before_it_is_used(monkeypatch):
    calls = []

    def recording_compile(module, mode):
        def call(x):
            calls.append((mode, tuple(x.shape)))
            return module(x)

        return call

    monkeypatch.setattr(compiling.torch, "compile", recording_compile)
    result = compile_module(nn.Linear(4, 2), torch.zeros(3, 4), mode="reduce-overhead")
    assert result.compiled and calls == [("reduce-overhead", (3, 4))]
    assert result.note.startswith("compiled with torch.compile (mode reduce-overhead) in ")


def test_a_run_with_compile_trains_through_the_compiled_module_or_says_why_it_could_not(monkeypatch, tmp_path):
    calls = []

    def recording_compile(module, mode):
        def call(x):
            calls.append(tuple(x.shape))
            return module(x)

        return call

    monkeypatch.setattr(compiling.torch, "compile", recording_compile)
    events = list(
        train(small_net(), stripe_split(), TrainConfig(epochs=1, batch_size=32, compile=True), tmp_path / "a")
    )
    (started,) = of_kind(events, "started")
    assert any(note.startswith("compiled with torch.compile") for note in started.notes)
    assert len(calls) == 1 + 240 // 32  # the check, then every training step (validation runs eager)
    assert of_kind(events, "finished")

    def failing_compile(module, mode):
        def call(x):
            raise RuntimeError("no C compiler")

        return call

    monkeypatch.setattr(compiling.torch, "compile", failing_compile)
    events = list(
        train(small_net(), stripe_split(), TrainConfig(epochs=1, batch_size=32, compile=True), tmp_path / "b")
    )
    (started,) = of_kind(events, "started")
    assert "torch.compile failed, running eager PyTorch instead: RuntimeError: no C compiler" in started.notes
    assert of_kind(events, "finished") and not of_kind(events, "error")

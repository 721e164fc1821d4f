"""Mutation fuzzing of network files: load → validate → analyze → build never raises unexpectedly,
and every message names the node or the field at fault."""

import json
import random

import torch
from design_fuzzing import FIELDS, FUZZ_FILES, SEEDS, mutate
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cnnstudio.graph import NetworkFileError, loads_network
from cnnstudio.pytorch import analyze, build_module


@settings(max_examples=FUZZ_FILES, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True)
@given(seed=st.integers(0, 2**32 - 1), base=st.sampled_from(range(len(SEEDS))))
def test_mutated_files_never_crash_and_explain_themselves(seed, base):
    rng = random.Random(seed)
    text = json.dumps(mutate(SEEDS[base], rng))
    try:
        loaded = loads_network(text, source="fuzz.cnn.json")
    except NetworkFileError as error:
        message = str(error)
        assert message.startswith("fuzz.cnn.json: ")
        assert any(field in message for field in FIELDS), message
        return
    graph = loaded.graph
    analysis = analyze(graph)
    for problem in loaded.problems + analysis.problems:
        assert problem.message
        assert problem.node is None or problem.node in graph.nodes or "ignored" in problem.message
    if analysis.valid:
        module = build_module(graph).eval()
        shape = analysis.input_shape
        with torch.no_grad():
            output = module(torch.zeros(1, *shape))
        assert tuple(output.shape[1:]) == analysis.output_shape

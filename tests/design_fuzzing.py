"""Mutated network files for fuzzing (tests/graph/test_fuzz_files.py, tests/ui/test_fuzz_open.py).

Mutations start from real templates and break the file's structure, a node's type, parameters, ids or
edges, so that all three outcomes are well covered: file errors, designs with errors, and valid designs.
"""

import copy
import os
import random

from cnnstudio.graph.catalog import LAYERS
from cnnstudio.graph.templates import load_template

# Files per fuzzing test. The suite runs 600 to stay within CI's time; CNNSTUDIO_FUZZ_FILES=2000 runs the
# 2,000 whose outcomes the README's reliability table gives.
FUZZ_FILES = int(os.environ.get("CNNSTUDIO_FUZZ_FILES", "600"))
SEEDS = [load_template(name).to_dict() for name in ("xo", "lenet5", "cifar_resnet")]
FIELDS = ("nodes[", "edges[", '"format"', "version", '"name"', "JSON", "expected a JSON object", '"nodes"', '"edges"')
JUNK = [
    None,
    True,
    -1,
    0,
    3,
    2.5,
    1e308,
    float("nan"),
    "",
    "same",
    "x" * 300,
    [],
    [3],
    [1, 2, 3],
    {},
    {"a": 1},
    [[1]],
    "Conv2d",
    -(10**12),
]


# Mutations that break the file's structure (5-8, 10, 11) are rarer than the ones that make a wrong design,
# so all three outcomes are well covered: file errors, designs with errors, and valid designs that build.
MUTATION_WEIGHTS = (4, 6, 2, 3, 2, 1, 1, 1, 1, 2, 1, 0.3)


def mutate(document: dict, rng: random.Random) -> object:
    doc = copy.deepcopy(document)
    nodes, edges = doc["nodes"], doc["edges"]
    for _ in range(rng.randint(1, 4)):
        choice = rng.choices(range(12), weights=MUTATION_WEIGHTS)[0]
        node = rng.choice(nodes) if nodes else None
        if choice == 0 and node:
            node["type"] = rng.choice(list(LAYERS) + ["Blob", "", 7])
        elif choice == 1 and node:
            spec = LAYERS.get(node["type"]) if isinstance(node.get("type"), str) else None
            names = [p.name for p in spec.params] if spec else []
            if not isinstance(node.get("params"), dict):
                node["params"] = {}
            node["params"][rng.choice(names + ["bogus"])] = rng.choice(JUNK + list(range(0, 12)))
        elif choice == 2 and nodes:
            nodes.pop(rng.randrange(len(nodes)))
        elif choice == 3 and nodes and len(nodes) > 1:
            a, b = rng.sample(nodes, 2)
            edges.append([a.get("id"), b.get("id")])
        elif choice == 4 and edges:
            edges.pop(rng.randrange(len(edges)))
        elif choice == 5 and node:
            node[rng.choice(["id", "pos", "params", "trainable"])] = rng.choice(JUNK)
        elif choice == 6 and node:
            nodes.append(copy.deepcopy(node))
        elif choice == 7 and edges:
            edges[rng.randrange(len(edges))] = rng.choice(JUNK)
        elif choice == 8:
            doc[rng.choice(["version", "format", "name", "nodes", "edges", "description"])] = rng.choice(JUNK)
        elif choice == 9 and edges:
            rng.shuffle(edges)
        elif choice == 10 and node:
            node["id"] = rng.choice(["forward", "class", "a b", "ok_id", "x1", "input"])
        elif choice == 11:
            return rng.choice(JUNK)
    return doc

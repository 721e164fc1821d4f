"""Does torch.compile pay on this machine? Eager against compiled PyTorch, in one run, for the modules the app
builds from its templates:

  train lenet5    images/s of forward + backward + Adam step, LeNet-5 on 28×28, batch 64
  train resnet    the same for the CIFAR ResNet-20 template on 32×32, batch 64
  infer resnet18  latency of one forward pass of ResNet-18 at 224², batch 1 and batch 32 (the one latency
                  measure of the app: warm-up, device synchronised, median of repeats)

The compiled side is `cnnstudio.engine.compiling.compile_module` (torch.compile, mode "default"), which is
what `--compile` uses; its compile time is reported apart and not counted in the rates. Eager and compiled
steps alternate so that load from other programs hits both alike. The last line gives every ratio
(compiled against eager speed; above 1 means compile pays) and ends with the worst one: `worst ratio: X`.

    python benchmarks/compile.py [--device cpu] [--repeats 3] [--steps 20]
"""

from __future__ import annotations

import argparse
import statistics
import time

import torch
from torch import nn

from cnnstudio.engine.compiling import compile_module
from cnnstudio.engine.device import resolve_device
from cnnstudio.engine.latency import measure_latency, synchronize
from cnnstudio.graph.templates import load_template
from cnnstudio.pytorch import build_module

BATCH = 64


def training_rate(model: nn.Module, step, x: torch.Tensor, y: torch.Tensor, steps: int, device: torch.device) -> float:
    """Images per second of `steps` training steps (after one untimed step)."""
    step(x, y)
    synchronize(device)
    start = time.perf_counter()
    for _ in range(steps):
        step(x, y)
    synchronize(device)
    return steps * x.shape[0] / (time.perf_counter() - start)


def training_step(model: nn.Module, forward: nn.Module):
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
    loss_function = nn.CrossEntropyLoss()

    def step(x: torch.Tensor, y: torch.Tensor) -> None:
        optimizer.zero_grad(set_to_none=True)
        loss_function(forward(x), y).backward()
        optimizer.step()

    return step


def compare_training(template: str, size: int, device: torch.device, repeats: int, steps: int) -> tuple[float, float]:
    graph = load_template(template)
    model = build_module(graph, logits=True).to(device).train()
    channels = 1 if template == "lenet5" else 3
    x = torch.randn(BATCH, channels, size, size, device=device)
    y = torch.randint(0, 10, (BATCH,), device=device)
    compiled = compile_module(model, x)
    print(f"  {template}: {compiled.note}")
    eager_step, compiled_step = training_step(model, model), training_step(model, compiled.module)
    eager, fast = [], []
    for _ in range(repeats):
        eager.append(training_rate(model, eager_step, x, y, steps, device))
        fast.append(training_rate(model, compiled_step, x, y, steps, device))
    return statistics.median(eager), statistics.median(fast)


def compare_inference(device: torch.device, repeats: int) -> dict[int, tuple[float, float]]:
    model = build_module(load_template("resnet18")).to(device).eval()
    results = {}
    for batch in (1, 32):
        example = torch.zeros(batch, 3, 224, 224, device=device)
        compiled = compile_module(model, example)
        print(f"  resnet18 batch {batch}: {compiled.note}")
        eager, fast = [], []
        for _ in range(repeats):
            eager.append(measure_latency(model, (3, 224, 224), device, batch=batch, repeats=5).median_ms)
            fast.append(measure_latency(compiled.module, (3, 224, 224), device, batch=batch, repeats=5).median_ms)
        results[batch] = statistics.median(eager), statistics.median(fast)
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--device", default="cpu")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--steps", type=int, default=20)
    args = parser.parse_args()
    device = resolve_device(args.device)
    print(f"torch {torch.__version__} on {device}, {torch.get_num_threads()} threads")
    ratios = {}
    for template, size in (("lenet5", 28), ("cifar_resnet", 32)):
        eager, fast = compare_training(template, size, device, args.repeats, args.steps)
        ratios[f"train {template} images/s"] = (fast, eager, fast / eager)
        print(f"train {template}: eager {eager:,.0f} images/s, compiled {fast:,.0f} images/s")
    for batch, (eager, fast) in compare_inference(device, args.repeats).items():
        ratios[f"infer resnet18 b{batch} ms"] = (fast, eager, eager / fast)
        print(f"infer resnet18 batch {batch}: eager {eager:.1f} ms, compiled {fast:.1f} ms")
    name, (value, baseline, worst) = min(ratios.items(), key=lambda item: item[1][2])
    print(f"worst case, {name}: compiled {value:,.1f} (eager baseline: {baseline:,.1f})")
    each = ", ".join(f"{key} {ratio:.2f}" for key, (_, _, ratio) in ratios.items())
    print(f"compiled/eager (> 1: compile pays): {each}; worst ratio: {worst:.2f}")


if __name__ == "__main__":
    main()

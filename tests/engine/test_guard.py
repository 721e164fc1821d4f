import torch

from cnnstudio.engine.guard import StepGuard


def test_on_the_cpu_each_step_is_judged_at_once():
    guard = StepGuard(torch.device("cpu"))
    assert guard.lag == 0
    assert guard.observe(torch.tensor(0, dtype=torch.uint8)) == (0, False)
    assert guard.observe(torch.tensor(2, dtype=torch.uint8)) == (2, False)
    assert guard.observe(torch.tensor(0, dtype=torch.uint8), stop=True) == (0, True)
    assert guard.flush() == (0, False)

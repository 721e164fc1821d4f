"""The command-line tests use the fixtures of the packages whose commands they drive."""

from tests.camera.conftest import no_capture_thread_left_behind
from tests.engine.conftest import one_cpu_thread
from tests.pretrained.conftest import empty_torch_cache
from tests.viz.conftest import efficientnet, lenet

__all__ = ["efficientnet", "empty_torch_cache", "lenet", "no_capture_thread_left_behind", "one_cpu_thread"]

"""The sweep tests train the X/O template on the X/O data: a trial takes a fraction of a second."""

from tests.engine.conftest import one_cpu_thread

__all__ = ["one_cpu_thread"]

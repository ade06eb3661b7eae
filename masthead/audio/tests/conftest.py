import pytest

from masthead.audio import engines


class BrokenEngine(engines.Engine):
    """An engine plugged in through the public interface that always fails, as a hosted one might."""

    calls = 0

    def __init__(self, voice):
        self.name = f"broken:{voice}"

    def synthesize(self, text):
        BrokenEngine.calls += 1
        raise RuntimeError("the speech service answered 503")


@pytest.fixture
def broken_engine():
    BrokenEngine.calls = 0
    engines.register("broken", BrokenEngine)
    yield BrokenEngine
    engines.ENGINES.pop("broken", None)

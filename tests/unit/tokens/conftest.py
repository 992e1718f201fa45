import pytest


@pytest.fixture(scope="session", autouse=True)
def _token_session(w3):
    """Session fixtures before any per-test snapshot (ape pitfall P8)."""

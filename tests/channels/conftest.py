"""One running bot (default settings, free ports) shared by the channel tests of a session."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.stack import Stack, start_stack


@pytest.fixture(scope="session")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    """The bot as `make run` starts it, with its own ports, SQLite file and logs."""
    running = start_stack(tmp_path_factory.mktemp("stack"))
    yield running
    running.stop()

"""Real PostgreSQL and Redis for the session, two bots that share them, and a bot on SQLite.

The SQLite bot's action server is under the tests' control.

Everything is started once per test session on free loopback ports (tests/production/
services.py) and stopped at its end, leaving no process and no file behind.
"""

from __future__ import annotations

from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

import pytest

from tests.production.services import (
    ActionServerPort,
    Deployment,
    Pair,
    Postgres,
    Redis,
    ensure_installed,
)
from tests.stack import Stack, free_port, start_stack


@pytest.fixture(scope="session")
def postgres() -> Iterator[Postgres]:
    """A throwaway PostgreSQL server with an empty `wbc` database."""
    ensure_installed()
    server = Postgres().setup()
    yield server
    server.cleanup()


@pytest.fixture(scope="session")
def redis_server() -> Iterator[Redis]:
    """A throwaway Redis server, the lock store both bots share."""
    ensure_installed()
    server = Redis().start()
    yield server
    server.cleanup()


@pytest.fixture(scope="session")
def pair(
    postgres: Postgres, redis_server: Redis, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Pair]:
    """Bots A and B, started side by side (no proxy between them and the tests)."""
    shared = {"TRACKER_STORE_URL": postgres.url, "LOCK_STORE_URL": redis_server.url}
    a_actions = free_port()
    settings = {
        "a": {**shared, "ACTIONS_PORT": str(a_actions)},
        "b": {**shared, "ACTION_SERVER_URL": f"http://127.0.0.1:{a_actions}/webhook"},
    }
    with ThreadPoolExecutor(2) as pool:
        starting = [
            pool.submit(start_stack, tmp_path_factory.mktemp(f"bot-{name}"), **values)
            for name, values in settings.items()
        ]
    stacks = [future.result() for future in starting if future.exception() is None]
    if len(stacks) < len(starting):  # stop the one that did start, then report the failure
        for stack in stacks:
            stack.stop()
        next(future.result() for future in starting if future.exception() is not None)
    yield Pair(*stacks)
    for stack in stacks:
        stack.stop()


@pytest.fixture(scope="session")
def actions(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ActionServerPort]:
    """The port the SQLite bot calls for its actions, with the real action server on it."""
    port = ActionServerPort(tmp_path_factory.mktemp("actions") / "actions.log")
    port.start_real()
    yield port
    port.stop()


@pytest.fixture(scope="session")
def sqlite_bot(
    actions: ActionServerPort, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Stack]:
    """One bot with the default kind of store (SQLite) and the action server on `actions`."""
    stack = start_stack(tmp_path_factory.mktemp("bot-sqlite"), ACTION_SERVER_URL=actions.url)
    yield stack
    stack.stop()


@pytest.fixture(params=["sqlite", "postgresql"])
def deployment(request: pytest.FixtureRequest) -> Deployment:
    """Each kind of store in turn: one bot on SQLite, or bots A and B on PostgreSQL."""
    if request.param == "sqlite":
        bot: Stack = request.getfixturevalue("sqlite_bot")
        return Deployment(bot, bot, bot.values["TRACKER_STORE_URL"])
    pair: Pair = request.getfixturevalue("pair")
    return Deployment(pair.a, pair.b, pair.a.values["TRACKER_STORE_URL"])

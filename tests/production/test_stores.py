"""Two Rasa servers on one PostgreSQL tracker store and one Redis lock store serve the same chats.

Context follows a conversation from one server to the other, concurrent conversations never mix,
and simultaneous messages of one conversation are all kept (the lock store hands out each ticket
once). On SQLite and on PostgreSQL, "forget my data" deletes exactly one conversation, and a
restarted server carries on where the conversation was.
"""

from __future__ import annotations

import re
import time
from concurrent.futures import ThreadPoolExecutor

import pytest
from rasa.core.lock_store import LockStore
from rasa.utils.endpoints import EndpointConfig

from bot.judge.safety import TROUBLE_TEXT
from server.lock_store import UrlLockStore
from tests.production.services import Deployment, Pair, Postgres, Redis, stored_events
from tests.stack import texts

pytestmark = pytest.mark.stack

# "Your white count of 3.2 (read as 3,200) is low ..." or "Your white count of 2,800 is low ..."
COUNT = re.compile(r"white count of ([\d.,]+)(?: \((?:read as )?([\d,]+)\))?")
INTRO = "I give general information"
CHILD_RANGE = "for a 3-year-old"
EMERGENCY = "Seek emergency care now"


def counts_in(reply: str) -> list[str]:
    """The counts the bot says it read ("3,200"), in the order it mentions them."""
    return [read or typed for typed, read in COUNT.findall(reply)]


def test_conversation_moves_between_servers_with_its_context(pair: Pair) -> None:
    """A value given to server A is used by B for the next message, and by A after that."""
    first = texts(pair.a.post("alternating", "my wbc is 3.2"))
    second = texts(pair.b.post("alternating", "she is 3"))
    third = texts(pair.a.post("alternating", "and I have a fever now"))

    assert counts_in(first) == ["3,200"]
    assert counts_in(second) == ["3,200"] and CHILD_RANGE in second
    assert INTRO not in second  # B knows the introduction was given on A
    assert EMERGENCY in third  # a fever after a low count, known from the earlier turns


def test_fifty_concurrent_conversations_each_get_only_their_own_replies(pair: Pair) -> None:
    """50 conversations at once, alternating servers: every reply names its own count."""
    values = [round(2.0 + n / 10, 1) for n in range(1, 51)]  # 2.1 ... 7.0

    def converse(n: int) -> tuple[str, str]:
        first, second = (pair.a, pair.b) if n % 2 else (pair.b, pair.a)
        sender = f"concurrent-{n}"
        return (
            texts(first.post(sender, f"my wbc is {values[n]}")),
            texts(second.post(sender, "she is 3")),
        )

    with ThreadPoolExecutor(len(values)) as pool:
        replies = list(pool.map(converse, range(len(values))))

    for value, (first, second) in zip(values, replies, strict=True):
        own = f"{round(value * 1000):,}"
        assert TROUBLE_TEXT not in first + second
        assert counts_in(first) == [own], first
        assert counts_in(second) == [own] and CHILD_RANGE in second, second


def test_two_processes_taking_tickets_at_once_never_get_the_same_one(
    redis_server: Redis,
) -> None:
    """Two lock stores taking 200 tickets each at once get 400 different ones (Rasa's: ~260)."""
    stores = [UrlLockStore(EndpointConfig(url=redis_server.url)) for _ in range(2)]

    def take(store: LockStore) -> list[int]:
        return [store.issue_ticket("ticket-race") for _ in range(200)]

    with ThreadPoolExecutor(len(stores)) as pool:
        tickets = [ticket for batch in pool.map(take, stores) for ticket in batch]

    assert len(set(tickets)) == len(tickets) == 400


def test_simultaneous_messages_of_one_conversation_are_all_kept(
    pair: Pair, postgres: Postgres
) -> None:
    """Messages of one conversation sent to both servers at once are all stored, none doubled."""
    senders = [f"simultaneous-{n}" for n in range(16)]
    messages = ["my wbc is 3.2", "she is 3", "what could cause it?", "thanks"]
    for sender in senders:
        pair.a.post(sender, "hi")

    def send(job: tuple[str, int]) -> None:
        sender, n = job
        (pair.a if n % 2 else pair.b).post(sender, messages[n])

    with ThreadPoolExecutor(len(senders) * len(messages)) as pool:
        list(pool.map(send, [(s, n) for s in senders for n in range(len(messages))]))

    # A message that waited for the lock past the deadline got the trouble reply, but is
    # still handled; wait for the last of them.
    turns = 1 + len(messages)

    def stored_turns() -> list[int]:
        return [stored_events(postgres.url, s, "user") for s in senders]

    deadline = time.monotonic() + 30
    while stored_turns() != [turns] * len(senders) and time.monotonic() < deadline:
        time.sleep(0.5)
    assert stored_turns() == [turns] * len(senders)


@pytest.mark.parametrize("request_text", ["forget my data", "/forget"])
def test_forget_deletes_exactly_that_conversation_from_the_store(
    deployment: Deployment, request_text: str
) -> None:
    """After "forget my data" (or /forget) its rows are gone; other conversations stay."""
    forgetful, other = f"forget-{request_text}", f"keep-{request_text}"
    deployment.first.post(other, "my wbc is 5.5")
    deployment.first.post(forgetful, "my wbc is 4.4")
    deployment.second.post(forgetful, "she is 3")
    kept = stored_events(deployment.tracker_store_url, other)
    assert stored_events(deployment.tracker_store_url, forgetful) > 0

    reply = texts(deployment.second.post(forgetful, request_text))

    assert "erased" in reply
    assert stored_events(deployment.tracker_store_url, forgetful) == 0
    assert stored_events(deployment.tracker_store_url, other) == kept
    assert counts_in(texts(deployment.first.post(forgetful, "she is 3"))) == []  # count gone


def test_restarted_server_continues_the_conversation(deployment: Deployment) -> None:
    """Stopped (SIGTERM) and started again mid-conversation, the bot still uses the count."""
    sender = f"restart-{deployment.tracker_store_url.split(':')[0]}"
    deployment.second.post(sender, "my wbc is 2.8")

    assert deployment.second.stop() == 0
    deployment.second.start()

    reply = texts(deployment.second.post(sender, "she is 3"))
    assert counts_in(reply) == ["2,800"] and CHILD_RANGE in reply

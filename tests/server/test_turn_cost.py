"""server/rasa_tuning.py: each part of a turn gets only what the turn needs.

The policies, the action server and a copy of a tracker get only what a turn needs, however long
the conversation, with the same predictions and the same state (docs/scaling.md).
"""

from __future__ import annotations

import copy
import random
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from rasa.core.actions.action import RemoteAction
from rasa.core.featurizers.tracker_featurizers import MaxHistoryTrackerFeaturizer
from rasa.core.policies.ensemble import DefaultPolicyPredictionEnsemble
from rasa.core.policies.policy import PolicyPrediction
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import (
    ActionExecuted,
    ActionReverted,
    ActiveLoop,
    BotUttered,
    DefinePrevUserUtteredFeaturization,
    EntitiesAdded,
    Event,
    Restarted,
    SessionStarted,
    SlotSet,
    UserUtteranceReverted,
    UserUttered,
)
from rasa.shared.core.trackers import DialogueStateTracker, EventVerbosity

from bot.yaml_files import read_yaml
from server import rasa_tuning
from server.rasa_tuning import (
    POLICY_HISTORY_TURNS,
    copy_state,
    copy_tracker,
    latest_turn,
    recent_history,
)
from server.settings import ROOT

DOMAIN = Domain.load(ROOT / "domain.yml")
INTENTS = ["greet", "inform_wbc_value", "inform", "ask_causes", "report_symptom", "thank"]


def long_conversation(turns: int) -> DialogueStateTracker:
    """`turns` user messages as the bot stores them: message, reply, changed slots, listen."""
    tracker = DialogueStateTracker("alice", DOMAIN.slots)
    for event in (ActionExecuted("action_session_start"), SessionStarted()):
        tracker.update(event)
    tracker.update(ActionExecuted("action_listen"))
    for n in range(turns):
        intent = INTENTS[n % len(INTENTS)]
        entities = [{"entity": "wbc_value", "value": "3.2"}] if intent == "inform_wbc_value" else []
        tracker.update(UserUttered(f"message {n}", {"name": intent}, entities))
        tracker.update(DefinePrevUserUtteredFeaturization(False))
        tracker.update(ActionExecuted("action_respond"))
        tracker.update(BotUttered(f"reply {n}"))
        tracker.update(SlotSet("age_years", float(n)))
        tracker.update(ActionExecuted("action_listen"))
    return tracker


def states(tracker: DialogueStateTracker, last: int) -> list[Any]:
    return tracker.past_states(DOMAIN)[-last:]


@pytest.mark.parametrize("turns", [POLICY_HISTORY_TURNS + 1, 40])
def test_the_recent_history_gives_the_policies_the_same_last_states(turns: int) -> None:
    """The recent history gives the policies the same last states as the whole tracker.

    The same for more than the rules and the memoization policy look at; the window's length does
    not grow with the conversation.
    """
    tracker = long_conversation(turns)
    tracker.update(UserUttered("my wbc is 2.9", {"name": "inform_wbc_value"}))
    recent = recent_history(tracker, DOMAIN)

    assert recent is not tracker
    assert len(recent.events) <= 2 + POLICY_HISTORY_TURNS * 6
    same = 2 * POLICY_HISTORY_TURNS - 1  # all but the window's first state (no action yet)
    assert states(recent, same) == states(tracker, same)
    assert states(recent, same + 1) != states(tracker, same + 1)
    assert recent.latest_message == tracker.latest_message
    assert recent.latest_action_name == tracker.latest_action_name


def test_config_max_history_and_rules_fit_in_the_window() -> None:
    """MemoizationPolicy's max_history and every rule fit in the policies' window.

    The window is two actions per user turn, all but its first state the tracker's; no rule needs
    the start of the conversation.
    """
    config = read_yaml(ROOT / "config.yml")
    policies = {policy["name"]: policy for policy in config["policies"]}
    assert set(policies) <= {"MemoizationPolicy", "RulePolicy"}
    assert 0 < policies["MemoizationPolicy"]["max_history"] <= 2 * POLICY_HISTORY_TURNS - 1
    rules = sorted(Path(ROOT / "data" / "rules").glob("*.yml"))
    assert rules
    for path in rules:
        for rule in read_yaml(path).get("rules", []):
            assert not rule.get("conversation_start"), rule["rule"]
            assert not rule.get("condition"), rule["rule"]
            assert len(rule["steps"]) <= 2 * POLICY_HISTORY_TURNS - 1, rule["rule"]


def test_short_or_rewritten_histories_are_given_whole() -> None:
    """Fewer turns than the window, or an event that rewrites earlier ones: the tracker."""
    short = long_conversation(POLICY_HISTORY_TURNS - 1)
    assert recent_history(short, DOMAIN) is short
    reverted = long_conversation(20)
    reverted.update(UserUtteranceReverted())
    assert recent_history(reverted, DOMAIN) is reverted


def test_a_slot_that_influences_the_conversation_keeps_the_whole_history() -> None:
    """Its value from before the window would be missing from the policies' states."""
    influencing = Domain.from_dict(
        {
            "intents": ["greet"],
            "slots": {"flag": {"type": "bool", "mappings": [{"type": "custom"}]}},
        }
    )
    tracker = DialogueStateTracker("alice", influencing.slots)
    tracker.update(ActionExecuted("action_listen"))
    for n in range(20):
        tracker.update(UserUttered(f"message {n}", {"name": "greet"}))
        tracker.update(ActionExecuted("action_listen"))
    assert recent_history(tracker, influencing) is tracker


def test_the_action_server_gets_the_state_and_the_latest_turn() -> None:
    """Slots, latest message and latest action as Rasa sends them; events since the turn began."""
    tracker = long_conversation(60)
    tracker.update(UserUttered("she is 3", {"name": "inform"}))
    tracker.update(DefinePrevUserUtteredFeaturization(False))
    full = tracker.current_state(EventVerbosity.ALL)

    sent = latest_turn(tracker).current_state(EventVerbosity.ALL)

    assert [event["event"] for event in sent["events"]] == [
        "action",
        "user",
        "user_featurization",
    ]
    assert sent["events"] == full["events"][-3:]
    assert {key: value for key, value in sent.items() if key != "events"} == {
        key: value for key, value in full.items() if key != "events"
    }
    assert len(tracker.events) == 3 + 60 * 6 + 2  # the tracker itself is unchanged


@pytest.fixture
def tuned() -> Iterator[None]:
    """The tuning applied; Rasa's own methods back afterwards."""
    resolve = RemoteAction._validate_action_result
    rasa_tuning.apply(2.5)
    yield
    rasa_tuning.undo()
    RemoteAction._validate_action_result = resolve


def test_the_action_call_carries_only_the_latest_turn(tuned: None) -> None:
    tracker = long_conversation(30)
    tracker.update(UserUttered("she is 3", {"name": "inform"}))
    call = RemoteAction("action_respond", None)._action_call_format(tracker, DOMAIN)
    assert len(call["tracker"]["events"]) == 2
    assert call["tracker"]["slots"]["age_years"] == 29.0
    assert call["tracker"]["latest_message"]["text"] == "she is 3"


def test_a_copy_is_rasas_copy_without_the_replay(tuned: None) -> None:
    """DialogueStateTracker.copy() gives Rasa's state and events, without the replay.

    Changing the copy (as a turn does) leaves the original alone.
    """
    tracker = long_conversation(30)
    tracker.update(UserUttered("she is 3", {"name": "inform"}))
    tracker.model_id = "model"
    rasas = rasa_tuning.RASAS["copy"](tracker)
    before = copy.deepcopy(tracker.current_state(EventVerbosity.ALL))

    ours = tracker.copy()

    assert ours.current_state(EventVerbosity.ALL) == rasas.current_state(EventVerbosity.ALL)
    assert (ours.model_id, ours.assistant_id) == (rasas.model_id, rasas.assistant_id)
    ours.update(EntitiesAdded([{"entity": "anc_value", "value": "800"}]))
    ours.update(SlotSet("age_years", 99.0))
    ours.update(DefinePrevUserUtteredFeaturization(True))
    assert tracker.current_state(EventVerbosity.ALL) == before


def test_apply_twice_keeps_rasas_own_methods(tuned: None) -> None:
    rasas = dict(rasa_tuning.RASAS)
    rasa_tuning.apply(2.5)
    assert rasas == rasa_tuning.RASAS
    assert DialogueStateTracker.copy is copy_tracker

    assert list(Path(ROOT / "data" / "rules").glob("*.yml"))  # where the window test reads


def test_applied_events_are_rasas_as_a_conversation_grows(tuned: None) -> None:
    """Random events (restarts, sessions, reverts, loops) and copies: always Rasa's list."""
    chance = random.Random(15)
    makers: list[Callable[[], Event]] = [
        lambda: ActionExecuted("action_listen"),
        lambda: UserUttered("my wbc is 3.2", {"name": "inform_wbc_value"}),
        lambda: ActionExecuted("action_respond"),
        lambda: BotUttered("a reply"),
        lambda: SlotSet("age_years", chance.random()),
        Restarted,
        SessionStarted,
        UserUtteranceReverted,
        ActionReverted,
        lambda: ActiveLoop(chance.choice(["a_form", None])),
        lambda: ActionExecuted("a_form"),
    ]
    weights = [20, 20, 20, 10, 10, 1, 1, 1, 1, 1, 1]
    tracker = DialogueStateTracker("alice", DOMAIN.slots)
    for _ in range(1500):
        tracker.update(chance.choices(makers, weights)[0]())
        if chance.random() < 0.3:
            assert tracker.applied_events() == rasa_tuning.RASAS["applied_events"](tracker)
        if chance.random() < 0.02:
            tracker = tracker.copy() if chance.random() < 0.5 else copy_state(tracker)


def test_a_copy_remembers_its_own_events(tuned: None) -> None:
    """The applied events of a copy hold the copy's latest message, not the original's."""
    tracker = long_conversation(10)
    tracker.update(UserUttered("she is 3", {"name": "inform"}))
    tracker.update(ActionExecuted("action_respond"))
    tracker.applied_events()
    clone = copy_state(tracker)
    applied = clone.applied_events()

    assert applied == rasa_tuning.RASAS["applied_events"](clone)
    assert any(event is clone.latest_message for event in applied)
    assert not any(event is tracker.latest_message for event in applied)


def test_no_user_featurization_event_the_policies_read_the_same(tuned: None) -> None:
    """Without the `user_featurization` event, the policies read the same states.

    The winning prediction no longer adds it; the policies' states of the conversation are the same,
    reading the intent or the text.
    """
    tracker = long_conversation(8)
    tracker.update(UserUttered("she is 3", {"name": "inform"}))
    ensemble = DefaultPolicyPredictionEnsemble.__new__(DefaultPolicyPredictionEnsemble)
    prediction = PolicyPrediction.for_action_name(DOMAIN, "action_respond", "RulePolicy")

    rasas = rasa_tuning.RASAS["combine_predictions"](
        ensemble, [copy.deepcopy(prediction)], tracker, DOMAIN
    )
    ours = ensemble.combine_predictions([copy.deepcopy(prediction)], tracker, DOMAIN)

    assert [type(e) for e in rasas.events] == [DefinePrevUserUtteredFeaturization]
    assert ours.events == [] and ours.max_confidence == rasas.max_confidence

    stored = [  # as read back from the store, where the message knows nothing of it
        Event.from_parameters(event.as_dict())
        for event in tracker.events
        if not isinstance(event, DefinePrevUserUtteredFeaturization)
    ]
    without = DialogueStateTracker.from_events("alice", stored, DOMAIN.slots)
    assert without.latest_message is not None
    assert without.latest_message.use_text_for_featurization is None
    featurizer = MaxHistoryTrackerFeaturizer(max_history=None)
    for text in (False, True):
        assert featurizer.prediction_states(
            [without], DOMAIN, use_text_for_last_user_input=text
        ) == featurizer.prediction_states([tracker], DOMAIN, use_text_for_last_user_input=text)

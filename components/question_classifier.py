"""QuestionIntentClassifier: finds the question inside a long message (docs/understanding.md).

Real messages are stories with the question somewhere inside ("My husband is on chemo ... his
count was 1.9. Will it come back before the next cycle?"). A classifier of the whole text follows
the story's words; this one also classifies each sentence and weighs the question sentences
(ending in "?", opening with a question word, or an indirect question: "I'd like to understand
why...", "Do I need to worry...", "Would it make sense to...") above the story sentences, then
combines them with the whole text. In training, the question sentences of a multi-sentence
example are added as examples of its intent.

Self-contained: word and character n-gram TF-IDF and a logistic regression (scikit-learn,
one-vs-rest liblinear: seconds to train), so the pipeline needs no Rasa featurizer. A message that
names white cells in a sample that is not blood (urine, spinal fluid ...; bot.read.specimens) is
out_of_scope: the bot answers it with the note that it explains blood counts only.

Also adds `questions` to the parse: each question sentence with its own best intent, for a reply
that answers one question and offers the other.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.classifiers.classifier import IntentClassifier
from rasa.shared.nlu.constants import INTENT, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

logger = logging.getLogger(__name__)

MODEL_FILE = "question_classifier.skops"
QUESTIONS = "questions"
INTENT_RANKING = "intent_ranking"
# Trusted when loading a persisted model: the types this component itself saves.
_TRUSTED_PREFIXES = ("sklearn.", "numpy.", "scipy.", "builtins.")

# A sentence ends at ".", "!" or "?" followed by white space (so "3.2" stays whole), at a line
# break, or right after a "?" ("normal?my son").
# A newline ends a sentence; the blanks around it are matched from the first one only (the
# lookbehind), so a long run of spaces is scanned once, not once per space.
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+|(?<!\s)\s*\n\s*|(?<=\?)(?=[A-Za-z])")
_QUESTION_START = re.compile(
    r"^\W*(?:what|whats|what's|wat|why|how|when|where|which|who|whose|is|isn't|are|aren't|am|"
    r"can|can't|could|should|shouldn't|would|will|won't|do|does|doesn't|did|shall|may|might|"
    r"has|have|any|tell me|explain|please explain|pls explain)\b",
    re.IGNORECASE,
)
_INDIRECT_QUESTION = re.compile(
    r"\b(?:i'?d like to (?:understand|know)|i would like to (?:understand|know)|"
    r"i want to (?:understand|know)|i need to (?:understand|know)|i(?:'m| am)? wondering|"
    r"i wonder|(?:can|could|would) (?:someone|somebody|anyone|you) (?:please )?"
    r"(?:explain|tell)|help me understand|do (?:i|we) need to worry|would it make sense|"
    r"any (?:advice|ideas|thoughts)|not sure (?:if|whether|what|why|how))\b",
    re.IGNORECASE,
)
# British spellings as American ones, so one spelling's examples teach the other.
_SPELLINGS = (
    ("leukaemia", "leukemia"),
    ("haemat", "hemat"),
    ("haemo", "hemo"),
    ("paediatric", "pediatric"),
    ("anaem", "anem"),
    ("diarrhoea", "diarrhea"),
    ("tumour", "tumor"),
    ("leucocyt", "leukocyt"),
    ("leucopen", "leukopen"),
)
# Every number is one token: "3.2", "3,200" and "38.5" teach the same thing.
_NUMBER = re.compile(r"\d+(?:[.,]\d+)*")


def sentences(text: str) -> list[str]:
    """The sentences of a message, in order (pieces of one character dropped)."""
    return [piece.strip() for piece in _SENTENCE_END.split(text) if len(piece.strip()) > 1]


def is_question(sentence: str) -> bool:
    """Tell whether a sentence is a question, direct or indirect.

    It ends in "?", opens with a question word, or asks indirectly ("I'd like to understand why",
    "Do I need to worry", "Would it make sense").
    """
    return (
        sentence.rstrip().endswith("?")
        or bool(_QUESTION_START.match(sentence))
        or bool(_INDIRECT_QUESTION.search(sentence))
    )


def normalized(text: str) -> str:
    """Lower case, American spelling, numbers as 0."""
    text = text.lower()
    for british, american in _SPELLINGS:
        text = text.replace(british, american)
    return _NUMBER.sub(" 0 ", text)


def sentence_weights(
    parts: Sequence[str], whole: float, question: float, story: float
) -> list[float]:
    """Return the weight of the whole text and of each sentence.

    Without a question sentence, all sentences weigh the same as the whole text.
    """
    questions = [is_question(part) for part in parts]
    if not any(questions):
        return [1.0] * (len(parts) + 1)
    return [whole, *(question if q else story for q in questions)]


class UntrustedModelError(Exception):
    """A stored model holds types this component never saves: it is not loaded."""


def _load_model(path: Path) -> dict[str, Any]:
    import skops.io as sio  # type: ignore[import-untyped]

    untrusted = sio.get_untrusted_types(file=path)
    unknown = [name for name in untrusted if not name.startswith(_TRUSTED_PREFIXES)]
    if unknown:
        raise UntrustedModelError(f"unexpected types in {path}: {unknown}")
    model: dict[str, Any] = sio.load(path, trusted=untrusted)
    return model


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER], is_trainable=True)
class QuestionIntentClassifier(GraphComponent, IntentClassifier):
    """Intent classification of the whole text and of each sentence, questions weighed most."""

    @staticmethod
    def get_default_config() -> dict[str, Any]:
        """Return the settings config.yml may change, with their defaults."""
        return {
            "C": 10.0,  # inverse regularisation strength of the logistic regression
            "word_ngrams": [1, 2],
            "char_ngrams": [2, 5],
            "per_sentence": True,  # False: the whole text only (for comparisons)
            "question_examples": True,  # train on the question sentences of long examples too
            "whole_weight": 1.0,
            "question_weight": 2.0,
            "story_weight": 0.5,
            "specimen_intent": "out_of_scope",  # None: no rule for samples that are not blood
            "ranking_length": 10,
            "random_state": 42,  # liblinear shuffles: fixed, so training is repeatable
        }

    def __init__(
        self,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        model: dict[str, Any] | None = None,
    ) -> None:
        """Keep the settings over the defaults, the model's storage and the trained model."""
        self.config = {**self.get_default_config(), **config}
        self._model_storage = model_storage
        self._resource = resource
        self._model = model  # {"words": vectorizer, "chars": vectorizer, "classifier": LR}

    @classmethod
    def create(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> QuestionIntentClassifier:
        """Return an untrained classifier, as Rasa makes one before training."""
        return cls(config, model_storage, resource)

    @staticmethod
    def required_packages() -> list[str]:
        """Return the packages the classifier needs beyond Rasa's: scikit-learn and skops."""
        return ["sklearn", "skops"]

    # --- training ---------------------------------------------------------------------------

    def train(self, training_data: TrainingData) -> Resource:
        """Fit the vectorizers and the classifier on the examples (and their questions)."""
        texts, labels, weights = self._training_set(training_data)
        if not texts:
            logger.debug("QuestionIntentClassifier: no intent examples, not trained")
            return self._resource
        from sklearn.feature_extraction.text import TfidfVectorizer  # type: ignore[import-untyped]
        from sklearn.linear_model import LogisticRegression  # type: ignore[import-untyped]

        words = TfidfVectorizer(
            ngram_range=tuple(self.config["word_ngrams"]), sublinear_tf=True, dtype=np.float64
        )
        chars = TfidfVectorizer(
            analyzer="char_wb",
            ngram_range=tuple(self.config["char_ngrams"]),
            sublinear_tf=True,
            min_df=2,
            dtype=np.float64,
        )
        normal = [normalized(text) for text in texts]
        words.fit(normal)
        chars.fit(normal)
        classifier = LogisticRegression(
            C=float(self.config["C"]),
            solver="liblinear",
            class_weight="balanced",
            random_state=int(self.config["random_state"]),
        )
        classifier.fit(self._features(normal, words, chars), labels, sample_weight=weights)
        self._model = {"words": words, "chars": chars, "classifier": classifier}
        self._persist()
        return self._resource

    def _training_set(self, training_data: TrainingData) -> tuple[list[str], list[str], Any]:
        texts, labels, weights = [], [], []
        for example in training_data.intent_examples:
            text, intent = example.get(TEXT), example.get(INTENT)
            if not text or not intent:
                continue
            texts.append(text)
            labels.append(intent)
            weights.append(1.0)
            parts = sentences(text)
            if self.config["question_examples"] and len(parts) > 1:
                for part in parts:
                    if is_question(part):
                        texts.append(part)
                        labels.append(intent)
                        weights.append(1.0)
        return texts, labels, np.array(weights)

    @staticmethod
    def _features(normal: list[str], words: Any, chars: Any) -> Any:
        from scipy.sparse import hstack  # type: ignore[import-untyped]

        return hstack([words.transform(normal), chars.transform(normal)]).tocsr()

    # --- prediction -------------------------------------------------------------------------

    def process(self, messages: list[Message]) -> list[Message]:
        """Set intent, intent_ranking and questions on each message."""
        if self._model is None:
            return messages
        for message in messages:
            text = str(message.get(TEXT) or "")
            ranking, questions = self.rank(text)
            if not ranking:
                continue
            message.set(INTENT, ranking[0], add_to_output=True)
            message.set(
                INTENT_RANKING, ranking[: int(self.config["ranking_length"])], add_to_output=True
            )
            message.set(QUESTIONS, questions, add_to_output=True)
        return messages

    def rank(self, text: str) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
        """The intents by confidence, and each question sentence with its best intent."""
        if self._model is None or not text.strip():
            return [], []
        classifier = self._model["classifier"]
        labels = [str(label) for label in classifier.classes_]
        specimen_intent = self._specimen_intent(text, labels)
        parts = sentences(text) if self.config["per_sentence"] else []
        if len(parts) < 2:
            parts = []
        normal = [normalized(piece) for piece in [text, *parts]]
        features = self._features(normal, self._model["words"], self._model["chars"])
        probabilities = classifier.predict_proba(features)
        weights = np.array(
            sentence_weights(
                parts,
                float(self.config["whole_weight"]),
                float(self.config["question_weight"]),
                float(self.config["story_weight"]),
            )
            if parts
            else [1.0]
        )
        combined = (weights[:, None] * probabilities).sum(axis=0) / weights.sum()
        if specimen_intent is not None:
            combined = np.where(np.array(labels) == specimen_intent, 1.0, 0.0)
        order = np.argsort(-combined, kind="stable")
        ranking = [{"name": labels[i], "confidence": float(combined[i])} for i in order]
        questions = [
            {
                "text": part,
                "intent": labels[int(np.argmax(row))],
                "confidence": float(np.max(row)),
            }
            for part, row in zip(parts, probabilities[1:], strict=True)
            if is_question(part)
        ]
        return ranking, questions

    def _specimen_intent(self, text: str, labels: list[str]) -> str | None:
        """The configured intent when the message asks about white cells in another sample."""
        intent = self.config["specimen_intent"]
        if not intent or intent not in labels:
            return None
        from bot.read.specimens import specimen_named

        return str(intent) if specimen_named(text) is not None else None

    # --- persistence ------------------------------------------------------------------------

    def _persist(self) -> None:
        import skops.io as sio

        with self._model_storage.write_to(self._resource) as directory:
            sio.dump(self._model, directory / MODEL_FILE)

    @classmethod
    def load(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
        **kwargs: Any,
    ) -> QuestionIntentClassifier:
        """The trained component; untrained if nothing was stored (no intent examples).

        Raises UntrustedModelError when the stored model holds types this component never saves.
        """
        model = None
        try:
            with model_storage.read_from(resource) as directory:
                path = directory / MODEL_FILE
                if path.exists():
                    model = _load_model(path)
        except ValueError:  # nothing was persisted for this resource
            logger.debug("QuestionIntentClassifier: no trained model stored")
        return cls(config, model_storage, resource, model)

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        """Nothing later in the pipeline learns from the predicted intents: left as they are."""
        return training_data

"""Readability of the texts the bot sends: length, sentence length and reading grade.

Measured: every answer of bot/data/content.yml (each topic, each specific cause and each
(topic, subject) answer: a subject's own answer, or a general answer with the subject's line added,
as bot.reply.content.subject_answers() gives them), the sentences of bot/data/explanations.yml
(meanings, no_count, disclaimer; the names of analytes, categories and grades are labels put into
sentences built elsewhere, so only their length is checked) and every response text of domain.yml.

How the figures are counted:
- words: `WORD` below: a run that starts with a letter or digit and goes on through letters,
  digits and ' ’ . , % / - ("100.4", "4,500", "COVID-19", "K/µL" and "don't" are one word each;
  "°C" counts as the word "C"). The sentence's final full stop belongs to its last word.
- sentences: the text is split after ".", "!" or "?" followed by white space, as
bot/reply/content.py
  splits it (so "100.4" stays whole); a colon or a semicolon does not end a sentence.
- syllables (`count_syllables`): groups of vowels, less a silent final -e/-es/-ed, plus vowel
  pairs spoken as two ("bacteria"); a number counts as 3 ("4,000" is read "four thousand"); an
  abbreviation in capitals of 2 to 4 letters ("ANC", "HIV") is read letter by letter, one
  syllable a letter, except the few that are said as words (`SAID_AS_WORDS`).
- grade: the Flesch-Kincaid grade level, 0.39 * words/sentences + 11.8 * syllables/words - 15.59.
- a subject's own answer is held to the limits of a topic answer (70 words); a general answer
  with a subject's line may be longer (up to 6 sentences), but the reply as sent stays within 120.
- a topic reply, as the person gets it (`reply_words`): the answer, "Sources:", the titles of its
  first two citable sources (each shown as a titled link, "Mayo Clinic: Low white blood cell
  count", as bot/reply/links.py writes it; the address is not read and not counted) and the
  disclaimer.

`./.venv/bin/python tests/bot/test_readability.py` prints the median and maximum of each figure per
group of texts.
"""

from __future__ import annotations

import csv
import re
import statistics
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from bot.model import Subject
from bot.reply import content
from bot.yaml_files import read_yaml

ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT / "bot" / "data"

WORD = re.compile(r"[A-Za-z0-9][\w'’.,%/-]*")
SENTENCE_END = re.compile(r"(?<=[.!?])\s+")
NUMBER_SYLLABLES = 3  # "4,000" is read "four thousand", "38" "thirty-eight"
SAID_AS_WORDS = frozenset({"AIDS", "SARS"})  # capitals read as a word, not letter by letter
LABEL_SECTIONS = ("analyte_names", "categories", "grades")  # explanations.yml: names, not sentences

MAX_ANSWER_WORDS = 70  # a content.yml answer; with 2 source titles and the disclaimer <= 120
MAX_REPLY_WORDS = 120  # a topic reply as sent: answer + 2 source titles + disclaimer
SHOWN_SOURCES = 2  # sources shown as links under an answer (a "Sources" button lists all)
SOURCES_LABEL = "Sources:"  # the word before the links
MAX_SENTENCE_WORDS = 20
MAX_GRADE = 8.0  # every text
MAX_AVERAGE_GRADE = 7.0  # the average of each group and of all texts
MAX_DISCLAIMER_WORDS = 25
MAX_INTRO_WORDS = 30
MAX_RESPONSE_WORDS = 40  # any other domain.yml response
MAX_MEANING_WORDS = 15  # explanations.yml meanings: one short sentence
MAX_LABEL_WORDS = 6
INTRO = "utter_intro"

# Texts allowed above MAX_GRADE, with the grade they may reach and why. Only the disclaimer: its
# first sentence, "General information, not a diagnosis.", is fixed wording (it reads at
# grade 12 on its own), and the fever threshold has to be given in both units.
GRADE_EXCEPTIONS: dict[str, tuple[float, str]] = {
    "explanations.yml:disclaimer": (10.0, "fixed first sentence and the threshold in two units"),
    "explanations.yml:disclaimer_fever_not_emergency": (10.0, "the same fixed first sentence"),
}
# Answers that are a table, allowed above MAX_ANSWER_WORDS and MAX_GRADE, with the words and grade
# they may reach and why. Only the children's normal range: it gives all eight age bands of
# pediatric_bands.csv (16 limits and 10 ages), and every number counts as 3 syllables, so its
# grade measures the numbers, not the words. Its sentences stay short, and the reply as sent
# stays within MAX_REPLY_WORDS.
TABLE_ANSWERS: dict[str, tuple[int, float, str]] = {
    "content.yml:by_subject.children.answers.normal_range": (
        80,
        12.0,
        "the eight age bands of the children's ranges, in five sentences",
    ),
}


# --- counting ----------------------------------------------------------------------------------


def words(text: str) -> list[str]:
    """The words of a text (see the module docstring)."""
    return WORD.findall(text)


def sentences(text: str) -> list[str]:
    """The sentences of a text: split after . ! ? followed by white space."""
    return [part for part in SENTENCE_END.split(text.strip()) if part]


def count_syllables(word: str) -> int:
    """Syllables of one word (see the module docstring)."""
    if word[0].isdigit():
        return NUMBER_SYLLABLES
    letters_only = re.sub(r"[^A-Za-z]", "", word)
    if 2 <= len(letters_only) <= 4 and letters_only.isupper() and letters_only not in SAID_AS_WORDS:
        return len(letters_only)
    letters = letters_only.lower()
    if len(letters) <= 3:
        return 1
    count = len(re.findall(r"[aeiouy]+", letters))
    silent_ending = (
        (letters.endswith("e") and not letters.endswith(("le", "ee", "ye")))
        or (letters.endswith("es") and not re.search(r"(?:[sxzcg]|ch|sh)es$", letters))
        or (letters.endswith("ed") and not re.search(r"[td]ed$", letters))
    )
    if count > 1 and silent_ending:
        count -= 1
    count += len(re.findall(r"[^tscx]i[aou]|[^q]ua|uo", letters))
    return max(1, count)


def grade_level(text: str) -> float:
    """Flesch-Kincaid grade level of a text."""
    found = words(text)
    syllables = sum(count_syllables(word) for word in found)
    return 0.39 * len(found) / len(sentences(text)) + 11.8 * syllables / len(found) - 15.59


def longest_sentence(text: str) -> int:
    """Words in the longest sentence of a text."""
    return max(len(words(sentence)) for sentence in sentences(text))


# --- the texts ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Text:
    group: str  # "topics", "causes", "subjects", "subject_lines", "explanations", ...
    where: str  # e.g. "content.yml:topics.causes"
    text: str
    sources: tuple[str, ...] = ()  # content.yml answers: their source keys, in order


def _yaml(path: Path) -> Any:
    return read_yaml(path)


def texts() -> list[Text]:
    """Every measured text."""
    found: list[Text] = []
    raw = _yaml(DATA / "content.yml")
    for group, section in (("topics", "topics"), ("causes", "causes_by_cause")):
        for key, entry in raw[section].items():
            where = f"content.yml:{section}.{key}"
            found.append(Text(group, where, entry["text"], tuple(entry["sources"])))
    found += subject_texts(raw)
    for key, value in _yaml(DATA / "explanations.yml").items():
        for where, text in _leaves(f"explanations.yml:{key}", value):
            found.append(Text("labels" if key in LABEL_SECTIONS else "explanations", where, text))
    for name, variants in _yaml(ROOT / "domain.yml")["responses"].items():
        seen: set[str] = set()
        for number, variant in enumerate(variants):
            if variant["text"] not in seen:  # a variant for one channel repeats the text
                seen.add(variant["text"])
                found.append(Text("responses", f"domain.yml:{name}[{number}]", variant["text"]))
    return found


def subject_texts(raw: Any) -> list[Text]:
    """Return every (topic, subject) answer that is not a topic's own.

    "subjects" for a subject's own answer, "subject_lines" for a general answer with the subject's
    line (as sent, sources too).
    """
    found = []
    for (topic, subject), answer in content.subject_answers().items():
        if subject is Subject.LEUKOPENIA or answer == content.topic_answer(topic):
            continue
        own = topic in raw["by_subject"][subject.value].get("answers", {})
        group, kind = ("subjects", "answers") if own else ("subject_lines", "lines")
        where = f"content.yml:by_subject.{subject.value}.{kind}.{topic}"
        found.append(Text(group, where, answer.text, answer.source_keys))
    return found


def _leaves(where: str, value: Any) -> Iterator[tuple[str, str]]:
    if isinstance(value, dict):
        for key, item in value.items():
            yield from _leaves(f"{where}.{key}", item)
    else:
        yield where, str(value)


def source_titles() -> dict[str, str]:
    """Link title of each citable source of sources.csv, as bot/reply/links.py writes it.

    "short: quoted title" ("Mayo Clinic: Low white blood cell count"), or the full name when it
    quotes no title. A source without a short name or a link (the project's own reference, the
    person's report) is never shown as a link, so it has no title here.
    """
    lines = (DATA / "sources.csv").read_text(encoding="utf-8").splitlines()
    rows = csv.DictReader(line for line in lines if not line.startswith("#"))
    titles: dict[str, str] = {}
    for row in rows:
        if row["short"] and row["link"]:
            quoted = re.search(r'"([^"]+)"', row["name"])
            titles[row["key"]] = f"{row['short']}: {quoted[1]}" if quoted else row["name"]
    return titles


def disclaimer() -> str:
    return str(_yaml(DATA / "explanations.yml")["disclaimer"])


def reply_words(answer: Text) -> int:
    """Words of a topic reply as sent: answer, first two cited source titles, disclaimer."""
    titles = source_titles()
    shown = [titles[key] for key in answer.sources if key in titles][:SHOWN_SOURCES]
    return sum(len(words(part)) for part in (answer.text, SOURCES_LABEL, *shown, disclaimer()))


TEXTS = texts()
SHORT_GROUPS = ("topics", "causes", "subjects")  # at most MAX_ANSWER_WORDS each
ANSWERS = [text for text in TEXTS if text.group in SHORT_GROUPS]
REPLIES = [text for text in TEXTS if text.group in (*SHORT_GROUPS, "subject_lines")]
SENTENCE_TEXTS = [text for text in TEXTS if text.group != "labels"]
GROUPS = ("topics", "causes", "subjects", "subject_lines", "explanations", "responses")


def _ids(items: list[Text]) -> list[str]:
    return [item.where for item in items]


# --- the counters themselves -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("word", "syllables"),
    [
        ("cat", 1),
        ("make", 1),
        ("called", 1),
        ("water", 2),
        ("table", 2),
        ("boxes", 2),
        ("needed", 2),
        ("infection", 3),
        ("radiation", 4),
        ("bacteria", 4),
        ("usually", 4),
        ("leukopenia", 5),
        ("4,000", NUMBER_SYLLABLES),
        ("ANC", 3),
        ("HIV", 3),
        ("AIDS", 1),
        ("COVID-19", 2),
    ],
)
def test_syllable_counter(word: str, syllables: int) -> None:
    """The syllable counter gets common and medical words, numbers and abbreviations right."""
    assert count_syllables(word) == syllables


def test_words_and_sentences_are_counted_as_documented() -> None:
    """Numbers, units and contractions are one word each; "100.4" does not end a sentence."""
    text = "A fever of 38 °C / 100.4 °F is high. Don't wait; call 911 now!"
    assert words(text)[:7] == ["A", "fever", "of", "38", "C", "100.4", "F"]
    assert len(words(text)) == 14
    assert len(sentences(text)) == 2


def test_grade_level_of_simple_and_hard_text() -> None:
    """The grade level formula ranks a children's sentence far below a technical one."""
    easy = "The cat sat on the mat. It was a good cat."
    hard = (
        "Myelodysplastic syndromes constitute heterogeneous hematopoietic malignancies "
        "characterized by ineffective hematopoiesis and peripheral cytopenias."
    )
    assert grade_level(easy) < 3 < 16 < grade_level(hard)


def test_every_group_is_measured() -> None:
    """Topics, causes, subject answers, explanation sentences, labels and responses are read."""
    groups = {text.group for text in TEXTS}
    assert groups == {*GROUPS, "labels"}
    wheres = {text.where for text in TEXTS}
    assert {"explanations.yml:disclaimer", f"domain.yml:{INTRO}[0]"} <= wheres


# --- the limits --------------------------------------------------------------------------------


@pytest.mark.parametrize("answer", ANSWERS, ids=_ids(ANSWERS))
def test_answer_is_short(answer: Text) -> None:
    """An answer of content.yml (topic, cause or a subject's own) is at most 70 words.

    A table answer has its own limit.
    """
    limit = TABLE_ANSWERS.get(answer.where, (MAX_ANSWER_WORDS, 0.0, ""))[0]
    assert len(words(answer.text)) <= limit


def test_table_answers_are_the_only_long_ones_and_still_needed() -> None:
    """Table answers are the only long ones, and each is still needed.

    Each table answer exists, is longer than an ordinary answer would be, and stays within its own
    limits (an exception that is no longer needed is removed).
    """
    by_where = {text.where: text for text in ANSWERS}
    for where, (max_words, max_grade, _) in TABLE_ANSWERS.items():
        text = by_where[where].text
        assert MAX_ANSWER_WORDS < len(words(text)) <= max_words, where
        assert grade_level(text) <= max_grade, where


def test_every_subject_answer_is_measured() -> None:
    """Each (topic, subject) that is not answered by the topic itself is a measured text."""
    measured = {t.where for t in TEXTS if t.group in ("subjects", "subject_lines")}
    others = [s for s in Subject if s is not Subject.LEUKOPENIA]
    answered_by_topic = sum(s.value in content.topics() for s in others)  # "children"/children
    expected = len(content.topics()) * len(others) - answered_by_topic
    assert len(measured) == expected


@pytest.mark.parametrize("answer", REPLIES, ids=_ids(REPLIES))
def test_topic_reply_as_sent_is_short(answer: Text) -> None:
    """Answer, two source titles and the disclaimer together are at most 120 words."""
    assert reply_words(answer) <= MAX_REPLY_WORDS


@pytest.mark.parametrize("text", SENTENCE_TEXTS, ids=_ids(SENTENCE_TEXTS))
def test_sentences_are_short(text: Text) -> None:
    """No sentence has more than 20 words."""
    long = [s for s in sentences(text.text) if len(words(s)) > MAX_SENTENCE_WORDS]
    assert not long


@pytest.mark.parametrize("text", SENTENCE_TEXTS, ids=_ids(SENTENCE_TEXTS))
def test_text_reads_at_grade_eight_or_below(text: Text) -> None:
    """Each text has a Flesch-Kincaid grade of 8 or below (documented exceptions only)."""
    limit = GRADE_EXCEPTIONS.get(text.where, (MAX_GRADE, ""))[0]
    limit = TABLE_ANSWERS.get(text.where, (0, limit, ""))[1]
    assert grade_level(text.text) <= limit


@pytest.mark.parametrize("group", [*GROUPS, "all"])
def test_average_grade_is_seven_or_below(group: str) -> None:
    """The average grade of each group, and of all texts together, is 7 or below."""
    grades = [grade_level(t.text) for t in SENTENCE_TEXTS if group in ("all", t.group)]
    assert statistics.mean(grades) <= MAX_AVERAGE_GRADE


def test_disclaimer_is_short() -> None:
    """The disclaimer, sent with every medical answer, is at most 25 words."""
    assert len(words(disclaimer())) <= MAX_DISCLAIMER_WORDS


def test_disclaimer_still_says_what_it_must() -> None:
    """The disclaimer still says what section 6 requires.

    General information, not a diagnosis; trouble breathing, chest pain, confusion, or a fever with
    a low count or during cancer treatment: emergency care.
    """
    text = disclaimer()
    assert text.startswith("General information, not a diagnosis")
    for needed in ("38 °C", "100.4 °F", "low count", "chemo", "breathing", "chest pain"):
        assert needed in text, needed
    assert "confusion" in text and "emergency care" in text


def test_intro_is_short_and_says_what_it_must() -> None:
    """The intro: at most 30 words; general information, not a diagnosis, "forget my data"."""
    [intro] = [t.text for t in TEXTS if t.where == f"domain.yml:{INTRO}[0]"]
    assert len(words(intro)) <= MAX_INTRO_WORDS
    assert "general information" in intro and "not a diagnosis" in intro
    assert '"forget my data"' in intro


RESPONSES = [t for t in TEXTS if t.group == "responses" and not t.where.startswith(INTRO)]


@pytest.mark.parametrize("response", RESPONSES, ids=_ids(RESPONSES))
def test_response_is_short(response: Text) -> None:
    """Every other domain.yml response is at most 40 words."""
    assert len(words(response.text)) <= MAX_RESPONSE_WORDS


MEANINGS = [t for t in TEXTS if t.where.startswith("explanations.yml:meanings.")]


@pytest.mark.parametrize("meaning", MEANINGS, ids=_ids(MEANINGS))
def test_meaning_is_one_short_sentence(meaning: Text) -> None:
    """Each meaning of a category is one sentence of at most 15 words."""
    assert len(sentences(meaning.text)) == 1
    assert len(words(meaning.text)) <= MAX_MEANING_WORDS


LABELS = [t for t in TEXTS if t.group == "labels"]


@pytest.mark.parametrize("label", LABELS, ids=_ids(LABELS))
def test_label_is_a_few_words(label: Text) -> None:
    """Names of analytes, categories and grades are a few words."""
    assert len(words(label.text)) <= MAX_LABEL_WORDS


# --- the figures -------------------------------------------------------------------------------


def figures() -> list[dict[str, Any]]:
    """Per group: texts, median and maximum words, grade (median, mean, maximum), longest sentence.

    More rows give the words of a whole reply (answer, two source titles, disclaimer) for the
    topics, the causes and the subject answers; they have no grade of their own.
    """
    rows: list[dict[str, Any]] = []
    for group in GROUPS:
        members = [t for t in SENTENCE_TEXTS if t.group == group]
        counts = [len(words(t.text)) for t in members]
        grades = [grade_level(t.text) for t in members]
        rows.append(
            {
                "group": group,
                "texts": len(members),
                "words": (statistics.median(counts), max(counts)),
                "grade": (statistics.median(grades), statistics.mean(grades), max(grades)),
                "sentence": max(longest_sentence(t.text) for t in members),
            }
        )
    for group in ("topics", "causes", "subjects", "subject_lines"):
        replies = [reply_words(t) for t in REPLIES if t.group == group]
        rows.append(
            {
                "group": f"{group.split('_')[-1][:-1]} replies",
                "texts": len(replies),
                "words": (statistics.median(replies), max(replies)),
            }
        )
    return rows


def main() -> None:
    """Print the figures as a table, then every text above a limit."""
    header = "group          texts  words med/max  grade med/mean/max  longest"
    print(header)
    print("-" * len(header))
    for row in figures():
        words_cell = "{:g} / {}".format(*row["words"])
        line = f"{row['group']:<15}{row['texts']:>5}  {words_cell:>13}"
        if "grade" in row:
            grade_cell = "{:.1f} / {:.1f} / {:.1f}".format(*row["grade"])
            line += f"  {grade_cell:>18}  {row['sentence']:>7}"
        print(line)
    grades = [grade_level(t.text) for t in SENTENCE_TEXTS]
    print(f"\nall {len(grades)} texts: mean grade {statistics.mean(grades):.1f}")
    print(f"disclaimer: {len(words(disclaimer()))} words, grade {grade_level(disclaimer()):.1f}")
    print("\nabove a limit (grade > 8, answer > 70 words, sentence > 20 words):")
    for text in SENTENCE_TEXTS:
        grade, count = grade_level(text.text), len(words(text.text))
        longest = longest_sentence(text.text)
        max_words = TABLE_ANSWERS.get(text.where, (MAX_ANSWER_WORDS, 0.0, ""))[0]
        too_long = text.group in SHORT_GROUPS and count > max_words
        if grade > MAX_GRADE or too_long or longest > MAX_SENTENCE_WORDS:
            print(f"  {text.where}: {count} words, grade {grade:.1f}, longest sentence {longest}")


if __name__ == "__main__":
    main()

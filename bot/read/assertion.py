"""Whether a sign is present now, in the person asked about (clinical-reference.md section 5).

A sign does not count when it is negated in its own clause ("won't feed and has a fever" has a
fever), hypothetical ("in case a fever comes on", "scared she'll get a fever"), over and in the
past ("febrile fits as a toddler", "a fever at the weekend, fine now") or a word in another sense
("fever pitch", "collapsed vein"). When unsure, it counts: every rule here needs a cue.

The cues are data (data/vocabulary.yml `negation` and `assertion`; data/red_flags.yml
`other_senses`); docs/assertion.md compares these rules with medspaCy's ConText and negspacy.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Sequence
from datetime import date
from enum import Enum
from functools import cache
from typing import TYPE_CHECKING

from bot.read.matchers import matched_spans, phrase_matcher, red_flag_other_senses, vocabulary

if TYPE_CHECKING:
    from spacy.matcher import PhraseMatcher
    from spacy.tokens import Doc, Span

NEGATION_SCOPE_TOKENS = 6
POST_NEGATION_TOKENS = 3
HYPOTHETICAL_SCOPE_TOKENS = 10
LIST_REACH_TOKENS = 4  # "no fever, chills or cough": a comma inside a list ending in "or"
FUTURE_REACH_TOKENS = 2  # "I'll probably faint"
RESOLVED_REACH_TOKENS = 12  # "a fever at the weekend but she is fine now"
_HARD_ENDS = frozenset({".", "!", "?", ";"})
_STANDALONE_NO = frozenset({",", ".", "!", "?", ":", ";"})  # "No, I have a fever" is an answer


class Status(str, Enum):
    """What a sign's mention says about the person now."""

    PRESENT = "present"
    NEGATED = "negated"
    HYPOTHETICAL = "hypothetical"
    PAST = "past"
    OTHER_SENSE = "other_sense"


class Assertions:
    """The assertion status of any span of one message (cues found once per message)."""

    def __init__(self, doc: Doc, negation_cues: Sequence[Span], signs: Sequence[Span] = ()) -> None:
        """Find every cue of the message once and index it, so each sign looks at the cues near it.

        `negation_cues` are the negation matcher's spans; `signs` are all the signs found in the
        message (a cue of being over is about the sign just before it).
        """
        self._doc = doc
        self._signs = sorted(signs, key=lambda sign: sign.start)
        cues = matched_spans(assertion_matcher(), doc, longest_only=False)
        self._cues = {label: _longest([c for c in cues if c.label_ == label]) for label in _LABELS}
        pseudo = [span for span in negation_cues if span.label_ == "negation_pseudo"]
        pseudo += self._cues["pseudo_negation"]
        self._after = [span for span in negation_cues if span.label_ == "negation_after"]
        self._before = _negations_before(doc, negation_cues, pseudo, self._after)
        strong = {c.start for c in self._cues["strong_break"]}
        weak = {span.start for span in negation_cues if span.label_ == "scope_end"}
        weak |= {c.start for c in self._cues["clause_break"]}
        self._breaks = strong | weak
        self._strong_breaks = strong
        self._clause_of = _numbered(doc, self._breaks, commas=True)
        self._strong_clause_of = _numbered(doc, strong, commas=True)
        self._sentence_of = _numbered(doc, set(), commas=False)
        self._other_senses = _other_sense_spans(doc)  # found once, asked of every sign
        # Everything a sign's status is read from, indexed once, so that each sign looks only at
        # the cues near it and the work per message stays linear in its length.
        self._near = {label: _Near(cues) for label, cues in self._cues.items()}
        self._near_before, self._near_after = _Near(self._before), _Near(self._after)
        self._near_signs = _Near(self._signs)
        self._near_senses = {label: _Near(spans) for label, spans in self._other_senses.items()}
        clause_of = self._clause_of
        self._long_ago_clauses = {clause_of[c.start] for c in self._cues["remote_past"]}
        self._long_ago_clauses |= {clause_of[t.i] for t in doc if _past_year(t.text)}
        self._recent_clauses = {clause_of[c.start] for c in self._cues["recent_past"]}
        # "Three weeks ago he was admitted with pneumonia: fever, confusion, breathing hard":
        # a time said first reaches every clause of its sentence (until a word of now).
        self._opened_long_ago = self._opening(self._cues["remote_past"])
        self._opened_recently = self._opening(self._cues["recent_past"])
        self._back_sentences = {
            self._sentence_of[c.start] for c in self._cues["back_again"] if not _still_as_in(doc, c)
        }
        strong_of = self._strong_clause_of
        self._onsets_in_clause: dict[int, int] = {}  # strong clause -> its last onset word
        for label in ("onset", "future"):
            for word in self._cues[label]:
                clause = strong_of[word.start]
                self._onsets_in_clause[clause] = max(
                    self._onsets_in_clause.get(clause, -1), word.start
                )
        # Sentences that open with another person and say it was long ago: "My friend was in
        # hospital last year with sepsis, she had the shaking and the confusion".
        sentence_of = self._sentence_of
        opens_with_someone = {
            sentence_of[c.start]
            for c in self._cues["relative_subject"]
            if c.start - self._sentence_start(sentence_of[c.start]) <= 1
        }
        long_ago = {sentence_of[c.start] for c in self._cues["remote_past"]}
        long_ago |= {sentence_of[t.i] for t in doc if _past_year(t.text)}
        about_the_writer = {sentence_of[t.i] for t in doc if t.lower_ in _WRITER_WORDS}
        self._someone_elses_old_sentences = (opens_with_someone & long_ago) - about_the_writer
        self._first_subject_end: dict[int, int] = {}  # strong clause -> a relative named in it
        for subject in self._cues["relative_subject"]:
            clause = strong_of[subject.start]
            self._first_subject_end[clause] = min(
                self._first_subject_end.get(clause, subject.end), subject.end
            )

    def status(self, span: Span, treatment: bool = False) -> Status:
        """PRESENT unless a cue says otherwise; the first rule that applies decides.

        `treatment`: a course of treatment, which a week ago does not end ("chemo last week").
        """
        if self._other_sense(span):
            return Status.OTHER_SENSE
        if self._negated(span):
            return Status.NEGATED
        if self._hypothetical(span, treatment):
            return Status.HYPOTHETICAL
        if self._past(span, treatment):
            return Status.PAST
        return Status.PRESENT

    def present(self, span: Span, treatment: bool = False) -> bool:
        """The sign (or treatment) counts: it is there now."""
        return self.status(span, treatment) is Status.PRESENT

    def denied(self, span: Span, treatment: bool = False) -> bool:
        """The person says they do not have it (any more): a remembered sign is forgotten."""
        return self.status(span, treatment) in (Status.NEGATED, Status.PAST)

    # -- the rules ---------------------------------------------------------------------------

    def _other_sense(self, span: Span) -> bool:
        senses = self._near_senses.get(span.label_)
        if senses is None:
            return False
        around = senses.starting(span.start - senses.longest, span.start)
        return any(s.start <= span.start and span.end <= s.end for s in around)

    def _negated(self, span: Span) -> bool:
        """A cue before the sign in its own clause, or "fever: no", "fever-free" just after."""
        reach = NEGATION_SCOPE_TOKENS + self._near_before.longest
        for cue in self._near_before.starting(span.start - reach, span.start):
            in_reach = cue.end <= span.start and span.start - cue.end <= NEGATION_SCOPE_TOKENS
            if in_reach and self._in_one_clause(cue.end - 1, span, self._clause_of, self._breaks):
                return True
        for cue in self._near_after.starting(span.end, span.end + POST_NEGATION_TOKENS):
            if 0 <= cue.start - span.end <= POST_NEGATION_TOKENS and self._ends(cue):
                between = self._doc[span.end : cue.start]
                if not any(_hard_end(t.text) or t.lower_ in _NEW_CLAUSE for t in between):
                    return True
        return False

    def _ends(self, cue: Span) -> bool:
        """Tell whether a cue after the sign ends it: only when no complement follows the cue.

        "fever has gone (now)" ends the fever; "his face has gone a greyish colour" does not.
        """
        following = self._doc[cue.end] if cue.end < len(self._doc) else None
        return following is None or following.lower_ not in _COMPLEMENT_STARTS

    def _hypothetical(self, span: Span, treatment: bool = False) -> bool:
        """Tell whether the sign is only supposed, feared or (for a treatment) not started yet.

        "In case", "what if", "watch for" alone; "if", "when", "should" or a fear ("scared") with an
        onset word ("gets", "comes on", "will", "spikes") in the same clause; a fear of the sign
        itself ("worried about getting a fever"). A treatment: not started yet.
        """
        numbering, breaks = self._strong_clause_of, self._strong_breaks
        if treatment:
            labels: tuple[str, ...] = ("treatment_future",)
        else:
            labels = ("hypothetical", "conditional", "fear")
            if self._said_as_future(span):
                return True
        first = labels[0]
        for label in labels:
            near = self._near[label]
            reach = HYPOTHETICAL_SCOPE_TOKENS + near.longest
            for cue in near.starting(span.start - reach, span.start):
                if not 0 <= span.start - cue.end <= HYPOTHETICAL_SCOPE_TOKENS:
                    continue
                if not self._in_one_clause(cue.end - 1, span, numbering, breaks):
                    continue
                if label == first or self._onset_after(cue, span):
                    return True
                if label == "fear" and self._feared_itself(cue, span):
                    return True
        return False

    def _said_as_future(self, span: Span) -> bool:
        """Tell whether the sign comes right after a future word in its clause ("I'll faint if")."""
        near = self._near["future_before"]
        return any(
            0 <= span.start - cue.end <= FUTURE_REACH_TOKENS
            and self._clause_of[cue.start] == self._clause_of[span.start]
            for cue in near.starting(span.start - FUTURE_REACH_TOKENS - near.longest, span.start)
        )

    def _someone_elses_past(self, span: Span) -> bool:
        """Tell whether the sign is another person's past, in a message about the writer's count.

        "My aunt had chemo ..., could my low count be genetic?": that is not the writer's sign.
        """
        if not self._cues["asker_first_person"]:
            return False
        if self._sentence_of[span.start] in self._someone_elses_old_sentences:
            return True
        clause = self._strong_clause_of[span.start]
        subject_end = self._first_subject_end.get(clause)
        if subject_end is None:
            return False
        return any(
            self._strong_clause_of[verb.start] == clause
            for verb in self._near["past_verb"].starting(subject_end, span.start - 1)
        )

    def _opening(self, cues: Sequence[Span]) -> dict[int, int]:
        """Map each sentence to where its opening time cue ends.

        Only cues said first in their sentence count ("Three weeks ago he ...", "Last year, ...").
        """
        opened: dict[int, int] = {}
        for cue in cues:
            sentence = self._sentence_of[cue.start]
            before = self._doc[self._sentence_start(sentence) : cue.start]
            if len(before) <= OPENING_TOKENS and all(
                token.like_num or token.lower_ in _TIME_LEAD_INS for token in before
            ):
                opened.setdefault(sentence, cue.end)
        return opened

    def _back_to_now(self, start: int, end: int) -> bool:
        """Whether the words from `start` to `end` leave a time said first in the sentence.

        A word of now ("today"), a verb in the present ("he has a fever", "she can't breathe")
        or a new clause with its own subject ("and she is confused") does; a list of signs after
        a colon ("admitted with pneumonia: fever, confusion") does not.
        """
        between = self._doc[start:end]
        if any(token.lower_ in _NOW_WORDS or token.lower_ in _PRESENT_VERBS for token in between):
            return True
        return any(start <= i < end for i in self._strong_breaks)

    def _sentence_start(self, sentence: int) -> int:
        """The index of the first token of a sentence."""
        return bisect_left(self._sentence_of, sentence)

    def _past(self, span: Span, treatment: bool = False) -> bool:
        """Tell whether the sign (or treatment) is long ago or over, and not back.

        Long ago ("as a toddler", "years ago", "in 2019"; for a sign also "last Tuesday") in its
        clause, or over ("fine now", "went away") in its sentence after it, unless it is back ("came
        back", "again", "still").
        """
        clause = self._clause_of[span.start]
        sentence = self._sentence_of[span.start]
        long_ago = clause in self._long_ago_clauses or (
            not treatment and clause in self._recent_clauses
        )
        opened = self._opened_long_ago.get(sentence)
        if opened is None and not treatment:
            opened = self._opened_recently.get(sentence)
        if opened is not None and opened <= span.start:
            long_ago = long_ago or not self._back_to_now(opened, span.end)
        resolved = self._near["resolved"].starting(span.end, span.end + RESOLVED_REACH_TOKENS)
        over = not _an_absence(span) and any(
            0 <= c.start - span.end <= RESOLVED_REACH_TOKENS
            and self._sentence_of[c.start] == sentence
            and not self._said_again(span, c.start)
            and not self._new_subject_between(span.end, c.start)
            and (_refers_to_all(c) or not self._other_sign_between(span, c.start))
            and not (c.end < len(self._doc) and self._doc[c.end].like_num)  # "it's gone 9 pm"
            for c in resolved
        )
        if self._someone_elses_past(span):
            return True
        if not (long_ago or over):
            return False
        return sentence not in self._back_sentences

    # -- helpers -----------------------------------------------------------------------------

    def _in_one_clause(
        self, left: int, span: Span, numbering: Sequence[int], breaks: set[int]
    ) -> bool:
        """Tell whether no clause boundary lies between a cue and a sign.

        A comma inside a list that ends in "or" or "nor" ("no fever, chills or cough") is not a
        boundary.
        """
        right = span.start
        if numbering[left] == numbering[right]:
            return True
        between = self._doc[left + 1 : right]
        if any(t.i in breaks or _hard_end(t.text) for t in between):
            return False
        # The list's "or" comes after its last comma: "if 37.5 or more, I'm 37.7" is no list.
        commas = [i for i, token in enumerate(between) if token.text == ","]
        after_comma = between[commas[-1] + 1 :] if commas else between
        nearby = [*after_comma, *self._doc[span.end : span.end + LIST_REACH_TOKENS]]
        return any(token.lower_ in ("or", "nor") for token in nearby)

    def _new_subject_between(self, left: int, right: int) -> bool:
        """Tell whether "and" starts a new subject between a sign and a cue of being over.

        "I have chills and she had a fever last week, fine now": "fine now" is about her.
        """
        return any(
            cue.text.lower().startswith("and ")
            for cue in self._near["strong_break"].starting(left, right - 1)
        )

    def _other_sign_between(self, span: Span, before: int) -> bool:
        """Tell whether another sign said earlier lies between this one and a cue of being over.

        A cue of being over is about the sign just before it and the signs listed with it ("fever
        and chills at the weekend, fine now"), not about one said earlier.
        """
        cursor = span
        for sign in self._near_signs.starting(span.end, before - 1):
            if sign.start < cursor.end:
                continue
            glue = self._doc[cursor.end : sign.start]
            if any(token.lower_ not in _LIST_GLUE for token in glue):
                return True
            cursor = sign
        return False

    def _said_again(self, span: Span, before: int) -> bool:
        """The same words again between a sign and a later cue: the cue is about that one."""
        words = [token.lower_ for token in span]
        between = [token.lower_ for token in self._doc[span.end : before]]
        return any(between[i : i + len(words)] == words for i in range(len(between)))

    def _onset_after(self, cue: Span, span: Span) -> bool:
        """Tell whether an onset word follows the cue, in the sign's clause or before the sign.

        As in "if she gets a fever" and "if a fever comes on".
        """
        clause = self._strong_clause_of[span.start]
        if self._onsets_in_clause.get(clause, -1) >= cue.end:
            return True
        return any(
            self._near[label].starting(cue.end, span.start - 1) for label in ("onset", "future")
        )

    def _feared_itself(self, cue: Span, span: Span) -> bool:
        """Tell whether the fear is of the sign itself.

        As in "scared of a fever" or "worried about getting chest pain".
        """
        between = self._doc[cue.end : span.start]
        return all(token.lower_ in _FEAR_GLUE for token in between)


class _Near:
    """Spans sorted by where they start, to find those starting in a window quickly."""

    def __init__(self, spans: Sequence[Span]) -> None:
        self._spans = sorted(spans, key=lambda span: span.start)
        self._starts = [span.start for span in self._spans]
        self.longest = max((len(span) for span in self._spans), default=0)

    def starting(self, low: int, high: int) -> list[Span]:
        """The spans that start from `low` to `high`, both included, in order."""
        return self._spans[bisect_left(self._starts, low) : bisect_right(self._starts, high)]


# Words that start another clause, with another subject ("slurring his words and his face has
# gone grey"): a cue after them is not about the sign before them.
_NEW_CLAUSE = frozenset({"and", "but", "so", "while", "although", "though", "whereas"})
# What follows "gone" or "went" when it says what became of someone ("gone a greyish colour",
# "gone all floppy", "went really pale"), not that the sign went away.
_COMPLEMENT_STARTS = frozenset(
    {
        "a",
        "an",
        "all",
        "really",
        "very",
        "so",
        "quite",
        "bright",
        "pale",
        "grey",
        "gray",
        "blue",
        "white",
        "purple",
        "floppy",
        "limp",
        "quiet",
        "cold",
        "red",
        "yellow",
        "blotchy",
        "mottled",
    }
)
_LIST_GLUE = frozenset({"and", "or", ",", "&", "/", "+", "a", "an", "some", "with"})
_FEAR_GLUE = frozenset(
    {"about", "of", "a", "an", "any", "getting", "catching", "developing", "having", "the"}
    | {"possible", "possibly", "another", "more", "some", "that", "it", "being"}
)


# A time cue opens its sentence when at most this many tokens come before it ("About three
# weeks ago ...").
OPENING_TOKENS = 2
# What may stand before a time cue that opens its sentence: "About three weeks ago", "So last
# year". Not a verb: in "Started Humira last month, fever 38.7" the time is the start's.
# Verbs in the present, after which a sign is now whatever time opened the sentence.
_PRESENT_VERBS = frozenset(
    {
        "has",
        "have",
        "is",
        "are",
        "am",
        "'s",
        "’s",
        "'m",
        "’m",
        "'re",
        "’re",
        "'ve",
        "’ve",
        "ca",
        "wo",
        "n't",
        "can",
        "cannot",
        "feels",
        "feel",
        "keeps",
        "keep",
        "looks",
        "look",
        "seems",
        "seem",
        "gets",
        "get",
        "getting",
        "having",
        "does",
        "do",
        "needs",
        "need",
        "says",
        "complains",
        "hurts",
        "hurt",
        "running",
        "being",
        "becoming",
        "turning",
    }
)
_TIME_LEAD_INS = frozenset(
    {
        "about",
        "around",
        "roughly",
        "maybe",
        "some",
        "a",
        "few",
        "couple",
        "of",
        "so",
        "and",
        "but",
        "well",
        "ok",
        "okay",
        "like",
        "almost",
        "nearly",
        "over",
        "just",
        "only",
        "then",
        ",",
    }
)
# Words that bring a sentence opened by a time long ago back to now.
_NOW_WORDS = frozenset(
    {"now", "today", "currently", "tonight", "still", "again", "since", "anymore", "morning"}
)

_LABELS = (
    "clause_break",
    "strong_break",
    "pseudo_negation",
    "hypothetical",
    "treatment_future",
    "conditional",
    "fear",
    "onset",
    "future",
    "future_before",
    "relative_subject",
    "past_verb",
    "asker_first_person",
    "remote_past",
    "recent_past",
    "resolved",
    "back_again",
)


@cache
def assertion_matcher() -> PhraseMatcher:
    """The cues of data/vocabulary.yml `assertion`, one label a list."""
    words = vocabulary()["assertion"]
    return phrase_matcher({label: words[label] for label in _LABELS})


@cache
def other_sense_matcher() -> PhraseMatcher:
    """Phrases in which a sign's word means something else, labelled with the sign's name."""
    return phrase_matcher(red_flag_other_senses())


def _other_sense_spans(doc: Doc) -> dict[str, list[Span]]:
    spans: dict[str, list[Span]] = {}
    for span in matched_spans(other_sense_matcher(), doc, longest_only=False):
        spans.setdefault(span.label_, []).append(span)
    return spans


OLDEST_YEAR = 1940


def _an_absence(span: Span) -> bool:
    """Tell whether the sign is itself an absence ("haven't peed all day", "no wet nappy").

    For such a sign, "nothing since" after it goes on with it; it does not say the sign is over.
    """
    return any(token.lower_ in _ABSENCE_WORDS for token in span)


_ABSENCE_WORDS = frozenset(
    {"n't", "not", "no", "never", "cannot", "cant", "can't", "wont", "won't", "without", "dry"}
)


# A sentence with these speaks of the writer too ("my mum had chemo years ago but this is
# about me, temp 38.4").
_WRITER_WORDS = frozenset({"i", "im", "i'm", "i’m", "me", "myself", "mine"})


# "Does that still apply to me?": "still" about a rule or a fact, not a sign that is back.
_STILL_NOT_BACK = frozenset(
    {"apply", "applies", "true", "relevant", "matter", "matters", "valid", "hold", "holds", "stand"}
)


def _still_as_in(doc: Doc, cue: Span) -> bool:
    return (
        cue.text.lower() == "still"
        and cue.end < len(doc)
        and doc[cue.end].lower_ in _STILL_NOT_BACK
    )


def _past_year(text: str) -> bool:
    """Tell whether the text is a year before this one, as in "last seizure was 2019"."""
    return len(text) == 4 and text.isdigit() and OLDEST_YEAR <= int(text) < date.today().year


def _longest(spans: list[Span]) -> list[Span]:
    """Overlapping cues of one label reduced to the longest ("in case" in "just in case")."""
    from spacy.util import filter_spans

    return sorted(filter_spans(spans), key=lambda span: span.start)


def _numbered(doc: Doc, break_starts: set[int], commas: bool) -> list[int]:
    """Number each token's clause (or sentence).

    A new number starts after sentence punctuation, around a comma when `commas`, and at each break
    word ("and", "but", "so").
    """
    number, numbers = 0, []
    for token in doc:
        comma = commas and token.text == ","
        if token.i in break_starts or comma:
            number += 1
        numbers.append(number)
        if _hard_end(token.text) or comma:
            number += 1
    return numbers


def _negations_before(
    doc: Doc, negation_cues: Sequence[Span], pseudo: Sequence[Span], after: Sequence[Span]
) -> list[Span]:
    """Return the cues that negate what follows them, in order.

    Not a negation that affirms ("can't stop shivering") nor a "No," that answers; and the "no"
    of a cue after a sign also negates what follows it ("I feel fine: no fevers").
    """
    before = [
        span
        for span in negation_cues
        if span.label_ == "negation_before"
        and not any(p.start <= span.start < p.end for p in pseudo)
        and not _standalone_no(doc, span)
    ]
    before += [
        doc[span.start + 1 : span.end]
        for span in after
        if len(span) > 1 and not span[0].is_alpha and span.end < len(doc) and doc[span.end].is_alpha
    ]
    return sorted(before, key=lambda span: span.start)


def _refers_to_all(cue: Span) -> bool:
    """Whether a cue of being over points back at everything said before it.

    "Fever and shivers, but that was back in February": both are over.
    """
    return cue[0].lower_ == "that"


def _hard_end(text: str) -> bool:
    return text in _HARD_ENDS or "\n" in text


def _standalone_no(doc: Doc, cue: Span) -> bool:
    return cue.text.lower() == "no" and cue.end < len(doc) and doc[cue.end].text in _STANDALONE_NO

"""The range picture of a reading (bot/range_picture), and its three drawings.

Its bands, marks and sentence, and the drawings (SVG, PNG, text bar) made from it.
"""

from __future__ import annotations

import io
import itertools
import math
import re
import xml.etree.ElementTree as ET

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st
from PIL import Image

from bot import interpret_text
from bot.judge.conversation import ConversationState, take_turn
from bot.judge.interpret import categorise
from bot.model import Analyte, Category, Finding, LabRange, Pregnancy
from bot.reference import ranges
from bot.reply.dialogue import respond
from bot.reply.range_picture import (
    BandKind,
    Direction,
    PictureDataError,
    RangePicture,
    earlier_counts,
    from_plain,
    payload,
    picture_of,
    pictures_for,
    pictures_in,
    render_bar,
    render_png,
    render_svg,
    render_text_bar,
    to_plain,
)
from bot.reply.range_picture.layout import HEIGHT, WIDTH
from bot.reply.range_picture.model import BAND_OF_CATEGORY
from bot.reply.range_picture.scale import position
from bot.reply.range_picture.text_bar import BAR_WIDTH

SVG = "{http://www.w3.org/2000/svg}"
K = BandKind


def picture(text: str, earlier: tuple[float, ...] = ()) -> RangePicture:
    """The picture of the first count read in `text`."""
    interpretation = interpret_text(text)
    drawn = picture_of(interpretation.findings[0], interpretation.context.age_years, earlier)
    assert drawn is not None
    return drawn


def limits(drawn: RangePicture) -> list[tuple[BandKind, float, float]]:
    return [(band.kind, band.start, band.end) for band in drawn.bands]


# text, the band the count sits in, the basis, the usual range, the zones drawn (kind: end)
CASES = [
    ("my wbc is 3.2", K.LOW, "adult", (4500, 11000), {K.CRITICALLY_LOW: 2000, K.HIGH: 30000}),
    ("wbc 7.0", K.USUAL, "adult", (4500, 11000), {K.CRITICALLY_LOW: 2000}),
    ("wbc 14.2", K.HIGH, "adult", (4500, 11000), {K.HIGH: 30000}),
    ("wbc 1.2", K.CRITICALLY_LOW, "adult", (4500, 11000), {K.CRITICALLY_LOW: 2000}),
    ("wbc 45,000", K.CRITICALLY_HIGH, "adult", (4500, 11000), {K.HIGH: 30000}),
    ("wbc 4.2", K.LOW, "adult", (4500, 11000), {}),  # borderline: below the usual range
    ("anc 300", K.CRITICALLY_LOW, "adult", (1500, 7700), {K.CRITICALLY_LOW: 500}),
    ("anc 0.8", K.LOW, "adult", (1500, 7700), {K.LOW: 1500}),
    ("anc 9000", K.HIGH, "adult", (1500, 7700), {}),
    ("wbc 3.9 (3.4-9.6)", K.USUAL, "lab report", (3400, 9600), {K.LOW: 3400}),
    ("WBC 2.9 L 4.0-11.0 x10^3/uL", K.LOW, "lab report", (4000, 11000), {K.LOW: 4000}),
    ("I'm 20 weeks pregnant, wbc 15", K.HIGH, "pregnancy", (5600, 14800), {K.USUAL: 14800}),
    ("my 4 year old's wbc is 16", K.HIGH, "pediatric band", (5500, 15500), {K.USUAL: 15500}),
    ("my 4 year old's wbc is 1.5", K.CRITICALLY_LOW, "pediatric band", (5500, 15500), {}),
]


@pytest.mark.parametrize(
    ("text", "band", "basis", "usual", "ends"), CASES, ids=[c[0] for c in CASES]
)
def test_bands_basis_and_where_the_count_sits(
    text: str, band: BandKind, basis: str, usual: tuple[float, float], ends: dict
) -> None:
    """Adult, lab range, pregnancy and a child's band: the zones, the range and the count's band."""
    drawn = picture(text)
    assert drawn.band is band
    assert drawn.band_at(ranges.whole_cells(drawn.value)).kind is band
    assert drawn.basis == basis
    assert (drawn.low, drawn.high) == usual
    ends_now = {kind: end for kind, _, end in limits(drawn)}
    for kind, end in ends.items():
        assert ends_now[kind] == end
    assert drawn.value_text in drawn.label
    assert drawn.bands[0].start == 0 and drawn.axis_end > drawn.value


def test_children_and_neutrophils_have_no_critically_high_zone() -> None:
    """Critically high is an adult white-count limit only (clinical reference, sections 1-3)."""
    assert K.CRITICALLY_HIGH in [b.kind for b in picture("wbc 7").bands]
    assert K.CRITICALLY_HIGH not in [b.kind for b in picture("anc 2000").bands]
    assert K.CRITICALLY_HIGH not in [b.kind for b in picture("my 4 year old's wbc is 7").bands]
    assert picture("my 4 year old's wbc is 40,000").band is K.HIGH


def test_the_bands_carry_their_words_not_colour_alone() -> None:
    drawn = picture("my wbc is 3.2")
    assert [band.label for band in drawn.bands] == ["critical", "low", "usual", "high", "critical"]


def test_critically_low_neutrophils_say_so() -> None:
    drawn = picture("anc 0.3")
    assert drawn.band is K.CRITICALLY_LOW
    assert "critical zone" in drawn.label and "300" in drawn.label
    assert position(drawn, drawn.value) < position(drawn, 500)


@settings(max_examples=300, deadline=None)
@given(
    analyte=st.sampled_from(list(Analyte)),
    count=st.integers(min_value=0, max_value=1_000_000),
    age=st.one_of(st.none(), st.floats(min_value=0, max_value=90)),
    lab=st.one_of(
        st.none(),
        st.tuples(st.integers(0, 20_000), st.integers(1, 40_000)).filter(lambda r: r[0] < r[1]),
    ),
    pregnant=st.booleans(),
)
@example(analyte=Analyte.ANC, count=500, age=None, lab=(0, 1), pregnant=False)  # an empty band
@example(analyte=Analyte.WBC, count=2000, age=None, lab=(0, 2000), pregnant=False)  # one count
def test_the_count_sits_in_the_band_of_its_category(
    analyte: Analyte, count: int, age: float | None, lab: tuple[int, int] | None, pregnant: bool
) -> None:
    """Whatever the range, a count sits in the band its category names.

    The bands are contiguous from 0, and positions never go backwards.
    """
    lab_range = LabRange(*lab) if lab else None
    judgement = categorise(analyte, count, age, lab_range, Pregnancy() if pregnant else None)
    if judgement.category not in BAND_OF_CATEGORY:
        return  # an impossible count gets no picture
    finding = Finding(analyte, "x", 0, count, False, judgement.category, None, judgement.reference)
    drawn = picture_of(finding, age)
    assert drawn is not None
    assert drawn.band_at(count).kind is BAND_OF_CATEGORY[judgement.category]
    assert all(a.end == b.start for a, b in itertools.pairwise(drawn.bands))
    assert position(drawn, count) <= position(drawn, count + 1) <= 1.0


def test_earlier_counts_come_from_the_conversation_oldest_first() -> None:
    """Each new count remembers the earlier counts of its kind; an ANC never a white count's.

    The counts a message replaces are those of the message before: a kind it leaves out is
    forgotten, its earlier counts with it.
    """
    state = ConversationState()
    for text in ("my wbc is 6.2 and anc 0.8", "wbc 5.1 and anc 1.0", "wbc 3.2 and anc 1.2"):
        state = take_turn(state, text).state
    turn = take_turn(state, "she is 40")  # judged again: no new count, the same earlier ones
    wbc, anc = turn.state.counts
    assert wbc.earlier_cells_per_ul == (6200, 5100) and anc.earlier_cells_per_ul == (800, 1000)
    assert take_turn(state, "wbc 2.0").state.counts[0].earlier_cells_per_ul == (6200, 5100, 3200)
    assert turn.interpretation is not None
    assert earlier_counts(turn.state.counts, turn.interpretation.findings[0]) == (6200, 5100)
    said = interpret_text("my wbc went from 6.2 to 3.9").findings[0]
    assert earlier_counts((), said) == (6200,)
    series = interpret_text("wbc 6.4 in May, 4.9 in August, 3.3 now").findings[-1]
    assert earlier_counts((), series)[-1] == 4900


def test_earlier_counts_are_bounded_and_survive_a_unit_question() -> None:
    state = ConversationState()
    for text in ("wbc 9", "wbc 8", "wbc 7", "wbc 6", "wbc 5.5", "my wbc is 5000"):
        state = take_turn(state, text).state
    assert state.counts[0].earlier_cells_per_ul == (8000, 7000, 6000, 5500)
    state = take_turn(state, "wbc 320").state  # no unit yet: the bot asks for one
    state = take_turn(state, "K/uL").state
    assert state.counts[0].earlier_cells_per_ul == (7000, 6000, 5500, 5000)


@pytest.mark.parametrize(
    ("earlier", "direction", "words"),
    [
        ((6200.0,), Direction.DOWN, "went down from 6,200"),
        ((2100.0,), Direction.UP, "went up from 2,100"),
        ((3200.0,), Direction.SAME, "same as before"),
        ((5000.0, 6200.0), Direction.DOWN, "earlier: 5,000 and 6,200"),
    ],
    ids=["down", "up", "same", "two earlier"],
)
def test_direction_of_change(earlier: tuple[float, ...], direction: Direction, words: str) -> None:
    drawn = picture("my wbc is 3.2", earlier)
    assert drawn.direction is direction and drawn.earlier == earlier
    assert words in drawn.label
    assert render_text_bar(drawn).count("○") == len(set(earlier) - {3200.0})


def test_no_picture_for_a_count_without_unit_or_an_impossible_one() -> None:
    assert pictures_for(interpret_text("my wbc is 3200000000")) == ()
    assert picture("my wbc is 3.2").earlier == ()


# --- The drawings -------------------------------------------------------------------------

READINGS = ["wbc 1.2", "my wbc is 3.2", "wbc 7", "wbc 14.2", "wbc 250,000", "anc 0", "anc 0.3"]


@pytest.mark.parametrize("text", READINGS)
def test_svg_is_well_formed_with_role_label_and_words(text: str) -> None:
    """One <svg> element: role="img", the sentence as aria-label, the band words as text."""
    drawn = picture(text, (5000.0,))
    root = ET.fromstring(render_svg(drawn))
    assert root.tag == f"{SVG}svg"
    assert root.get("role") == "img" and root.get("aria-label") == drawn.label
    assert root.get("viewBox") == f"0 0 {WIDTH:g} {HEIGHT:g}" and root.get("width") == "100%"
    texts = [element.text for element in root.iter(f"{SVG}text")]
    assert {"low", "usual", "high"} <= set(texts) and drawn.value_text in texts
    tags = {element.tag.removeprefix(SVG) for element in root.iter()}
    assert tags <= {"svg", "rect", "path", "text", "circle"}  # no script, link or foreign object
    colours = {element.get("fill") for element in root.iter()} - {None, "none"}
    assert colours == {"currentColor"}  # follows the theme: light, dark, high contrast


def test_svg_escapes_what_it_writes() -> None:
    """Even a label that held markup would stay text (the core writes it; this is a second line)."""
    drawn = picture("my wbc is 3.2")
    hostile = RangePicture(**{**drawn.__dict__, "label": '"><script>alert(1)</script>'})
    root = ET.fromstring(render_svg(hostile))
    assert root.get("aria-label") == hostile.label
    assert not list(root.iter("script")) and not list(root.iter(f"{SVG}script"))


@pytest.mark.parametrize("text", READINGS)
def test_png_decodes_at_its_size(text: str) -> None:
    data = render_png(picture(text, (9000.0, 5000.0)))
    image = Image.open(io.BytesIO(data))
    assert image.format == "PNG" and image.size == (int(WIDTH * 2), int(HEIGHT * 2))
    assert 2_000 < len(data) < 40_000
    assert len(set(image.convert("L").getdata())) > 2  # drawn, not blank


@pytest.mark.parametrize("text", READINGS)
def test_text_bar_is_one_line_of_fixed_width(text: str) -> None:
    drawn = picture(text, (5000.0,))
    bar = render_bar(drawn)
    assert len(bar) == BAR_WIDTH and bar.count("●") == 1
    line = render_text_bar(drawn)
    assert "\n" not in line and len(line) <= 80 and drawn.value_text in line
    assert line.isprintable()


def test_text_bar_words() -> None:
    """The bar names its bands in words; a critical zone is filled with "!"."""
    bar = render_bar(picture("wbc 20,000"))
    assert {"low", "usual", "high"} <= set(re.findall("[a-z]+", bar))
    assert bar.startswith("!") and bar.endswith("!")


# --- Carried as data ----------------------------------------------------------------------


@pytest.mark.parametrize("text", READINGS)
def test_payload_round_trip(text: str) -> None:
    drawn = picture(text, (5000.0, 6100.0))
    assert pictures_in(payload([drawn])) == (drawn,)
    assert from_plain(to_plain(drawn)) == drawn


@pytest.mark.parametrize(
    "change",
    [
        {"value": math.inf},
        {"value": -1},
        {"value": "3,200"},
        {"band": "purple"},
        {"basis": "<b>"},
        {"label": "x" * 1000},
        {"bands": []},
        {"bands": "low"},
        {"direction": "sideways"},
    ],
    ids=[
        "inf",
        "negative",
        "text",
        "band",
        "basis",
        "long label",
        "no bands",
        "bands",
        "direction",
    ],
)
def test_payload_refuses_what_the_bot_never_makes(change: dict) -> None:
    plain = {**to_plain(picture("my wbc is 3.2")), **change}
    with pytest.raises(PictureDataError):
        from_plain(plain)


def test_value_text_is_formatted_from_the_number_not_read() -> None:
    plain = {**to_plain(picture("my wbc is 3.2")), "value_text": "<img src=x>"}
    assert from_plain(plain).value_text == "3,200"


def test_other_custom_data_holds_no_pictures() -> None:
    assert pictures_in({"forget_session": True}) == ()
    assert pictures_in(None) == ()
    assert payload([]) == {}


# --- In the reply -------------------------------------------------------------------------


def test_the_reading_message_carries_its_pictures_and_only_it() -> None:
    """One picture per count of the reading, on the reading's message; none elsewhere."""
    earlier = take_turn(ConversationState(), "my wbc is 6.2").state
    reply = respond(earlier, "my wbc is 3.2 and anc 0.8")
    with_pictures = [message for message in reply.messages if message.pictures]
    assert len(with_pictures) == 1
    kinds = [p.analyte for p in with_pictures[0].pictures]
    assert sorted(kinds) == [Analyte.ANC, Analyte.WBC]
    wbc = next(p for p in with_pictures[0].pictures if p.analyte is Analyte.WBC)
    assert wbc.earlier == (6200,) and wbc.direction is Direction.DOWN
    assert with_pictures[0].text.startswith(reply.messages[0].text[:0])


def test_emergency_advice_stays_first_and_has_no_picture() -> None:
    reply = respond(ConversationState(), "I have trouble breathing and my wbc is 1.9")
    assert reply.messages[0].text.startswith("⚠️") and not reply.messages[0].pictures
    assert any(m.pictures for m in reply.messages[1:])
    assert reply.interpretation is not None
    assert reply.interpretation.findings[0].category is Category.CRITICALLY_LOW


def test_a_question_without_counts_has_no_picture() -> None:
    reply = respond(ConversationState(), "what causes a low white count?")
    assert not any(message.pictures for message in reply.messages)

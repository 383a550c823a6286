"""A FHIR R4 Observation or Bundle in, FHIR JSON out, judged by the chat's own core.

The counts read (bot/fhir/read.py) go through `bot.judge.interpret.interpret` as if typed, and
the answer is written back as FHIR (bot/fhir/write.py).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date
from typing import Any

from bot.fhir import write
from bot.fhir.read import Count, Request, read_request
from bot.judge.interpret import interpret
from bot.model import (
    Analyte,
    ClinicalContext,
    Finding,
    Interpretation,
    LabValue,
    NeutrophilShare,
    ParsedText,
    Urgency,
)
from bot.reference import wording
from bot.reference.ranges import format_count
from bot.reply import links
from bot.reply import verdicts as reading
from bot.reply.explain import disclaimer_for

# Where each count sits in the made-up "message" the core reads: count i at i * SPACING, its
# neutrophil percentages just after it (the core pairs a share with the count before it).
SPACING = 100


def interpret_resource(resource: Mapping[str, Any], today: date) -> dict[str, Any]:
    """Judge an Observation or a Bundle and return the Parameters resource that answers it.

    Raises FhirProblem when the resource cannot be read. `today` stands for the day the sample was
    taken when the Observation does not say.
    """
    request = read_request(resource, today)
    paired = _pairs(request)
    result = interpret(_parsed(request, paired))
    observations = _observations(request, paired, result)
    cited = reading.reading(result)
    more = reading.more_about(result) if reading.has_more(result) else None
    explanation = cited.text
    if result.urgency is Urgency.EMERGENCY:  # what to do comes first, as in the chat
        explanation = " ".join([*result.reasons, explanation])
    keys = [*cited.source_keys, *(more.source_keys if more else ())]
    return write.parameters(
        observations=observations,
        explanation=links.as_plain(explanation),
        details=links.as_plain(more.text) if more else "",
        urgency=result.urgency.value,
        sources=[links.titled(key) for key in links.citable(keys)],
        disclaimer=disclaimer_for(result),
        chat_message=write.chat_message(request, paired),
    )


def _pairs(request: Request) -> list[tuple[Count, Count]]:
    """Pair each neutrophil percentage with its white count.

    The white count taken at the same time is used, else the only one; a percentage that fits no
    white count is left out.
    """
    white = [count for count in request.counts if count.analyte is Analyte.WBC]
    paired = []
    for share in request.shares:
        same_time = [count for count in white if count.when_text == share.when_text]
        match = same_time[:1] or (white if len(white) == 1 else [])
        if match:
            paired.append((match[0], share))
    return paired


def _parsed(request: Request, paired: Sequence[tuple[Count, Count]]) -> ParsedText:
    values = tuple(
        LabValue(
            analyte=count.analyte,
            text=f"{count.value:g} {count.unit.written}",
            start=index * SPACING,
            cells_per_ul=count.cells_per_ul,
            lab_range=count.lab_range,
            lab_flag=count.lab_flag,
        )
        for index, count in enumerate(request.counts)
        if count.analyte is not None
    )
    shares = tuple(
        NeutrophilShare("neutrophils", share.value, f"neutrophils {share.value:g}%", start)
        for share, start in _share_starts(request, paired).items()
    )
    context = ClinicalContext(
        age_years=request.age_years, sex=request.sex, pregnancy=request.pregnancy
    )
    return ParsedText(text="", values=values, neutrophil_shares=shares, context=context)


def _share_starts(request: Request, paired: Sequence[tuple[Count, Count]]) -> dict[Count, int]:
    starts: dict[Count, int] = {}
    for index, count in enumerate(request.counts):
        for offset, (_, share) in enumerate(p for p in paired if p[0] is count):
            starts[share] = index * SPACING + 1 + offset
    return starts


def _observations(
    request: Request, paired: Sequence[tuple[Count, Count]], result: Interpretation
) -> list[dict[str, Any]]:
    """Each count as sent, interpreted, then each computed ANC."""
    age = result.context.age_years
    by_start = {finding.start: finding for finding in result.findings}
    written = []
    for index, count in enumerate(request.counts):
        finding = by_start[index * SPACING]
        written.append(write.interpreted(count, finding, reading.verdict(finding, None, age)))
    starts = _share_starts(request, paired)
    for wbc, share in paired:
        computed = by_start.get(starts[share])
        if computed is not None and computed.computed:
            how = _computed_note(result, computed)
            verdict = reading.verdict(computed, None, age)
            written.append(write.computed_anc(computed, wbc, share, verdict, how))
    return written


def _computed_note(result: Interpretation, finding: Finding) -> str:
    """The note that says how this ANC was worked out."""
    assert finding.cells_per_ul is not None  # computed from a count
    value = format_count(finding.cells_per_ul)
    notes = [
        note
        for note in result.notes
        if wording.key_of(note).startswith("computed_anc") and value in note
    ]
    return notes[0] if notes else write.COMPUTED_METHOD_TEXT

"""Survey results: per question (one per qualitative commitment, and overall satisfaction) and
per service, the share of satisfied answers with its 95 % Wilson interval, and the response
rate. Anonymous: a group of fewer than `MIN_GROUP` answers shows no figure at all."""

import math
from collections import defaultdict
from datetime import date

from guichet.catalogue.models import Service
from guichet.measures import ShareRow, register_shares
from guichet.surveys.models import Invitation, Response
from guichet.surveys.questions import ALL_QUESTIONS

MIN_GROUP = 5
Z = 1.959963984540054  # the 97.5th percentile of the normal law: a 95 % interval
SATISFIED = (1, 2)  # "tout à fait" or "plutôt" d'accord / satisfait
RESPONSE_RATE_CODE = "satisfaction-taux-de-reponse"


def wilson(successes: int, total: int, z: float = Z) -> tuple[float, float]:
    """The Wilson score interval of a proportion (good for small groups and shares near 0 or
    1, unlike the normal approximation)."""
    if total <= 0:
        raise ValueError("an interval needs at least one answer")
    p = successes / total
    denominator = 1 + z * z / total
    centre = (p + z * z / (2 * total)) / denominator
    half = z * math.sqrt(p * (1 - p) / total + z * z / (4 * total * total)) / denominator
    return max(0.0, centre - half), min(1.0, centre + half)


def _row(code: str, label: str, group: str, satisfied: int, answered: int) -> ShareRow:
    if answered < MIN_GROUP:
        return ShareRow(code, label, group, 0, 0, shown=False)
    low, high = wilson(satisfied, answered)
    return ShareRow(
        code,
        label,
        group,
        satisfied,
        answered,
        shown=True,
        share_tenths=round(1000 * satisfied / answered),
        low_tenths=math.floor(1000 * low),
        high_tenths=math.ceil(1000 * high),
    )


@register_shares("surveys")
def satisfaction(first_day: date, last_day: date) -> list[ShareRow]:
    """The survey rows of a period: answers received in it, invitations sent in it."""
    responses = list(
        Response.objects.filter(submitted_on__range=(first_day, last_day)).values(
            "service_code", *(q.field for q in ALL_QUESTIONS)
        )
    )
    names = dict(Service.objects.values_list("code", "name_fr").order_by("-id"))
    rows: list[ShareRow] = []
    for question in ALL_QUESTIONS:
        tallies: dict[str, list[int]] = defaultdict(lambda: [0, 0])
        for r in responses:
            value = r[question.field]
            if value == 0:  # does not apply
                continue
            for group in ("", r["service_code"]):
                tallies[group][1] += 1
                tallies[group][0] += int(value in SATISFIED)
        satisfied, answered = tallies.get("", [0, 0])
        rows.append(_row(question.code, question.report_label, "", satisfied, answered))
        for code in sorted(k for k in tallies if k):
            satisfied, answered = tallies[code]
            rows.append(
                _row(
                    question.code, question.report_label, names.get(code, code), satisfied, answered
                )
            )
    sent = Invitation.objects.filter(sent_on__range=(first_day, last_day))
    invited = sent.count()
    used = sent.filter(answered=True).count()
    if invited:
        low, high = wilson(used, invited)
        rows.append(
            ShareRow(
                RESPONSE_RATE_CODE,
                "Taux de réponse (invitations envoyées pendant la période)",
                "",
                used,
                invited,
                shown=True,
                share_tenths=round(1000 * used / invited),
                low_tenths=math.floor(1000 * low),
                high_tenths=math.ceil(1000 * high),
            )
        )
    else:
        rows.append(
            ShareRow(
                RESPONSE_RATE_CODE,
                "Taux de réponse (invitations envoyées pendant la période)",
                "",
                0,
                0,
                shown=False,
            )
        )
    return rows

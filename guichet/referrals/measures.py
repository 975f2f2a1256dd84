"""Referrals counted in the annual report (guichet/measures.py, counts): in all, by need and
by origin, for the referrals made in the period."""

from collections import Counter
from datetime import date

from guichet.measures import CountRow, register_counts
from guichet.referrals.models import Need, Origin, Referral


@register_counts("referrals")
def referrals(first_day: date, last_day: date) -> list[CountRow]:
    made = list(
        Referral.objects.filter(referred_on__range=(first_day, last_day)).values_list(
            "need", "origin"
        )
    )
    needs = Counter(n for n, _o in made)
    origins = Counter(o for _n, o in made)
    label = "Orientations vers un organisme partenaire"
    return [
        CountRow("orientations", label, "", len(made)),
        *(CountRow("orientations", label, f"Besoin : {n.label}", needs[n.value]) for n in Need),
        *(
            CountRow("orientations", label, f"Provenance : {o.label}", origins[o.value])
            for o in Origin
        ),
    ]

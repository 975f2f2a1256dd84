"""The sections of a person's personal-data export that the privacy app writes: their
dossiers (the dossiers app's data, read here so that the dossiers app keeps no export code),
their requests for access or rectification, and the access log about them."""

from typing import Any

from django.db.models import Q

from guichet.accounts.models import User
from guichet.accounts.personal_data import Who
from guichet.audit.models import AccessLog
from guichet.dossiers.models import Channel, Decision, Dossier, DossierState
from guichet.personal_data import iso, register_section
from guichet.privacy.deadlines import request_clock
from guichet.privacy.models import InfoRequest

# Event details that name someone other than the person (the agent a dossier is given to).
_OTHER_PEOPLE_DETAILS = frozenset({"agent", "agent_name"})


def _label(choices: Any, value: str) -> str:
    return str(choices(value).label) if value in choices.values else value


def _dossier(d: Dossier, who: Who) -> dict[str, Any]:
    return {
        "numéro": d.number,
        "service": d.service.name_fr,
        "mode_de_réception": _label(Channel, d.channel),
        "date_de_réception": iso(d.received_on),
        "état": _label(DossierState, d.state),
        "décision": _label(Decision, d.decision) if d.decision else None,
        "date_de_la_décision": iso(d.decided_on),
        "échéance": iso(d.due_date),
        "dossier_d_origine": d.parent.number if d.parent else None,
        "frais_acquittés_le": iso(d.fee_paid_on),
        "identité": {
            "nom": d.applicant_name,
            "adresse_courriel": d.applicant_email,
            "adresse_postale": d.postal_address,
            "date_de_naissance": iso(d.birth_date),
            "numéro_de_passeport": d.passport_number,
            "identifiant_client_fédéral": d.federal_client_id,
        },
        "historique": [
            {
                "rang": e.seq,
                "événement": e.kind_label,
                "date": iso(e.occurred_on),
                "inscrit_le": iso(e.recorded_at),
                "par": who(e.actor_id, "système" if e.actor_id is None else ""),
                "détails": {k: v for k, v in e.details.items() if k not in _OTHER_PEOPLE_DETAILS},
            }
            for e in d.events.all()
        ],
        "documents": [
            {
                "description": doc.label,
                "nom_du_fichier": doc.original_name,
                "type": doc.content_type,
                "taille_en_octets": doc.size,
                "empreinte_sha256": doc.sha256,
                "reçu_le": iso(doc.uploaded_at),
                "déposé_par": who(doc.uploaded_by_id),
            }
            for doc in d.documents.all()
        ],
        "lettres": [
            {
                "titre": letter.title,
                "sorte": letter.get_kind_display(),
                "langue": letter.language,
                "produite_le": iso(letter.created_at),
                "vous_avez_été_avisé_le": iso(letter.notified_at),
            }
            for letter in d.letters.all()
        ],
    }


@register_section(
    "dossiers",
    title="Vos dossiers",
    description=(
        "Chaque dossier lié à votre compte : le service, les dates, l'état, la décision, les "
        "renseignements d'identité (déchiffrés), l'historique complet, la description des "
        "documents déposés et des lettres (les fichiers eux-mêmes se téléchargent depuis la "
        "page du dossier). Un dossier reçu par la poste n'y figure qu'une fois lié à votre "
        "compte."
    ),
    order=20,
)
def dossiers_section(user: User) -> dict[str, Any]:
    who = Who(user)
    dossiers = (
        Dossier.objects.filter(client=user)
        .select_related("service", "parent")
        .prefetch_related("events", "documents", "letters")
        .order_by("received_on", "id")
    )
    return {"dossiers": [_dossier(d, who) for d in dossiers]}


@register_section(
    "demandes_d_accès_et_de_rectification",
    title="Vos demandes d'accès et de rectification",
    description=(
        "Vos demandes d'accès à vos renseignements ou de rectification, leur délai et chacune "
        "de leurs étapes, et la liste des lettres et fichiers qui vous ont été transmis."
    ),
    order=50,
)
def requests_section(user: User) -> dict[str, Any]:
    who = Who(user)
    rows = []
    requests = InfoRequest.objects.filter(person=user).prefetch_related("events", "files")
    for r in requests.order_by("received_at", "id"):
        events = list(r.events.all())
        clock = request_clock(r.received_on, [(e.kind, e.occurred_on) for e in events])
        rows.append(
            {
                "référence": r.reference,
                "demande": r.get_kind_display(),
                "date_de_réception": iso(r.received_on),
                "précisions": r.details,
                "renseignement_exact": r.correction,
                "dossier_visé": r.dossier_number,
                "réponse_due_au_plus_tard_le": iso(clock.due_on),
                "répondue_le": iso(clock.answered_on),
                "étapes": [
                    {
                        "étape": e.get_kind_display(),
                        "date": iso(e.occurred_on),
                        "par": who(e.actor_id),
                        "détails": e.details,
                    }
                    for e in events
                ],
                "fichiers": [
                    {
                        "titre": f.title,
                        "sorte": f.get_kind_display(),
                        "produit_le": iso(f.created_at),
                    }
                    for f in r.files.all()
                ],
            }
        )
    return {"demandes": rows}


@register_section(
    "journal_des_accès",
    title="Qui a consulté ou modifié vos renseignements",
    description=(
        "Les entrées du journal des accès qui vous concernent : chaque consultation, "
        "modification, exportation, destruction ou anonymisation de vos renseignements et de "
        "vos dossiers, et les événements de votre compte (inscription, connexions…), avec la "
        "date, le motif et qui a agi (sans le nom des membres du personnel)."
    ),
    order=90,
)
def access_log_section(user: User) -> dict[str, Any]:
    who = Who(user)
    numbers = Dossier.objects.filter(client=user).values("number")
    entries = AccessLog.objects.filter(Q(person=user) | Q(subject_number__in=numbers)).order_by(
        "id"
    )
    return {
        "entrées": [
            {
                "le": iso(e.at),
                "action": e.get_action_display(),
                "objet": e.get_subject_kind_display(),
                "dossier": e.subject_number or None,
                "motif": e.why,
                "par": who(e.actor_id, e.actor_label),
            }
            for e in entries.iterator(chunk_size=2000)
        ]
    }

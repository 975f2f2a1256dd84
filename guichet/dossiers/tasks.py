"""Background work of the dossiers, run by the django-tasks database worker
(`guichet db_worker`)."""

from collections.abc import Sequence

from django.conf import settings
from django.core.mail import EmailMessage
from django.utils import timezone, translation
from django.utils.translation import gettext
from django_tasks import task

from guichet.accounts.language import letter_languages
from guichet.dossiers.models import Letter
from guichet.public_url import public_url


def letter_waiting_email(languages: Sequence[str]) -> tuple[str, str]:
    """The subject and body of the e-mail that a letter is waiting: French first, then the
    client's language of service when a basis allows it, as the letter itself."""
    subjects, bodies = [], []
    for language in languages:
        with translation.override(language):
            subjects.append(gettext("Une lettre vous attend dans Guichet"))
            bodies.append(
                gettext(
                    "Bonjour,\n\nUne nouvelle lettre a été déposée dans votre espace Guichet.\n"
                    "Pour la lire, connectez-vous : %(link)s\n\n"
                    "Ce courriel est envoyé automatiquement ; n'y répondez pas.\n"
                )
                % {"link": public_url("/dossiers/")}
            )
    return " / ".join(subjects), "\n* * *\n\n".join(bodies)


def notice_message_id(letter: Letter) -> str:
    """The e-mail's key: the same Message-ID however many times the task runs. The task sends
    and then records it; a worker killed between the two sends again on the retry, and the
    mail servers and clients recognise the repeat by this key (docs/reliability.md)."""
    domain = settings.GUICHET_PUBLIC_URL.split("://", 1)[-1].split("/", 1)[0].split(":", 1)[0]
    return f"<lettre-{letter.pk}-{letter.event_seq}.{letter.dossier_id}@{domain or 'guichet'}>"


@task()
def notify_letter_waiting(letter_id: int) -> None:
    """Tell the client that a letter is waiting in their dossier. The e-mail says nothing
    personal: no name, no dossier number, no content; only where to sign in."""
    letter = Letter.objects.select_related("dossier__client").get(pk=letter_id)
    if letter.notified_at is not None:
        return  # a retried task sends nothing twice
    dossier = letter.dossier
    address = dossier.client.email if dossier.client else dossier.applicant_email
    if address:
        subject, body = letter_waiting_email(
            letter_languages(dossier.client, timezone.localdate(letter.created_at))
        )
        EmailMessage(
            subject=subject,
            body=body,
            from_email=settings.DEFAULT_FROM_EMAIL,
            to=[address],
            headers={"Message-ID": notice_message_id(letter)},
        ).send()
    letter.notified_at = timezone.now()
    letter.save(update_fields=["notified_at"])

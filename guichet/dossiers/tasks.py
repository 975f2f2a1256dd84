"""Background work of the dossiers, run by the django-tasks database worker
(`guichet db_worker`)."""

from django.conf import settings
from django.core.mail import send_mail
from django.utils import timezone
from django_tasks import task

from guichet.dossiers.models import Letter


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
        send_mail(
            subject="Une lettre vous attend dans Guichet",
            message=(
                "Bonjour,\n\nUne nouvelle lettre a été déposée dans votre espace Guichet.\n"
                f"Pour la lire, connectez-vous : {settings.GUICHET_BASE_URL}/dossiers/\n\n"
                "Ce courriel est envoyé automatiquement ; n'y répondez pas.\n"
            ),
            from_email=settings.DEFAULT_FROM_EMAIL,
            recipient_list=[address],
        )
    letter.notified_at = timezone.now()
    letter.save(update_fields=["notified_at"])

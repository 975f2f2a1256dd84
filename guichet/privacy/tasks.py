"""Background work of the privacy app, run by the same django-tasks database worker as the
dossiers' (`guichet db_worker`)."""

from django.conf import settings
from django.core.mail import send_mail
from django.urls import reverse
from django.utils import timezone
from django_tasks import task

from guichet.privacy.models import InfoRequestFile
from guichet.public_url import public_url


@task()
def notify_request_letter_waiting(file_id: int) -> None:
    """Tell the person that a letter about their request is waiting in Guichet: the same
    neutral e-mail as for a dossier's letter (no name, no reference, no content)."""
    stored = InfoRequestFile.objects.select_related("request__person").get(pk=file_id)
    if stored.notified_at is not None:
        return  # a retried task sends nothing twice
    path = reverse("privacy:my_request", kwargs={"request_id": stored.request_id})
    send_mail(
        subject="Une lettre vous attend dans Guichet",
        message=(
            "Bonjour,\n\nUne nouvelle lettre a été déposée dans votre espace Guichet.\n"
            f"Pour la lire, connectez-vous : {public_url(path)}\n\n"
            "Ce courriel est envoyé automatiquement ; n'y répondez pas.\n"
        ),
        from_email=settings.DEFAULT_FROM_EMAIL,
        recipient_list=[stored.request.person.email],
    )
    InfoRequestFile.objects.filter(pk=stored.pk).update(notified_at=timezone.now())

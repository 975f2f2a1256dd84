"""Background work of the mandates, run by the django-tasks database worker
(`guichet db_worker`), like the dossiers' "a letter is waiting" e-mail."""

from django.conf import settings
from django.core.mail import send_mail
from django.utils import timezone
from django.utils.translation import gettext as _
from django_tasks import task

from guichet.mandates.models import Mandate
from guichet.public_url import public_url


@task()
def notify_consultant(mandate_id: int, what: str) -> None:
    """Tell the consultant that a mandate was given to them, or revoked. The e-mail says nothing
    personal: no client, no dossier number; only where to sign in."""
    mandate = Mandate.objects.select_related("consultant__user").get(pk=mandate_id)
    granted = what == "granted"
    field = "grant_notified_at" if granted else "revoke_notified_at"
    if getattr(mandate, field) is not None:
        return  # a retried task sends nothing twice
    user = mandate.consultant.user
    address = user.email if user is not None else mandate.consultant.email
    link = public_url("/mandats/")
    if granted:
        subject = _("Un mandat vous a été confié dans Guichet")
        body = _(
            "Bonjour,\n\nUne personne vous a confié un mandat sur l'un de ses dossiers dans "
            "Guichet.\nPour le voir, connectez-vous : %(link)s\n\n"
            "Ce courriel est envoyé automatiquement ; n'y répondez pas.\n"
        ) % {"link": link}
    else:
        subject = _("Un mandat a été révoqué dans Guichet")
        body = _(
            "Bonjour,\n\nUne personne a révoqué le mandat qu'elle vous avait confié sur l'un de "
            "ses dossiers dans Guichet. Vous n'avez plus accès à ce dossier.\n"
            "Vos mandats en cours : %(link)s\n\n"
            "Ce courriel est envoyé automatiquement ; n'y répondez pas.\n"
        ) % {"link": link}
    send_mail(
        subject=subject,
        message=body,
        from_email=settings.DEFAULT_FROM_EMAIL,
        recipient_list=[address],
    )
    setattr(mandate, field, timezone.now())
    mandate.save(update_fields=[field])

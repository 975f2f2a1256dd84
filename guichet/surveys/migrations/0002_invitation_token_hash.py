"""Invitations keep only a keyed hash of their link's secret: the tokens stored before are
hashed in place (the same salt as services.invitation_token_hash, copied here so that this
migration never changes); the links already sent still work."""

from typing import Any

from django.db import migrations
from django.utils.crypto import salted_hmac

_LINK_SALT = "guichet.surveys.invitation_token"


def hash_tokens(apps: Any, schema_editor: Any) -> None:
    Invitation = apps.get_model("surveys", "Invitation")
    rows = list(Invitation.objects.only("pk", "token_hash"))
    for row in rows:
        row.token_hash = salted_hmac(_LINK_SALT, row.token_hash, algorithm="sha256").hexdigest()
    Invitation.objects.bulk_update(rows, ["token_hash"], batch_size=1000)


class Migration(migrations.Migration):
    dependencies = [("surveys", "0001_consent_invitations_responses")]

    operations = [
        migrations.RenameField("invitation", "token", "token_hash"),
        # Not reversible: a hash does not give the token back.
        migrations.RunPython(hash_tokens, migrations.RunPython.noop, elidable=False),
    ]

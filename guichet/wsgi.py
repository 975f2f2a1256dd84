import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "guichet.settings")
application = get_wsgi_application()

# In production, never serve as a superuser or as the owner of the tables (docs/deployment.md).
from guichet.dbroles import refuse_privileged_role  # noqa: E402 (needs the settings above)

refuse_privileged_role()

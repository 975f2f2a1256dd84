"""The `guichet` console command: Django's manage.py under the project's name.

Every management command works through it (`guichet migrate`, `guichet createsuperuser`),
and so do the project's own (`guichet deadline`, `guichet catalogue`, ...).
"""

import os
import sys


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "guichet.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()

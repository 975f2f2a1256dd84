"""Every column of the contact centre's models is classified, personal or not (the retention
schedule destroys the personal ones: guichet/contact/retention.py)."""

from typing import Any

import pytest
from django.apps import apps

from guichet.dossiers.tests.test_personal_fields import test_every_column_is_classified_once

MODELS = list(apps.get_app_config("contact").get_models())


@pytest.mark.parametrize("model", MODELS, ids=[m.__name__ for m in MODELS])
def test_every_column_is_classified(model: Any) -> None:
    test_every_column_is_classified_once(model)

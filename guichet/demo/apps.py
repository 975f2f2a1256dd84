from django.apps import AppConfig


class DemoConfig(AppConfig):
    """No models and no screen: the app holds the `guichet demo` command and its data."""

    name = "guichet.demo"

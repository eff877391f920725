from django.apps import AppConfig


class IdentityConfig(AppConfig):
    name = "identity_app"
    verbose_name = "Identity"

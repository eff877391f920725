from django.apps import AppConfig


class NetworkConfig(AppConfig):
    name = "network_app"
    verbose_name = "Network"

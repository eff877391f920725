from django.apps import AppConfig


class ComputeConfig(AppConfig):
    name = "compute_app"
    verbose_name = "Compute"

from django.apps import AppConfig


class ImageConfig(AppConfig):
    name = "image_app"
    verbose_name = "Images"

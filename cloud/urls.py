"""One server, every API under its own prefix (the catalog advertises these)."""

from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("identity", include("identity_app.api.urls")),
    path("compute", include("compute_app.api.urls")),
    path("image", include("image_app.api.urls")),
    path("admin/", admin.site.urls),
]

handler400 = "cloud.api.middleware.json_400"
handler403 = "cloud.api.middleware.json_403"
handler404 = "cloud.api.middleware.json_404"
handler500 = "cloud.api.middleware.json_500"

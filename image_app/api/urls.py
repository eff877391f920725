"""Glance v2 subset, mounted at /image (see cloud/urls.py).

Patterns start with "/" because the prefix is mounted without a trailing
slash, so both ``/image`` and ``/image/`` can answer.
"""

from django.urls import re_path

from cloud.api.routing import route
from image_app.api import data, images, members, schemas, tags, versions

IMAGE = r"/v2/images/(?P<image_id>[^/]+)"

urlpatterns = [
    route("", versions.VersionsView.as_view()),
    route(r"/versions", versions.VersionsView.as_view(explicit=True)),
    # A client that has /image/v2 in its catalog gets the version list too (keystoneauth copes).
    route(r"/v2", versions.VersionsView.as_view()),
    # Exactly /v2/images: "/v2/images/" is an image with an empty id, a 404 (Tempest checks it).
    re_path(r"^/v2/images$", images.ImagesView.as_view()),
    route(IMAGE, images.ImageView.as_view()),
    route(IMAGE + r"/actions/(?P<action>deactivate|reactivate)", images.ImageActionView.as_view()),
    route(IMAGE + r"/file", data.ImageDataView.as_view()),
    route(IMAGE + r"/tags/(?P<tag>[^/]+)", tags.TagView.as_view()),
    route(IMAGE + r"/members", members.MembersView.as_view()),
    route(IMAGE + r"/members/(?P<member_id>[^/]+)", members.MemberView.as_view()),
    route(r"/v2/schemas/(?P<name>image|images|member|members)", schemas.SchemaView.as_view()),
]

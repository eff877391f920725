"""Metadata sub-resources of the compute API: one implementation, two owners.

``/servers/{id}/metadata`` (a server's metadata) and ``/images/{id}/metadata``
(the image proxy's view of an image's custom properties) answer the same way,
as Nova's: ``GET`` lists, ``POST`` merges, ``PUT`` replaces; on one key
``GET``, ``PUT`` (create or replace) and ``DELETE``. A :class:`MetadataOwner`
says where the items live and how a change is made safely; the views here
only parse requests and shape answers.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.http import HttpResponse, JsonResponse

from cloud.api import validation as v
from cloud.api.errors import BadRequest, NotFound
from cloud.api.views import body_object
from compute_app.api.base import ComputeAPIView

Edit = Callable[[dict[str, str]], dict[str, str]]


class MetadataOwner:
    """Where metadata items live. ``change`` must apply ``edit`` atomically (read and
    write under a lock) and enforce quotas on the result; it returns the new items."""

    kwarg = "parent_id"  # the URL's keyword for the owner's id

    def read(self, view: ComputeAPIView, owner_id: str) -> dict[str, str]:
        raise NotImplementedError

    def change(self, view: ComputeAPIView, owner_id: str, rule: str, edit: Edit) -> dict[str, str]:
        raise NotImplementedError

    def validate(self, items: dict[str, Any], field: str) -> dict[str, str]:
        return v.string_map(items, field)


class _MetadataView(ComputeAPIView):
    owner: MetadataOwner

    def owner_id(self, kwargs: dict[str, str]) -> str:
        return kwargs[self.owner.kwarg]


class MetadataView(_MetadataView):
    """The whole collection: GET (list), POST (merge), PUT (replace all)."""

    def get(self, request, **kwargs: str):
        return JsonResponse({"metadata": self.owner.read(self, self.owner_id(kwargs))})

    def post(self, request, **kwargs: str):
        items = self.owner.validate(body_object(request, "metadata"), "metadata")
        merged = self.owner.change(self, self.owner_id(kwargs), "create", lambda current: {**current, **items})
        return JsonResponse({"metadata": merged})

    def put(self, request, **kwargs: str):
        items = self.owner.validate(body_object(request, "metadata"), "metadata")
        replaced = self.owner.change(self, self.owner_id(kwargs), "update_all", lambda current: dict(items))
        return JsonResponse({"metadata": replaced})


class MetadataItemView(_MetadataView):
    """One item: GET, PUT (create or replace), DELETE."""

    def get(self, request, key: str, **kwargs: str):
        metadata = self.owner.read(self, self.owner_id(kwargs))
        if key not in metadata:
            raise NotFound("Metadata item was not found")
        return JsonResponse({"meta": {key: metadata[key]}})

    def put(self, request, key: str, **kwargs: str):
        meta = self.owner.validate(body_object(request, "meta"), "meta")
        if len(meta) > 1:
            raise BadRequest("Request body contains too many items")
        if key not in meta:
            raise BadRequest("Request body and URI mismatch")
        self.owner.change(self, self.owner_id(kwargs), "update", lambda current: {**current, key: meta[key]})
        return JsonResponse({"meta": meta})

    def delete(self, request, key: str, **kwargs: str):
        def remove(current: dict[str, str]) -> dict[str, str]:
            if key not in current:
                raise NotFound("Metadata item was not found")
            return {k: value for k, value in current.items() if k != key}

        self.owner.change(self, self.owner_id(kwargs), "delete", remove)
        return HttpResponse(status=204)

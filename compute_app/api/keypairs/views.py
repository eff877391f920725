"""HTTP handlers of /os-keypairs.

Key pairs belong to a user. Everyone works on their own; from 2.10 an admin
may name another user (``user_id`` in the body or the query), and policy
refuses anybody else who tries (403). Another user's key pair is never found
by name alone, so it is a 404.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.http import HttpResponse, JsonResponse

from cloud.api.errors import BadRequest, Conflict, NotFound
from compute_app import keypairs as keys
from compute_app import quotas
from compute_app.api.base import ComputeAPIView, page_params
from compute_app.api.keypairs import builder
from compute_app.api.microversion import APIVersion, by_version
from compute_app.models import KeyPair

# Nova (2.1 ... 2.91): letters, digits, space, "_" and "-"; 1..255; no edge whitespace.
_NAME = re.compile(r"^[_\- a-zA-Z0-9]+$")


def _short(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 64 else text[:64] + "..."


def _invalid(field: str, why: str) -> BadRequest:
    return BadRequest(f"Invalid input for field/attribute {field}. {why}")


def validate_name(value: Any) -> str:
    if not isinstance(value, str):
        raise _invalid("name", f"Value: {_short(value)}. {_short(value)} is not of type 'string'")
    if not 1 <= len(value) <= 255:
        raise _invalid("name", f"Value: {_short(value)}. Keypair name must be between 1 and 255 characters long")
    if not _NAME.match(value):
        raise _invalid("name", f"Value: {_short(value)}. {_short(value)} does not match '^[_\\- a-zA-Z0-9]+$'")
    if value != value.strip():
        raise _invalid("name", f"Value: {_short(value)}. printable characters. Can not start or end with "
                               "whitespace.")
    return value


@dataclass
class CreateRequest:
    name: str
    public_key: str | None
    key_type: str
    user_id: str | None


def parse_create(body: Any, version: APIVersion) -> CreateRequest:
    if not isinstance(body, dict):
        raise BadRequest("The request body must be a JSON object.")
    extra = sorted(set(body) - {"keypair"})
    if extra:
        raise BadRequest(f"Additional properties are not allowed ({_short(extra[0])} was unexpected)")
    if "keypair" not in body:
        raise _invalid("keypair", "'keypair' is a required property")
    data = body["keypair"]
    if not isinstance(data, dict):
        raise _invalid("keypair", f"Value: {_short(data)}. {_short(data)} is not of type 'object'")
    unknown = sorted(set(data) - by_version(builder.CREATE_PARAMS, version))
    if unknown:
        raise _invalid("keypair", f"Additional properties are not allowed ({_short(unknown[0])} was unexpected)")
    if "name" not in data:
        raise _invalid("keypair", "'name' is a required property")
    public_key = data.get("public_key")
    if "public_key" in data and not isinstance(public_key, str):
        raise _invalid("public_key", f"Value: {_short(public_key)}. {_short(public_key)} is not of type 'string'")
    key_type = data.get("type", keys.TYPE_SSH)
    if key_type not in keys.KEY_TYPES:
        raise _invalid("type", f"Value: {_short(key_type)}. {_short(key_type)} is not one of {list(keys.KEY_TYPES)}")
    user_id = data.get("user_id")
    if user_id is not None and not isinstance(user_id, str):
        raise _invalid("user_id", f"Value: {_short(user_id)}. {_short(user_id)} is not of type 'string'")
    return CreateRequest(validate_name(data["name"]), public_key, key_type, user_id or None)


def _not_found(name: str, user_id: str) -> NotFound:
    return NotFound(f"Keypair {name} not found for user {user_id}")


class KeypairBase(ComputeAPIView):
    def target_user(self, request) -> str:
        """The user whose key pairs are meant: ``?user_id=`` from 2.10 (admins), else the caller."""
        if by_version(builder.USER_ID_PARAM, self.version):
            values = request.query_params.getlist("user_id")
            if values and values[0]:
                return values[0]
        return self.ctx.user_id


class KeypairsView(KeypairBase):
    def get(self, request):
        user_id = self.target_user(request)
        self.authorize("os_compute_api:os-keypairs:index", {"user_id": user_id})
        query = KeyPair.objects.filter(user_id=user_id).order_by("id")
        page_size = 0
        if by_version(builder.PAGING, self.version):
            page_size, marker = page_params(request, settings.API_MAX_LIMIT)
            if marker is not None:
                anchor = KeyPair.objects.filter(user_id=user_id, name=marker).first()
                if anchor is None:
                    raise BadRequest(f"Marker {marker[:255]} could not be found.")
                query = query.filter(id__gt=anchor.id)
            # As Nova, limit=0 means "no limit" for key pairs.
            if page_size:
                query = query[:page_size]
        return JsonResponse(builder.index(request, list(query), self.version, page_size))

    def post(self, request):
        spec = parse_create(request.data, self.version)
        user_id = spec.user_id or self.ctx.user_id
        self.authorize("os_compute_api:os-keypairs:create", {"user_id": user_id})
        private_key = None
        try:
            if spec.public_key is not None:
                public_key = spec.public_key
                fingerprint = keys.fingerprint(public_key, spec.key_type)
            else:
                generated = keys.generate(spec.key_type, user_id)
                public_key, fingerprint, private_key = (generated.public_key, generated.fingerprint,
                                                        generated.private_key)
        except keys.InvalidKey as exc:
            raise BadRequest(f"Keypair data is invalid: {exc}") from None
        keypair = _store(self.ctx.project_id or "", user_id, spec, public_key, fingerprint)
        return JsonResponse(builder.created(keypair, self.version, private_key),
                            status=by_version(builder.CREATE_STATUS, self.version))


def _store(project_id: str, user_id: str, spec: CreateRequest, public_key: str, fingerprint: str) -> KeyPair:
    """Check the quota and insert, atomically: the project lock serialises concurrent creates."""
    with transaction.atomic():
        if project_id:
            quotas.lock_project(project_id)
        quotas.check_keypairs(project_id, user_id)
        if KeyPair.objects.filter(user_id=user_id, name=spec.name).exists():
            raise Conflict(f"Key pair '{spec.name}' already exists.")
        try:
            with transaction.atomic():
                return KeyPair.objects.create(name=spec.name, user_id=user_id, project_id=project_id,
                                              fingerprint=fingerprint, public_key=public_key, type=spec.key_type)
        except IntegrityError:
            raise Conflict(f"Key pair '{spec.name}' already exists.") from None


class KeypairView(KeypairBase):
    def get(self, request, name: str):
        user_id = self.target_user(request)
        self.authorize("os_compute_api:os-keypairs:show", {"user_id": user_id})
        keypair = KeyPair.objects.filter(user_id=user_id, name=name).first()
        if keypair is None:
            raise _not_found(name, user_id)
        return JsonResponse(builder.show(keypair, self.version))

    def delete(self, request, name: str):
        user_id = self.target_user(request)
        self.authorize("os_compute_api:os-keypairs:delete", {"user_id": user_id})
        deleted, _ = KeyPair.objects.filter(user_id=user_id, name=name).delete()
        if not deleted:
            raise _not_found(name, user_id)
        return HttpResponse(status=by_version(builder.DELETE_STATUS, self.version))

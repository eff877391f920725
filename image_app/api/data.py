"""``/v2/images/{id}/file``: upload (PUT) and download (GET) image data, streamed.

Neither direction holds more than one chunk (``IMAGE_CHUNK_SIZE``) in memory:
the upload is read from the request stream chunk by chunk into the store
(image_app.store), the download is sent from the stored file chunk by chunk,
asynchronously under ASGI (see :class:`ImageDataResponse`).
"""

from __future__ import annotations

import os

from asgiref.sync import sync_to_async
from django.conf import settings
from django.http import HttpResponse, StreamingHttpResponse, UnreadablePostError
from rest_framework.parsers import BaseParser

from cloud.api.errors import BadRequest, Forbidden, UnsupportedMediaType
from image_app import operations, store
from image_app.api.base import ImageAPIView

OCTET_STREAM = "application/octet-stream"


class ImageDataResponse(StreamingHttpResponse):
    """A file sent in chunks, without ever reading it whole.

    Django's ASGI handler consumes a *synchronous* streaming body into a list
    before sending it (the whole image in memory); this response gives the
    handler an asynchronous iterator that reads one chunk at a time in a
    worker thread instead. WSGI servers and the test client use the ordinary
    synchronous iterator.
    """

    def __init__(self, handle, chunk_size: int, **kwargs):
        self._handle = handle
        self._chunk_size = chunk_size
        super().__init__(iter(lambda: handle.read(chunk_size), b""), **kwargs)
        self._resource_closers.append(handle.close)

    async def __aiter__(self):
        read = sync_to_async(self._handle.read, thread_sensitive=False)
        while chunk := await read(self._chunk_size):
            yield chunk


class OctetStreamParser(BaseParser):
    """Declared so DRF accepts the media type; the view reads the raw stream itself."""

    media_type = OCTET_STREAM

    def parse(self, stream, media_type=None, parser_context=None):
        return None


def _content_length(request) -> int | None:
    raw = request.META.get("CONTENT_LENGTH")
    if raw in (None, ""):
        return None
    if not raw.isdigit() or len(raw) > 19:
        raise BadRequest(f"Invalid Content-Length: {raw[:40]!r}")
    return int(raw)


class ImageDataView(ImageAPIView):
    parser_classes = [OctetStreamParser]

    def put(self, request, image_id: str):
        image = self.image(image_id)
        media_type = request.content_type.split(";")[0].strip().lower()
        if media_type != OCTET_STREAM:
            raise UnsupportedMediaType(f"Image data must be sent as {OCTET_STREAM}, not {media_type or 'nothing'}.")
        length = _content_length(request)
        # The Django request itself: DRF's request.stream is None without a
        # Content-Length, but a chunked body is still readable from it.
        django_request = request._request

        def read(size: int) -> bytes:
            try:
                return django_request.read(size)
            except UnreadablePostError:  # the client went away mid-body: its error, not ours
                raise BadRequest("The image data could not be read: the upload was interrupted.") from None

        operations.upload(self.ctx, image, read, length)
        return HttpResponse(status=204)

    def get(self, request, image_id: str):
        image = self.image(image_id)
        self.authorize("download_image", operations.target(self.ctx, image))
        if image.status == "deactivated" and not self.ctx.is_admin:
            raise Forbidden(f"Image {image.id} is deactivated: its data cannot be downloaded.")
        handle = store.open_data(image.id) if image.status == "active" else None
        if handle is None:
            return HttpResponse(status=204)  # no data yet, as Glance answers
        response = ImageDataResponse(handle, settings.IMAGE_CHUNK_SIZE, content_type=OCTET_STREAM)
        response["Content-Length"] = str(os.fstat(handle.fileno()).st_size)
        if image.checksum:
            response["Content-MD5"] = image.checksum
        return response

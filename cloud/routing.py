"""Websocket routes (console proxy); each app adds its consumers here."""

websocket_urlpatterns: list = []

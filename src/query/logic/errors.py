"""Errors the API answers with a JSON body ``{"error", "hint", "parameter"}``."""

from __future__ import annotations


class ApiError(Exception):
    status = 400

    def __init__(self, error: str, hint: str = "", parameter: str | None = None):
        super().__init__(error)
        self.error = error
        self.hint = hint
        self.parameter = parameter

    def body(self) -> dict:
        body = {"error": self.error, "hint": self.hint}
        if self.parameter:
            body["parameter"] = self.parameter
        return body


class BadRequest(ApiError):
    status = 400


class Unauthorized(ApiError):
    status = 401


class Forbidden(ApiError):
    status = 403


class NotFound(ApiError):
    status = 404

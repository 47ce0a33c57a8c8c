"""OpenAPI schema additions (drf-spectacular post-processing hooks).

Every operation of the API may answer with an error the generator does not see in the view: 401 without
credentials, 403 for an action the caller's role does not grant, 404 for an object outside the caller's
scope (the same answer as a missing one), 400 for invalid input (a DomainError's field errors, a bad filter).
``document_error_responses`` adds these to each operation that does not declare them, with the shape
``tongxin.core.api.exception_handler`` and DRF give them, so clients (and schemathesis' status code and
response checks) can rely on the schema.
"""

from __future__ import annotations

from typing import Any

ERROR_SCHEMA = {
    "type": "object",
    "description": "An error: `detail` for a refusal, or the messages of each field (`non_field_errors` for "
    "the whole request), a list of texts or, for nested input, objects of the same shape.",
    "properties": {"detail": {"type": "string"}},
    "additionalProperties": True,
}

ERRORS = {
    "400": "Invalid input: the messages by field.",
    "401": "No or invalid credentials.",
    "403": "The caller's role does not allow this action.",
    "404": "No such object in the caller's scope (outside it is answered the same as missing).",
}
METHODS = ("get", "post", "put", "patch", "delete")


def document_error_responses(result: dict[str, Any], generator: Any, request: Any, public: bool) -> dict[str, Any]:
    components = result.setdefault("components", {}).setdefault("schemas", {})
    components.setdefault("Error", ERROR_SCHEMA)
    reference = {"$ref": "#/components/schemas/Error"}
    for item in result.get("paths", {}).values():
        for method in METHODS:
            operation = item.get(method)
            if operation is None:
                continue
            responses = operation.setdefault("responses", {})
            for code, description in ERRORS.items():
                responses.setdefault(
                    code, {"description": description, "content": {"application/json": {"schema": reference}}}
                )
    return result

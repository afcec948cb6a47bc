"""The parts of the OpenAPI schema every endpoint shares, added in one place (a drf-spectacular
postprocessing hook): the error bodies (400, 401, 404, 503) each operation can answer with, with
examples, and the descriptions of the common parameters (id, page, page_size). A view documents
what is its own (its filters, 409, 429); this fills in what DRF itself answers."""

from __future__ import annotations

from typing import Any

ERROR = {
    "type": "object",
    "properties": {"detail": {"type": "string"}},
    "required": ["detail"],
    "additionalProperties": True,
}
FIELD_ERRORS = {
    "type": "object",
    "description": 'Field errors, `{"field": ["message", ...]}`, or `{"detail": "..."}`; messages in the '
    "request's language.",
    "additionalProperties": True,
}

PARAMETER_DESCRIPTIONS = {
    "id": "The object's id.",
    "page": "Page number, from 1; a page past the end is a 404.",
    "page_size": "Results per page (default 50, at most 200).",
    "campaign": "Campaign id.",
    "kind": "Campaign kind.",
    "active": "true: published campaigns that have not ended; false: the others.",
    "shift": "Shift id.",
    "status": "Sign-up status.",
    "lang": "Language of `name` (otherwise Accept-Language).",
    "region": "Two-digit region (KATO) code, e.g. 75; an unknown code is a 400.",
    "bbox": "minLon,minLat,maxLon,maxLat in WGS 84 degrees, e.g. 76.8,43.1,77.1,43.4.",
    "free": "true: only shifts with free places.",
    "from": "Almaty date YYYY-MM-DD: shifts from that day on.",
    "to": "Almaty date YYYY-MM-DD, inclusive.",
}


def _error(description: str, schema_name: str, example: dict[str, Any]) -> dict[str, Any]:
    return {
        "description": description,
        "content": {
            "application/json": {
                "schema": {"$ref": f"#/components/schemas/{schema_name}"},
                "examples": {"Example": {"value": example}},
            }
        },
    }


def _paginate(response: dict[str, Any]) -> None:
    """API views that paginate by hand declare `Serializer(many=True)`; what they answer is
    DRF's page envelope around that list."""
    content = response.get("content", {}).get("application/json")
    if not content or content.get("schema", {}).get("type") != "array":
        return
    content["schema"] = {
        "type": "object",
        "required": ["count", "results"],
        "properties": {
            "count": {"type": "integer", "example": 123},
            "next": {"type": "string", "nullable": True, "format": "uri"},
            "previous": {"type": "string", "nullable": True, "format": "uri"},
            "results": content["schema"],
        },
    }


EXAMPLE_CODES = {"400": "closed", "409": "full"}


def _example_of(code: str, schema: dict[str, Any]) -> dict[str, Any]:
    if "SignupRefusal" in schema.get("$ref", ""):
        return {"detail": "…", "code": EXAMPLE_CODES.get(code, "invalid")}
    if code == "429":
        return {"detail": "Request was throttled. Expected available in 30 seconds."}
    if code == "400" and "detail" not in schema.get("properties", {}):
        return {"email": ["This field is required."]}
    return {"detail": "…"}


def add_common_errors(result: dict[str, Any], generator: Any, request: Any, public: bool) -> dict[str, Any]:
    schemas = result.setdefault("components", {}).setdefault("schemas", {})
    schemas.setdefault("Error", ERROR)
    schemas.setdefault("FieldErrors", FIELD_ERRORS)
    max_page_size = 200
    for path, operations in result.get("paths", {}).items():
        for method, operation in operations.items():
            responses = operation.setdefault("responses", {})
            params = operation.get("parameters", [])
            for param in params:
                if not param.get("description") and param["name"] in PARAMETER_DESCRIPTIONS:
                    param["description"] = PARAMETER_DESCRIPTIONS[param["name"]]
                if param["name"] == "page_size":
                    param["schema"].setdefault("minimum", 1)
                    param["schema"].setdefault("maximum", max_page_size)
                if param["name"] == "page" or (param["name"] == "id" and param.get("in") == "path"):
                    # Ids are positive: the URL patterns match digits only (anything else is no
                    # such address at all).
                    param["schema"].setdefault("minimum", 1)
            security = operation.get("security", [])
            if {"tokenAuth": []} in security and "401" not in responses:
                # A public endpoint that reads credentials still refuses a bad token: a client
                # with an expired one learns so instead of silently getting the anonymous view.
                responses["401"] = _error(
                    "A token that is unknown or expired"
                    + ("." if {} in security else ", or no credentials."),
                    "Error",
                    {"detail": "Authentication credentials were not provided."},
                )
            session = {"cookieAuth": []} in operation.get("security", [])
            if session and method in ("post", "put", "patch", "delete") and "403" not in responses:
                responses["403"] = _error(
                    "Session authentication without the CSRF token.",
                    "Error",
                    {"detail": "CSRF Failed: CSRF token missing."},
                )
            query = [p for p in params if p.get("in") == "query"]
            if query or method in ("post", "put", "patch"):
                existing = responses.get("400", {})
                if "content" not in existing:
                    responses["400"] = _error(
                        existing.get("description") or "Bad input: field errors.",
                        "FieldErrors",
                        {"region": ["Unknown region code."]},
                    )
                else:
                    # A view that declares its own 400 (a refusal with its reason and code) still
                    # answers field errors for a body that does not validate.
                    content = existing["content"].get("application/json", {})
                    declared = content.get("schema")
                    field_errors = {"$ref": "#/components/schemas/FieldErrors"}
                    if declared and declared != field_errors and "anyOf" not in declared:
                        content["schema"] = {"anyOf": [declared, field_errors]}
            pages = any(p["name"] == "page" for p in query)
            if pages:
                _paginate(responses.get("200", {}))
            if "{" in path or pages:
                existing = responses.get("404", {})
                if "content" not in existing:
                    what = existing.get("description") or "Not found, or outside the caller's regions."
                    if pages:
                        what += " A page past the end is a 404 too."
                    responses["404"] = _error(what, "Error", {"detail": "Not found."})
            if "503" not in responses:
                # volunteer_net/api.py: the database restarting, or this request aborted to break
                # a deadlock; nothing was written, and the same request may be sent again.
                responses["503"] = _error(
                    "The database could not serve the request at this moment; nothing was saved. "
                    "Send it again after Retry-After seconds.",
                    "Error",
                    {
                        "detail": "The service is briefly unavailable. Nothing was saved: send the request again in a minute."
                    },
                )
            for code in ("409", "429"):
                if code in responses and "content" not in responses[code]:
                    responses[code] = _error(responses[code]["description"], "Error", {"detail": "..."})
            for code, response in responses.items():
                content = response.get("content", {}).get("application/json")
                if (
                    code.startswith("4")
                    and content
                    and not (content.get("examples") or content.get("example"))
                ):
                    content["examples"] = {"Example": {"value": _example_of(code, content.get("schema", {}))}}
    return result

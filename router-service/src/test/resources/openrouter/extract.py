#!/usr/bin/env python3
"""Extracts, from OpenRouter's OpenAPI document, the JSON Schemas of the answers the router gives
under /api/v1 (models, endpoints, generation, credits, key, errors) into schemas.json, with every
schema they reference beside them under $defs.

Usage: extract.py out.openapi.yaml > schemas.json
The document is .speakeasy/out.openapi.yaml of github.com/OpenRouterTeam/typescript-sdk (the one
@openrouter/sdk is generated from). Examples, descriptions and vendor extensions are dropped; an
enum marked x-speakeasy-unknown-values: allow is open in the SDK (it accepts any string), so it
becomes a plain string here too.
"""
import json
import sys

import yaml

doc = yaml.safe_load(open(sys.argv[1]))
components = doc["components"]["schemas"]


def response(path, status="200"):
    return doc["paths"][path]["get"]["responses"][status]["content"]["application/json"]["schema"]


roots = {
    "ModelsListResponse": components["ModelsListResponse"],
    "ModelResponse": components["ModelResponse"],
    "ListEndpointsEnvelope": response("/models/{author}/{slug}/endpoints"),
    "GenerationResponse": components["GenerationResponse"],
    "GetCreditsResponse": response("/credits"),
    "GetCurrentKeyResponse": response("/key"),
}
for error in ["BadRequestResponse", "UnauthorizedResponse", "PaymentRequiredResponse", "ForbiddenResponse",
              "NotFoundResponse", "TooManyRequestsResponse", "InternalServerResponse", "BadGatewayResponse",
              "ServiceUnavailableResponse"]:
    if error in components:
        roots[error] = components[error]


def clean(node, names=False):
    """names: node maps property names to schemas (a property may be called "description")."""
    if isinstance(node, list):
        return [clean(item) for item in node]
    if not isinstance(node, dict):
        return node
    if names:
        return {key: clean(value) for key, value in node.items()}
    out = {}
    for key, value in node.items():
        if key in ("example", "examples", "description", "nullable", "deprecated") or key.startswith("x-"):
            continue
        if key == "$ref":
            value = value.replace("#/components/schemas/", "#/$defs/")
        out[key] = clean(value, key in ("properties", "$defs"))
    if node.get("x-speakeasy-unknown-values") == "allow" and "enum" in out:
        del out["enum"]
    return out


defs = {}
pending = list(roots.items())
while pending:
    name, schema = pending.pop()
    if name in defs:
        continue
    defs[name] = clean(schema)
    text = json.dumps(schema)
    for ref in set(part.split('"')[0] for part in text.split("#/components/schemas/")[1:]):
        pending.append((ref, components[ref]))

json.dump({"$schema": "https://json-schema.org/draft/2020-12/schema", "$defs": dict(sorted(defs.items()))},
          sys.stdout, indent=1, sort_keys=False)
print()

#!/usr/bin/env python3
"""Writes schemas/openapi.yaml (OpenAPI 3.1) from mreg's own description of its endpoints.

Usage: scripts/openapi.py [MREG] > schemas/openapi.yaml     (MREG: the built binary, default .build/debug/mreg)

`mreg serve --dump-endpoints` lists each endpoint: its method and path, the least role, which
query parameters stand for which of the command's arguments, and the schemas of the documents it
answers with. Each command's `--experimental-dump-help` gives what ArgumentParser knows of those
arguments: help text, optional or required, repeatable, default, allowed values. So the document
says what the server parses, and ServeCommandTests fails when the committed file is stale.
"""
import json
import pathlib
import subprocess
import sys

import yaml

root = pathlib.Path(__file__).resolve().parent.parent
mreg = sys.argv[1] if len(sys.argv) > 1 else str(root / ".build/debug/mreg")


def run(*arguments):
    return json.loads(subprocess.run([mreg, *arguments], check=True, capture_output=True, text=True).stdout)


ERRORS = {
    "400": ("Usage: a missing, unknown or malformed parameter (kind `usage`).", "BadRequest"),
    "401": ("No token, or an unknown, expired or revoked one (kind `unauthenticated`).", "Unauthenticated"),
    "403": ("The token's role or grants do not allow the call (kind `forbidden`).", "Forbidden"),
    "404": ("No such model, version, alias, dataset or token (kind `not_found`).", "NotFound"),
    "413": ("A request body where the endpoint takes none.", "BodyRefused"),
    "500": ("An integrity failure, an I/O error or a bug (kinds `integrity`, `io`, `internal`).", "ServerFailure"),
    "503": ("The database or blob store is unavailable, or a lock is held (kinds `backend_unavailable`, `locked`).", "Unavailable"),
}


def error_response(description):
    """A failure: the error document, or with the `Mreg-CLI` header the envelope of the command's run."""
    return {"description": description, "content": {"application/json": {"schema": {"$ref": "./error.schema.json"}}, **cli_content()}}


def document_schema(answers):
    refs = [{"$ref": f"./{name}.schema.json"} for name in answers]
    return refs[0] if len(refs) == 1 else {"oneOf": refs}


def cli_content():
    return {"application/vnd.mreg.cli+json": {"schema": {"$ref": "./cli-envelope.schema.json"}}}


MODEL = "[a-z0-9][a-z0-9._-]*(/[a-z0-9][a-z0-9._-]*)*"
ALIAS = "[a-z][a-z0-9._-]*"
# What the server checks of names, so that generated requests reach past the check.
PATTERNS = {
    "model": {"type": "string", "maxLength": 128, "pattern": f"^{MODEL}$"},
    "ref": {"type": "string", "maxLength": 200, "pattern": f"^{MODEL}(@[a-z0-9][a-z0-9._:-]*)?$"},
    "alias": {"type": "string", "maxLength": 128, "pattern": f"^{ALIAS}$"},
    "to": {"type": "string", "maxLength": 128, "pattern": f"^{ALIAS}$"},
    "rollback": {"type": "string", "maxLength": 128, "pattern": f"^{ALIAS}$"},
    "name": {"type": "string", "pattern": "^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$"},
    "limit": {"type": "integer", "minimum": 1},
    "after": {"type": "integer", "minimum": 1},
    "depth": {"type": "integer", "minimum": 0},
}


def parameter(name, info):
    """A query parameter from ArgumentParser's description of the argument it stands for."""
    if info["kind"] == "flag":
        schema = {"enum": ["true", "false"]}
    elif "allValues" in info:
        schema = {"enum": info["allValues"]}
    elif name in PATTERNS:
        schema = dict(PATTERNS[name])
    elif info.get("defaultValue", "").lstrip("-").isdigit():
        schema = {"type": "integer"}
    else:
        schema = {"type": "string"}
    if info.get("isRepeating"):
        schema = {"type": "array", "items": schema}
    entry = {"name": name, "in": "query", "required": not info.get("isOptional", False), "description": info["abstract"], "schema": schema}
    if "defaultValue" in info and info["kind"] != "flag":
        entry["description"] += f" Default: {info['defaultValue']}."
    return entry


def operation(endpoint):
    words = endpoint["path"].removeprefix("/v1/").split("/")
    help = run(*words, "--experimental-dump-help")["command"]
    if "defaultSubcommand" in help:
        # `/v1/drift` runs `mreg drift`, that is its default subcommand (`drift check`).
        help = run(*words, help["defaultSubcommand"], "--experimental-dump-help")["command"]
    arguments = help["arguments"]
    positionals = [info for info in arguments if info["kind"] == "positional"]
    named = {info["preferredName"]["name"]: info for info in arguments if info["kind"] != "positional"}
    parameters = [parameter(name, info) for name, info in zip(endpoint["arguments"], positionals)]
    for name in endpoint["options"] + endpoint["flags"]:
        parameters.append(parameter(name, named[name.replace("_", "-")]))
    parameters.append({
        "name": "Mreg-CLI", "in": "header", "required": False,
        "description": "Sent by `mreg` as a client: `text` or `json`, optionally `,quiet`. The answer is then what the command "
        "printed and its exit code (cli-envelope) instead of the JSON document.",
        "schema": {"type": "string", "pattern": "^(text|json)(,quiet)?$"},
    })
    role = endpoint["role"]
    grants = []
    if "model" in endpoint:
        unnamed = "only the granted models are shown" if endpoint["filters_models"] else "every model"
        grants.append(f"the model named by `{endpoint['model']}` (without it, {unnamed})")
    if "alias" in endpoint:
        grants.append(f"the alias named by `{endpoint['alias']}`")
    raised = "".join(f"; with `{flag}=true`, {needed} or above" for flag, needed in sorted(endpoint.get("flag_roles", {}).items()))
    description = f"Role: {role} or above{raised}" + (f"; the token must be granted {' and '.join(grants)}" if grants else "") + "."
    answer = document_schema(endpoint["answers"])
    responses = {
        "200": {"description": f"What `mreg {' '.join(words)} --json` prints.", "content": {"application/json": {"schema": answer}, **cli_content()}},
        "409": {
            "description": "A conflict, or refused by a rule (kind `conflict` or `refused`): the error document, or the command's own "
            "report of the refusal (a promotion's failed gates).",
            "content": {"application/json": {"schema": {"oneOf": [{"$ref": "./error.schema.json"}, answer]}}, **cli_content()},
        },
    }
    for status, (_, name) in ERRORS.items():
        responses[status] = {"$ref": f"#/components/responses/{name}"}
    described = {
        "operationId": "_".join(words),
        "summary": f"mreg {' '.join(words)}: {help['abstract']}",
        "description": description,
        "security": [{"token": []}],
        "parameters": parameters,
    }
    content = {}
    if "body" in endpoint:
        content["application/json"] = {"schema": {"$ref": f"./{endpoint['body']}.schema.json"}}
    if "attachment" in endpoint:
        option = endpoint["attachment"]
        content["application/octet-stream"] = {"schema": {"type": "string", "format": "binary"}}
        parameters.append({
            "name": "Mreg-Document-Length", "in": "header", "required": False,
            "description": f"With `{option}`: the body is the JSON document of this many bytes (none: 0), then the file `{option}` names, "
            "which the command reads by that name.",
            "schema": {"type": "integer", "minimum": 0},
        })
    if content:
        described["requestBody"] = {
            "required": False, "description": "What the client read on its machine (the server reads no path of its own)"
            + (f", then the file `{endpoint['attachment']}` names." if "attachment" in endpoint else "."),
            "content": content,
        }
    described["responses"] = dict(sorted(responses.items()))
    return described


def probe(name, summary, status_value, extra=None):
    responses = {"200": {"description": summary, "content": {"application/json": {"schema": {
        "type": "object", "properties": {"status": {"const": status_value}}, "required": ["status"]}}}}}
    responses.update(extra or {})
    return {"get": {"operationId": name, "summary": summary, "security": [], "responses": responses}}


paths = {
    "/healthz": probe("healthz", "The process answers.", "ok"),
    "/readyz": probe("readyz", "The database answers.", "ready", {"503": {
        "description": "Not ready: the database does not answer.", "content": {"application/json": {"schema": {"$ref": "./error.schema.json"}}}}}),
    "/metrics": {"get": {
        "operationId": "metrics", "summary": "Counts and timings in Prometheus's text format.", "security": [],
        "responses": {"200": {"description": "Metrics.", "content": {"text/plain": {"schema": {"type": "string"}}}}},
    }},
}
for endpoint in run("serve", "--dump-endpoints"):
    if not endpoint.get("written"):  # the routes written by hand are described below
        paths[endpoint["path"]] = {endpoint["method"].lower(): operation(endpoint)}


def errors(*statuses):
    names = {status: name for status, (_, name) in ERRORS.items()}
    return {status: {"$ref": f"#/components/responses/{names[status]}"} for status in statuses}


def json_body(schema, description):
    return {"required": True, "description": description, "content": {"application/json": {"schema": {"$ref": f"./{schema}.schema.json"}}}}


# The registration endpoints: `mreg register` as a client asks which blobs are missing, uploads
# them, then commits. They take bodies, so they are written here rather than from a command.
paths["/v1/blobs/missing"] = {"post": {
    "operationId": "blobs_missing",
    "summary": "Which of these blobs the server does not store (with that size): what a registration must upload.",
    "description": "Role: writer or above. Asked again after an interrupted upload, it names what is left.",
    "security": [{"token": []}],
    "requestBody": json_body("blob-list", "The blobs a registration will reference."),
    "responses": {"200": {"description": "The missing ones.", "content": {"application/json": {"schema": {"$ref": "./missing-blobs.schema.json"}}}},
                  **errors("400", "401", "403", "413", "500", "503")},
}}
DIGEST = {"name": "digest", "in": "path", "required": True, "description": "sha256:<64 hex digits>",
          "schema": {"type": "string", "pattern": "^sha256:[0-9a-f]{64}$"}}
paths["/v1/blobs/{digest}"] = {"put": {
    "operationId": "blob_upload",
    "summary": "Uploads one blob: spooled, re-hashed, and stored only if its bytes are the digest named.",
    "description": "Role: writer or above. The body is the file (Content-Length required); nothing is stored when its bytes hash to "
    "another digest (400), and a server killed mid-upload stores nothing.",
    "security": [{"token": []}],
    "parameters": [DIGEST],
    "requestBody": {"required": True, "content": {"application/octet-stream": {"schema": {"type": "string", "format": "binary"}}}},
    "responses": {
        "200": {"description": "It was stored already.", "content": {"application/json": {"schema": {"$ref": "./blob-upload.schema.json"}}}},
        "201": {"description": "Stored.", "content": {"application/json": {"schema": {"$ref": "./blob-upload.schema.json"}}}},
        "411": {"description": "No Content-Length.", "content": {"application/json": {"schema": {"$ref": "./error.schema.json"}}}},
        **errors("400", "401", "403", "500", "503"),
    },
}, "get": {
    "operationId": "blob_download",
    "summary": "mreg export: downloads one blob of a version, its manifest or one of its files.",
    "description": "Role: reader or above; the token must be granted the model named by `ref`. Only the manifest and the files of "
    "the version named are served (404 for other blobs). The body is streamed; a blob whose bytes turn out damaged on the server "
    "is cut off before its end, so a client never takes it for whole (and re-hashes what it receives).",
    "security": [{"token": []}],
    "parameters": [DIGEST, {"name": "ref", "in": "query", "required": True, "description": "The version the blob is part of (MODEL@VERSION).",
                            "schema": {"type": "string", "minLength": 1}}],
    "responses": {
        "200": {"description": "The blob's bytes.", "content": {"application/octet-stream": {"schema": {"type": "string", "format": "binary"}}}},
        **errors("400", "401", "403", "404", "500", "503"),
    },
}}
paths["/v1/sign"] = {"post": {
    "operationId": "sign",
    "summary": "mreg sign: records a signature made on the client (the private key never leaves it).",
    "description": "Role: writer or above; the token must be granted the model named by `ref`. Refused (409) unless the version still "
    "has the manifest signed, the key is trusted by the server's registry, and the signature verifies with it.",
    "security": [{"token": []}],
    "parameters": [
        {"name": "ref", "in": "query", "required": True, "description": "The version signed (MODEL@VERSION).", "schema": {"type": "string", "minLength": 1}},
        {"name": "Mreg-CLI", "in": "header", "required": False, "description": "As on the other endpoints: the CLI envelope instead of the document.",
         "schema": {"type": "string", "pattern": "^(text|json)(,quiet)?$"}},
    ],
    "requestBody": json_body("signature-upload", "The signature, made on the client."),
    "responses": {
        "200": {"description": "What `mreg sign --json` prints.", "content": {"application/json": {"schema": {"$ref": "./sign.schema.json"}}, **cli_content()}},
        "409": {"description": "Refused: the key is not trusted, the signature does not verify, or the version's manifest is another.",
                "content": {"application/json": {"schema": {"$ref": "./error.schema.json"}}, **cli_content()}},
        **errors("400", "401", "403", "404", "413", "500", "503"),
    },
}}
paths["/v1/dataset/add"] = {"post": {
    "operationId": "dataset_add",
    "summary": "mreg dataset add: records a dataset under a name, as read on the client (fingerprint and profiles, not the data).",
    "description": "Role: writer or above.",
    "security": [{"token": []}],
    "parameters": [
        {"name": "name", "in": "query", "required": True, "description": "The dataset's name.", "schema": {"type": "string", "minLength": 1}},
        {"name": "Mreg-CLI", "in": "header", "required": False, "description": "As on the other endpoints: the CLI envelope instead of the document.",
         "schema": {"type": "string", "pattern": "^(text|json)(,quiet)?$"}},
    ],
    "requestBody": json_body("dataset-upload", "The dataset as read on the client."),
    "responses": {
        "200": {"description": "What `mreg dataset add --json` prints.", "content": {"application/json": {"schema": {"$ref": "./dataset-add.schema.json"}}, **cli_content()}},
        "409": {"description": "A conflict.", "content": {"application/json": {"schema": {"$ref": "./error.schema.json"}}, **cli_content()}},
        **errors("400", "401", "403", "413", "500", "503"),
    },
}}
paths["/v1/keys/trust"] = {"post": {
    "operationId": "keys_trust",
    "summary": "mreg keys trust: trusts a public key under a name, for signatures and `require_signature` gates.",
    "description": "Role: admin.",
    "security": [{"token": []}],
    "parameters": [{"name": "Mreg-CLI", "in": "header", "required": False, "description": "As on the other endpoints: the CLI envelope instead of the document.",
                    "schema": {"type": "string", "pattern": "^(text|json)(,quiet)?$"}}],
    "requestBody": json_body("key-upload", "The key's name and PEM text."),
    "responses": {
        "200": {"description": "What `mreg keys trust --json` prints.", "content": {"application/json": {"schema": {"$ref": "./keys-trust.schema.json"}}, **cli_content()}},
        "409": {"description": "Another key is trusted under this name.", "content": {"application/json": {"schema": {"$ref": "./error.schema.json"}}, **cli_content()}},
        **errors("400", "401", "403", "413", "500", "503"),
    },
}}
paths["/v1/register"] = {"post": {
    "operationId": "register",
    "summary": "mreg register: records a registration whose blobs are stored, as the token.",
    "description": "Role: writer or above; the token must be granted the model named in the body. 409 when a blob is not stored "
    "(upload it, then send the registration again).",
    "security": [{"token": []}],
    "parameters": [{
        "name": "Mreg-CLI", "in": "header", "required": False, "description": "As on the other endpoints: the CLI envelope instead of the document.",
        "schema": {"type": "string", "pattern": "^(text|json)(,quiet)?$"},
    }],
    "requestBody": json_body("registration-upload", "The registration, read on the client's machine."),
    "responses": {
        "200": {"description": "What `mreg register --json` prints.", "content": {
            "application/json": {"schema": {"$ref": "./register.schema.json"}}, **cli_content()}},
        "409": {"description": "A blob is not stored.", "content": {"application/json": {"schema": {"$ref": "./error.schema.json"}}, **cli_content()}},
        **errors("400", "401", "403", "404", "413", "500", "503"),
    },
}}
# The API first, in path order; the probes last.
paths = dict(sorted(paths.items(), key=lambda item: (not item[0].startswith("/v1/"), item[0])))

document = {
    "openapi": "3.1.0",
    "info": {
        "title": "mreg serve",
        "version": subprocess.run([mreg, "--version"], check=True, capture_output=True, text=True).stdout.strip(),
        "description": "The registry over HTTP. Each /v1 endpoint runs the CLI command of its name on the server's registry, as the "
        "token: its arguments are the query, its answer the document that command prints with --json (with the `Mreg-CLI` header, "
        "what it printed and its exit code). Failures answer with the CLI's error document.",
    },
    "components": {
        "securitySchemes": {"token": {"type": "http", "scheme": "bearer", "description": "A token made with `mreg token create` (mreg_…)."}},
        "responses": {name: error_response(description) for description, name in ERRORS.values()},
    },
    "paths": paths,
}

print("# Written by scripts/openapi.py from `mreg serve --dump-endpoints`; do not edit by hand.")
print("# Responses refer to the JSON schemas beside this file, the documents the CLI prints with --json.")


class PlainDumper(yaml.SafeDumper):
    """Writes a shared node out again rather than as an anchor and alias."""

    def ignore_aliases(self, data):
        return True


print(yaml.dump(document, Dumper=PlainDumper, sort_keys=False, allow_unicode=True, width=130), end="")

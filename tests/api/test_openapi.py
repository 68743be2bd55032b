"""The OpenAPI document tells the truth: every request body and every error answer is
described, and schemathesis, run over the whole API, finds no server error and no answer
that disagrees with the document."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import httpx

from support.client import MODEL

from .conftest import Studio

# Checks that hold Easel to its document. Left out: positive_data_acceptance (a request
# valid by the schema may still name an unknown model or a private webhook address, which
# Easel rightly refuses), ignored_auth and object_level_authorization (the document
# declares no security scheme; tests/api/test_isolation.py covers users' separation).
CHECKS = (
    "not_a_server_error",
    "status_code_conformance",
    "content_type_conformance",
    "response_headers_conformance",
    "response_schema_conformance",
    "negative_data_rejection",
    "missing_required_header",
    "unsupported_method",
    "allow_header_conformance",
    "use_after_free",
    "ensure_resource_availability",
)


def test_an_empty_or_overlong_model_id_is_a_422_not_a_500(studio: Studio) -> None:
    with studio.client(studio.alice) as http:
        for models in ([""], ["m" * 101], [{"model": ""}]):
            response = http.post("/api/v1/jobs", json={"prompt": "x", "models": models})
            assert response.status_code == 422, response.text
            assert response.headers["content-type"] == "application/problem+json"
        response = http.post("/v1/images/generations", json={"prompt": "x", "model": "m" * 101})
        assert response.status_code == 400 and response.json()["error"]["param"] == "model"


def test_until_takes_only_iso_dates(studio: Studio) -> None:
    with studio.client(studio.alice) as http:
        for value in ("0.5", "1700000000", "yesterday"):
            response = http.get("/api/v1/jobs", params={"until": value})
            assert response.status_code == 422, (value, response.text)
            assert "ISO 8601" in response.text
        for value in ("2026-05-01", "2026-05-01T12:00:00Z", "2026-05-01T12:00:00.5+02:00"):
            assert http.get("/api/v1/jobs", params={"until": value}).status_code == 200, value


def test_options_and_405_name_every_method_of_the_path(studio: Studio) -> None:
    with studio.client(studio.alice) as http:
        options = http.options("/api/v1/jobs/some-job")
        assert options.status_code == 204
        assert options.headers["allow"] == "GET, DELETE, OPTIONS"
        wrong = http.put("/api/v1/jobs/some-job")
        assert wrong.status_code == 405
        assert wrong.headers["allow"] == "GET, DELETE, OPTIONS"
        assert wrong.headers["content-type"] == "application/problem+json"
        assert http.options("/api/v1/webhooks/secret").headers["allow"] == "GET, OPTIONS"
        v1 = http.delete("/v1/images/edits")
        assert v1.status_code == 405 and v1.headers["allow"] == "POST, OPTIONS"
        assert v1.json()["error"]["message"]


def test_the_document_describes_bodies_and_errors(studio: Studio) -> None:
    with studio.client() as http:
        document = http.get("/openapi.json").json()
    edits = document["paths"]["/v1/images/edits"]["post"]
    form = edits["requestBody"]["content"]["multipart/form-data"]["schema"]
    assert {"prompt", "image", "image[]", "model"} <= set(form["properties"])
    assert edits["responses"]["400"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/OpenAIError"
    }
    for path, operations in document["paths"].items():
        if not path.startswith("/api/v1/"):
            continue
        for method, operation in operations.items():
            for status in ("401", "404", "413", "422"):
                content = operation["responses"][status]["content"]
                assert list(content) == ["application/problem+json"], (method, path, status)
    problem = document["components"]["schemas"]["Problem"]
    assert {"type", "title", "status", "detail"} <= set(problem["required"])


def test_schemathesis_finds_no_server_error_and_no_schema_violation(
    studio: Studio, tmp_path: Path
) -> None:
    """Bounded and seeded, so the run is the same each time and takes seconds."""
    with studio.client(studio.bob) as http:  # something real to read back
        assert http.post("/api/v1/jobs", json={"prompt": "a kite", "models": [MODEL]}).is_success
    st = Path(sys.executable).with_name("st")
    run = subprocess.run(
        [
            str(st),
            "run",
            f"{studio.server.url}/openapi.json",
            "--header",
            f"Authorization: Bearer {studio.bob}",
            "--checks",
            ",".join(CHECKS),
            "--phases",
            "examples,coverage,fuzzing",
            "--max-examples",
            "20",
            "--seed",
            "20261127",
            "--workers",
            "2",
            "--request-timeout",
            "10",
            "--exclude-path-regex",
            "/events$",
            "--generation-database",
            "none",
            # GET /v1/models/{model_id:path}: most generated ids hold a "/", which
            # schemathesis filters out of path parameters.
            "--suppress-health-check",
            "filter_too_much",
            "--no-color",
        ],
        capture_output=True,
        text=True,
        timeout=300,
        cwd=tmp_path,
    )
    assert run.returncode == 0, run.stdout[-20_000:] + run.stderr[-5_000:]
    assert "Tested: " in run.stdout and " passed" in run.stdout
    with studio.client(studio.bob) as http:
        assert http.get("/healthz").json()["status"] == "ok"
    assert httpx.get(f"{studio.server.url}/healthz").status_code == 200

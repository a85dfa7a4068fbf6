"""The uploads routes in the OpenAPI schema: one portal tag, a multipart body, every answer."""

import pytest

pytestmark = pytest.mark.django_db

UPLOAD = "/api/upload"
DOWNLOAD_URL = "/api/files/{file_id}/download-url"
DOWNLOAD = "/api/files/download/{token}"


def test_the_routes_share_one_described_portal_tag(schema):
    tags = {tag["name"]: tag["description"] for tag in schema["tags"]}
    operations = [
        schema["paths"][UPLOAD]["post"],
        schema["paths"][DOWNLOAD_URL]["post"],
        schema["paths"][DOWNLOAD]["get"],
    ]

    assert all(operation["tags"] == ["uploads"] for operation in operations)
    assert tags["uploads"].startswith("门户：")


def test_the_upload_documents_its_multipart_body_and_answers(schema):
    operation = schema["paths"][UPLOAD]["post"]
    body = operation["requestBody"]["content"]
    form = schema["components"]["schemas"][body["multipart/form-data"]["schema"]["$ref"][21:]]

    assert set(body) == {"multipart/form-data"}
    assert form["properties"]["file"] == {
        "type": "string",
        "format": "binary",
        "description": "要上传的文件，最大 100MB",
    }
    assert form["properties"]["tag"]["maxLength"] == 50
    assert form["required"] == ["file"]
    assert set(operation["responses"]) >= {"201", "400", "401", "413", "415", "422", "429", "503"}
    assert operation["summary"]


def test_the_download_url_documents_the_owners_404(schema):
    responses = schema["paths"][DOWNLOAD_URL]["post"]["responses"]

    assert set(responses) >= {"200", "401", "403", "404", "429", "503"}


def test_the_root_lists_the_uploads_module(api_client):
    assert api_client.get("/api/").json()["portal"]["uploads"].startswith("门户：")

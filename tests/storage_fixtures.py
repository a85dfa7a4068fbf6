"""Files in both homes: the local disk (the default) and a real S3 API server (moto).

Every test gets a media directory of its own, so no test writes under `var/`."""

import secrets
from collections.abc import Iterator
from dataclasses import dataclass

import boto3
import pytest
from moto.server import ThreadedMotoServer

S3_REGION = "us-east-1"
S3_KEYS = {"aws_access_key_id": "testing", "aws_secret_access_key": "testing"}


@dataclass
class ObjectStore:
    endpoint_url: str
    bucket: str
    client: object

    def read(self, key: str) -> bytes:
        return self.client.get_object(Bucket=self.bucket, Key=key)["Body"].read()

    def keys(self) -> list[str]:
        listing = self.client.list_objects_v2(Bucket=self.bucket)
        return [item["Key"] for item in listing.get("Contents", [])]


@pytest.fixture(scope="session")
def s3_server() -> Iterator[str]:
    """moto in server mode: an S3 API over real HTTP on a free local port."""
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    yield f"http://{host}:{port}"
    server.stop()


@pytest.fixture
def object_storage(settings, s3_server) -> ObjectStore:
    """The default storage switched to S3 on a fresh private bucket, as production sets it."""
    bucket = f"csa-test-{secrets.token_hex(6)}"
    client = boto3.client("s3", endpoint_url=s3_server, region_name=S3_REGION, **S3_KEYS)
    client.create_bucket(Bucket=bucket)
    settings.AWS_STORAGE_BUCKET_NAME = bucket
    settings.AWS_S3_ENDPOINT_URL = s3_server
    settings.AWS_S3_REGION_NAME = S3_REGION
    settings.AWS_S3_ADDRESSING_STYLE = "path"
    settings.AWS_ACCESS_KEY_ID = S3_KEYS["aws_access_key_id"]
    settings.AWS_SECRET_ACCESS_KEY = S3_KEYS["aws_secret_access_key"]
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "storages.backends.s3.S3Storage"},
    }
    return ObjectStore(endpoint_url=s3_server, bucket=bucket, client=client)


@pytest.fixture(autouse=True)
def _media_root(settings, tmp_path) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def local_storage(settings):
    """The default: files on the local disk, under a directory of this test's own."""
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    }
    return settings.MEDIA_ROOT

"""Where media files (evidence photos, report PDFs) go, and how they are read back.

On disk, a file is written under a temporary name in its folder, flushed to the disk, then linked
under its final name: a reader never sees half a file, and a failed write (a full disk) leaves
nothing behind. In an S3 bucket a PUT is atomic already. Either way a name is never overwritten
(a new file gets a new name), and a file is checked against the SHA-256 recorded with it before it
is served.
"""

import hashlib
import os
import tempfile

from botocore.exceptions import BotoCoreError, ClientError
from django.core.files.storage import FileSystemStorage, default_storage

# What a failed write or read of the media storage raises: the disk (full, read-only) or the bucket.
STORAGE_ERRORS = (OSError, BotoCoreError, ClientError)
_CHUNK = 1024 * 1024
_IN_MEMORY_UP_TO = 8 * 1024 * 1024


class DamagedFile(Exception):
    """A stored file whose bytes no longer match the SHA-256 recorded when it was written."""


class AtomicFileSystemStorage(FileSystemStorage):
    def _save(self, name, content):
        full_path = self.path(name)
        directory = os.path.dirname(full_path)
        os.makedirs(directory, exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=directory, prefix=".partial-")
        try:
            with os.fdopen(handle, "wb") as output:
                for chunk in content.chunks():
                    output.write(chunk)
                output.flush()
                os.fsync(output.fileno())
            os.chmod(temporary, self.file_permissions_mode or 0o644)
            while True:
                try:
                    os.link(temporary, full_path)  # unlike rename, never replaces an existing file
                    break
                except FileExistsError:
                    name = self.get_available_name(name)
                    full_path = self.path(name)
        finally:
            os.unlink(temporary)
        _sync_directory(directory)
        return str(name).replace("\\", "/")


def _sync_directory(directory):
    handle = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(handle)
    finally:
        os.close(handle)


def verified_copy(field_file, sha256):
    """The stored file's bytes in a temporary file, once they match `sha256`; raises DamagedFile if not."""
    copy = tempfile.SpooledTemporaryFile(max_size=_IN_MEMORY_UP_TO)  # noqa: SIM115 (the caller closes it)
    digest = hashlib.sha256()
    with field_file.storage.open(field_file.name, "rb") as stored:
        while chunk := stored.read(_CHUNK):
            digest.update(chunk)
            copy.write(chunk)
    if digest.hexdigest() != sha256:
        copy.close()
        raise DamagedFile(f"{field_file.name}: SHA-256 {digest.hexdigest()} instead of {sha256}")
    copy.seek(0)
    return copy


def matches(field_file, sha256):
    """Whether the stored file exists and matches `sha256` (without keeping a copy)."""
    try:
        verified_copy(field_file, sha256).close()
    except (DamagedFile, FileNotFoundError):
        return False
    return True


def prepare():
    """Make sure the media storage exists: the bucket (created private if missing) or the folder."""
    bucket = getattr(default_storage, "bucket_name", None)
    if not bucket:
        os.makedirs(default_storage.location, exist_ok=True)
        return f"Media folder {default_storage.location} is ready."
    client = default_storage.connection.meta.client
    try:
        client.head_bucket(Bucket=bucket)
        return f"Bucket {bucket} exists."
    except ClientError as error:
        if error.response.get("Error", {}).get("Code") not in ("404", "NoSuchBucket"):
            raise
    client.create_bucket(Bucket=bucket)
    return f"Bucket {bucket} created."

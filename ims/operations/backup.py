"""Backups that restore: the database and every media file, with a manifest of their SHA-256 hashes.

A backup folder holds the database (PostgreSQL's `pg_dump -Fc`, or SQLite's online backup, which
includes what is still in the WAL), a copy of every file of the media storage (disk or bucket) under
media/, and manifest.json, written last: a folder without it is an interrupted backup.

The app keeps running during a backup. The files are listed after the database is dumped, so every
file the dump names was there when the listing began; a report PDF re-rendered meanwhile may be gone
by the time it is copied (the new one replaces it). It is left out, named in the manifest's
"left_out" list: the restored database then names a PDF that is not there, which is rendered again
when it is first downloaded, or by `manage.py render_reports --verify`. Any other file that vanishes
(a photo) refuses the backup: run it again.

Restoring checks the whole folder against the manifest first (every file present, every size and
hash right) and refuses a damaged or incomplete backup before it touches anything. It then restores
the database into an empty one, copies the files back under their own names, and reads each one back
to check its hash.
"""

import hashlib
import json
import logging
import os
import shutil
import sqlite3
import subprocess
import tempfile
from datetime import UTC, datetime
from pathlib import Path

from django.core.files import File
from django.core.files.storage import default_storage
from django.db import connection
from django.db.backends.postgresql.client import DatabaseClient

from ims.operations.storage import prepare as prepare_storage

logger = logging.getLogger(__name__)

FORMAT = 1
MANIFEST = "manifest.json"
MEDIA = "media"
_CHUNK = 1024 * 1024


class BackupRefused(Exception):
    """The backup folder, or the place to restore into, is not fit for the operation; nothing was changed."""


def sha256_of(path):
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        while chunk := handle.read(_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def _entry(directory, path, **extra):
    return {"path": path.relative_to(directory).as_posix(), "size": path.stat().st_size, "sha256": sha256_of(path),
            **extra}  # fmt: skip


# --- backing up ---------------------------------------------------------------------------------------------


def back_up(directory, progress=print):
    directory = Path(directory)
    if directory.exists() and any(directory.iterdir()):
        raise BackupRefused(f"{directory} is not empty: back up into a new folder.")
    directory.mkdir(parents=True, exist_ok=True)
    database = _dump_database(directory)
    progress(f"Database: {database.name} ({database.stat().st_size} bytes)")
    files, left_out = [_entry(directory, database, kind="database")], []
    for name in stored_names():
        target = directory / MEDIA / name
        target.parent.mkdir(parents=True, exist_ok=True)
        try:
            with default_storage.open(name, "rb") as source, open(target, "wb") as copy:
                shutil.copyfileobj(source, copy, _CHUNK)
        except FileNotFoundError:
            target.unlink(missing_ok=True)
            if not is_report_pdf(name):
                raise BackupRefused(f"{name} vanished while it was being backed up; run the backup again.") from None
            logger.warning("Backup: %s was replaced during the backup and is left out", name)
            left_out.append(name)
            continue
        files.append(_entry(directory, target, kind="media", name=name))
    progress(f"Media: {len(files) - 1} file(s)")
    if left_out:
        progress(
            f"Left out: {len(left_out)} report PDF(s) replaced by a new rendering during the backup. After a "
            "restore they are rendered again when first downloaded, or by `manage.py render_reports --verify`."
        )
    manifest = {
        "format": FORMAT,
        "created_at": datetime.now(UTC).isoformat(),
        "database_vendor": connection.vendor,
        "files": files,
        "left_out": left_out,
    }
    # Written last, under a temporary name first: its presence means the backup is complete.
    partial = directory / f".{MANIFEST}.partial"
    partial.write_text(json.dumps(manifest, indent=1, ensure_ascii=False))
    os.replace(partial, directory / MANIFEST)
    return manifest


def is_report_pdf(name):
    """A rendered report document (ims.reports.rendering), which can always be rendered again."""
    return name.startswith("reports/") and name.endswith(".pdf")


def stored_names(folder=""):
    """Every file name in the media storage, folders walked recursively (disk or bucket alike)."""
    try:
        folders, files = default_storage.listdir(folder)
    except FileNotFoundError:
        return
    for name in sorted(files):
        if not name.startswith(".partial-"):  # a write in progress, not a file yet
            yield f"{folder}/{name}" if folder else name
    for sub in sorted(folders):
        yield from stored_names(f"{folder}/{sub}" if folder else sub)


def _dump_database(directory):
    if connection.vendor == "postgresql":
        target = directory / "database.pgdump"
        arguments, environment = _postgres_arguments()
        _run(["pg_dump", "--format=custom", "--no-owner", "--no-privileges", f"--file={target}", *arguments],
             environment)  # fmt: skip
        return target
    if connection.vendor == "sqlite":
        target = directory / "database.sqlite3"
        source = sqlite3.connect(connection.settings_dict["NAME"])
        copy = sqlite3.connect(target)
        try:
            source.backup(copy)  # consistent even while the app writes, WAL included
        finally:
            copy.close()
            source.close()
        return target
    raise BackupRefused(f"Backing up a {connection.vendor} database is not supported.")


def _postgres_arguments():
    """Connection arguments (host, port, user, database) and environment (password, TLS) for pg_* tools."""
    arguments, environment = DatabaseClient.settings_to_cmd_args_env(connection.settings_dict, [])
    return arguments[1:], {**os.environ, **(environment or {})}


def _run(command, environment):
    result = subprocess.run(command, env=environment, capture_output=True, text=True)
    if result.returncode != 0:
        raise BackupRefused(f"{command[0]} failed: {result.stderr.strip()}")


# --- restoring ----------------------------------------------------------------------------------------------


def verify(directory):
    """The manifest of a complete, undamaged backup; raises BackupRefused naming every problem."""
    directory = Path(directory)
    try:
        manifest = json.loads((directory / MANIFEST).read_text())
    except FileNotFoundError:
        raise BackupRefused(f"{directory} has no {MANIFEST}: the backup is incomplete or not a backup.") from None
    except (ValueError, UnicodeDecodeError) as error:
        raise BackupRefused(f"{MANIFEST} is damaged: {error}") from None
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise BackupRefused(f"{MANIFEST} is not an IMS backup manifest of format {FORMAT}.")
    problems = []
    files = manifest.get("files")
    if not isinstance(files, list):
        raise BackupRefused(f"{MANIFEST} lists no files.")
    malformed = [number for number, entry in enumerate(files, 1) if not _well_formed(entry)]
    if malformed:
        raise BackupRefused(
            f"{MANIFEST} is damaged: file entries {', '.join(map(str, malformed))} lack a path, size, SHA-256, "
            "kind or name; nothing was restored."
        )
    if manifest.get("database_vendor") not in ("postgresql", "sqlite"):
        problems.append("the manifest names no database vendor")
    if sum(entry["kind"] == "database" for entry in files) != 1:
        problems.append("the manifest names no database dump")
    for entry in files:
        path = directory / entry["path"]
        if not path.resolve().is_relative_to(directory.resolve()):
            problems.append(f"{entry['path']}: outside the backup folder")
        elif not path.is_file():
            problems.append(f"{entry['path']}: missing")
        elif path.stat().st_size != entry["size"]:
            problems.append(f"{entry['path']}: {path.stat().st_size} bytes instead of {entry['size']}")
        elif sha256_of(path) != entry["sha256"]:
            problems.append(f"{entry['path']}: its SHA-256 does not match the manifest")
    if problems:
        raise BackupRefused("The backup is damaged or incomplete; nothing was restored:\n  " + "\n  ".join(problems))
    return manifest


def _well_formed(entry):
    """A manifest entry with every field of its kind, of the right type."""
    if not isinstance(entry, dict) or entry.get("kind") not in ("database", "media"):
        return False
    fields = {"path": str, "size": int, "sha256": str, **({"name": str} if entry["kind"] == "media" else {})}
    return all(isinstance(entry.get(field), kind) and entry[field] != "" for field, kind in fields.items())


def restore(directory, progress=print):
    directory = Path(directory)
    manifest = verify(directory)
    if manifest["database_vendor"] != connection.vendor:
        raise BackupRefused(
            f"This is a {manifest['database_vendor']} backup; the database here is {connection.vendor}."
        )
    if connection.introspection.table_names():
        raise BackupRefused("The database is not empty: restore into a new, empty database.")
    prepare_storage()  # a dropped bucket is created again, private
    media = [entry for entry in manifest["files"] if entry["kind"] == "media"]
    occupied = [entry["name"] for entry in media if default_storage.exists(entry["name"])]
    if occupied:
        raise BackupRefused(f"The media storage already holds {len(occupied)} of the files, e.g. {occupied[0]}.")
    database = next(entry for entry in manifest["files"] if entry["kind"] == "database")
    _restore_database(directory / database["path"])
    progress(f"Database restored from {database['path']}")
    for entry in media:
        with open(directory / entry["path"], "rb") as handle:
            stored = default_storage.save(entry["name"], File(handle))
        if stored != entry["name"]:
            raise BackupRefused(f"{entry['name']} was stored as {stored}.")
        with default_storage.open(stored, "rb") as check:
            digest = hashlib.sha256()
            while chunk := check.read(_CHUNK):
                digest.update(chunk)
        if digest.hexdigest() != entry["sha256"]:
            raise BackupRefused(f"{stored} reads back with another SHA-256 than the backup's.")
    progress(f"Media: {len(media)} file(s) restored and read back intact")
    left_out = manifest.get("left_out") or []
    if left_out:
        progress(f"{len(left_out)} report PDF(s) replaced during the backup were left out of it: run "
                 "`manage.py render_reports --verify` (or they are rendered when first downloaded).")  # fmt: skip
    return manifest


def _restore_database(dump):
    if connection.vendor == "postgresql":
        arguments, environment = _postgres_arguments()
        database = arguments.pop()  # pg_restore takes the target as --dbname
        connection.close()
        _run(["pg_restore", "--no-owner", "--no-privileges", "--exit-on-error", "--single-transaction",
              *arguments, f"--dbname={database}", str(dump)], environment)  # fmt: skip
        return
    connection.close()
    live = Path(connection.settings_dict["NAME"])
    for leftover in (live.with_name(live.name + "-wal"), live.with_name(live.name + "-shm")):
        leftover.unlink(missing_ok=True)  # the empty database's journal must not be applied to the restored one
    with tempfile.TemporaryDirectory(dir=live.parent) as scratch:
        staged = Path(scratch) / live.name
        shutil.copyfile(dump, staged)
        os.replace(staged, live)

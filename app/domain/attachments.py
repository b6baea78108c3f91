"""Message attachments: recognised by their first bytes, stored once under their SHA-256."""

from __future__ import annotations

import contextlib
import hashlib
import secrets
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

from app.domain.errors import DomainError, DomainErrors
from app.domain.validation import has_control_characters

MAX_ATTACHMENT_BYTES = 10 * 1024 * 1024
MAX_ATTACHMENTS = 5
CHUNK_BYTES = 1024 * 1024
# What each accepted type begins with; the name and the declared type are never trusted.
SIGNATURES = (
    (b"%PDF-", "application/pdf"),
    (b"\x89PNG\r\n\x1a\n", "image/png"),
    (b"\xff\xd8\xff", "image/jpeg"),
)
FILE_NAME_MAX_LENGTH = 255


class Upload(Protocol):
    """A file of a multipart request, as the web layer hands it over."""

    filename: str | None

    async def read(self, size: int = -1) -> bytes: ...


@dataclass
class StagedFile:
    """A checked upload, written to a temporary file until the transaction that keeps it."""

    sha256: str
    file_name: str
    media_type: str
    size: int
    temporary: Path


@dataclass
class Staging:
    """Uploads checked and parked in `directory`; `keep` files them, `discard` cleans up."""

    directory: Path
    files: list[StagedFile] = field(default_factory=list)

    def keep(self) -> None:
        """Move each file to its content address (a file already there is the same content)."""
        for staged in self.files:
            final = blob_path(self.directory, staged.sha256)
            final.parent.mkdir(parents=True, exist_ok=True)
            if final.exists():
                staged.temporary.unlink(missing_ok=True)
            else:
                staged.temporary.replace(final)

    def discard(self) -> None:
        for staged in self.files:
            with contextlib.suppress(FileNotFoundError):
                staged.temporary.unlink()


def blob_path(directory: Path, sha256: str) -> Path:
    return directory / sha256[:2] / sha256


def media_type_of(head: bytes) -> str | None:
    return next((kind for magic, kind in SIGNATURES if head.startswith(magic)), None)


def clean_file_name(value: str | None) -> str:
    """The last path component, without control characters; `attachment` when nothing is left."""
    name = unicodedata.normalize("NFC", (value or "").replace("\\", "/").rsplit("/", 1)[-1])
    name = "".join(ch for ch in name if not has_control_characters(ch)).strip()
    return name[:FILE_NAME_MAX_LENGTH] or "attachment"


async def stage(directory: Path, uploads: list[Upload]) -> Staging:
    """Check every upload (type, size) and park it; all faults are raised together.

    Files are read in chunks and hashed on the way, so memory stays flat whatever their size.
    """
    staging = Staging(directory)
    if len(uploads) > MAX_ATTACHMENTS:
        raise DomainError(
            "TOO_MANY_ATTACHMENTS",
            f"At most {MAX_ATTACHMENTS} attachments per message.",
            ["attachments"],
        )
    errors: list[DomainError] = []
    incoming = directory / "incoming"
    incoming.mkdir(parents=True, exist_ok=True)
    try:
        for index, upload in enumerate(uploads):
            problem = await _stage_one(staging, incoming, upload)
            if problem:
                errors.append(DomainError(problem[0], problem[1], ["attachments", str(index)]))
    except BaseException:
        staging.discard()
        raise
    if errors:
        staging.discard()
        raise DomainErrors(errors)
    return staging


async def _stage_one(staging: Staging, incoming: Path, upload: Upload) -> tuple[str, str] | None:
    temporary = incoming / secrets.token_hex(16)
    digest = hashlib.sha256()
    size = 0
    head = b""
    with temporary.open("wb") as out:
        staged = StagedFile("", clean_file_name(upload.filename), "", 0, temporary)
        staging.files.append(staged)
        while chunk := await upload.read(CHUNK_BYTES):
            if not head:
                head = chunk[:16]
            size += len(chunk)
            if size > MAX_ATTACHMENT_BYTES:
                return (
                    "ATTACHMENT_TOO_LARGE",
                    f"An attachment has at most {MAX_ATTACHMENT_BYTES // (1024 * 1024)} MiB.",
                )
            digest.update(chunk)
            out.write(chunk)
    media_type = media_type_of(head)
    if media_type is None:
        return (
            "ATTACHMENT_TYPE_NOT_ALLOWED",
            "Attach PDF, PNG or JPEG files only (recognised by their content, not their name).",
        )
    staged.sha256, staged.media_type, staged.size = digest.hexdigest(), media_type, size
    return None

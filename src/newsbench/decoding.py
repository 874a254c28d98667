"""How a data file's bytes become text, and what to tell a user whose file is not text in the
expected encoding: the line and byte that fail, or what the file is instead (gzip, zip, Parquet,
UTF-16), with the fix."""

from __future__ import annotations

import codecs
from pathlib import Path

from newsbench.errors import DataError


def codec_of(encoding: str) -> str:
    """The codec's canonical name, if ``encoding`` is a way to store text."""
    try:
        codec = codecs.lookup(encoding)
    except LookupError as exc:
        raise DataError(f"unknown encoding '{encoding}' (from --encoding)") from exc
    try:
        "".encode(codec.name)  # base64, rot13, zlib ...: codecs, but not ways to store text
    except LookupError as exc:
        raise DataError(f"'{encoding}' (from --encoding) is not a text encoding; use e.g. utf-8, cp1252, "
                        "latin-1") from exc
    return codec.name


def decode(raw: bytes, path: Path, encoding: str) -> str:
    """A whole file's bytes as text; a DataError naming the line and byte, or what the file is."""
    codec = codec_of(encoding)
    if codec == "utf-8" and (kind := binary_kind(path, raw[:4096])):  # NULs and gzip's bytes can pass as UTF-8
        raise DataError(f"{path}: {kind}")
    bom = len(codecs.BOM_UTF8) if codec == "utf-8" and raw.startswith(codecs.BOM_UTF8) else 0
    try:
        # Any spelling of UTF-8 (utf8, UTF_8) also drops a byte-order mark.
        return raw[bom:].decode(codec)
    except UnicodeDecodeError as exc:
        start = bom + exc.start  # positions in the file, byte-order mark included
        raise _not_text(path, encoding, raw[:start].count(b"\n") + 1, raw[start], start) from exc
    except (UnicodeError, ValueError) as exc:  # codecs such as punycode fail in their own ways
        raise DataError(f"{path}: cannot be read as {encoding} ({exc}); pass --encoding with the file's real "
                        "encoding") from exc


def _not_text(path: Path, encoding: str, line: int, byte: int, offset: int) -> DataError:
    kind = binary_kind(path)
    if kind:
        return DataError(f"{path}: {kind}")
    return DataError(f"{path}: line {line} is not valid {encoding} (byte 0x{byte:02x} at offset {offset}); re-save "
                     "the file as UTF-8, or pass --encoding with the file's real encoding (often cp1252 or latin-1)")


# What a file that is not text in the expected encoding often is, by its first bytes.
_MAGIC = ((b"\x1f\x8b", "is gzip-compressed: decompress it first (gunzip)"),
          (b"PK\x03\x04", "is a zip archive: extract the data file from it first"),
          (b"PAR1", "is a Parquet file: name it .parquet"),
          (b"\xff\xfe", "is UTF-16 (it starts with a UTF-16 byte-order mark): pass --encoding utf-16"),
          (b"\xfe\xff", "is UTF-16 (it starts with a UTF-16 byte-order mark): pass --encoding utf-16"))


def binary_kind(path: Path, head: bytes | None = None) -> str | None:
    """Why a file named as text is not read as such (compressed, UTF-16, ...), or None."""
    if head is None:
        with path.open("rb") as raw:
            head = raw.read(4096)
    for magic, kind in _MAGIC:
        if head.startswith(magic):
            return kind
    if head.count(0) > len(head) // 4:  # ASCII text in UTF-16 without a byte-order mark: every other byte 0
        return "holds a NUL in every other byte, as UTF-16 text does: pass --encoding utf-16-le (or utf-16-be)"
    return None


def undecodable(path: Path, codec: str, encoding: str) -> DataError:
    """The error ``decode`` gives, found by decoding the file again in 1 MB pieces (bounded memory)."""
    decoder = codecs.getincrementaldecoder(codec)()
    offset, lines = 0, 0
    with path.open("rb") as raw:
        if codec == "utf-8" and raw.read(len(codecs.BOM_UTF8)) == codecs.BOM_UTF8:
            offset = len(codecs.BOM_UTF8)
        raw.seek(offset)
        while piece := raw.read(1 << 20):
            pending = decoder.getstate()[0]
            data = pending + piece
            try:
                decoder.decode(piece)
            except UnicodeDecodeError as exc:
                start = offset - len(pending) + exc.start
                return _not_text(path, encoding, lines + data[: exc.start].count(b"\n") + 1, data[exc.start], start)
            offset, lines = offset + len(piece), lines + piece.count(b"\n")
    return DataError(f"{path}: not valid {encoding}; re-save the file as UTF-8, or pass --encoding with the file's "
                     "real encoding")

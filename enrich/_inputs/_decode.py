"""Loading input files as text, with one-line errors for everything that can go wrong.

Readers never see raw bytes: :func:`read_text` turns a path into ``str`` or
raises :class:`UnreadableError`, whose message is a single line naming the file,
ready to become a :class:`~enrich._inputs.Skipped` entry or an
:class:`~enrich.InputError`.
"""

from __future__ import annotations

import codecs
from pathlib import Path

__all__ = [
    "SNIFF_BYTES",
    "UnreadableError",
    "decode_text",
    "load_bytes",
    "read_text",
    "split_lines",
]

#: How much of a text file is checked for NUL bytes before it is called binary.
SNIFF_BYTES = 8192

# Longest BOMs first: the UTF-32 LE BOM starts with the UTF-16 LE one.
_BOMS: tuple[tuple[bytes, str], ...] = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)


class UnreadableError(Exception):
    """A whole input could not be read; ``str(err)`` is one line naming it."""

    def __init__(self, name: str, reason: str) -> None:
        self.name = name
        self.reason = " ".join(reason.split())
        super().__init__(f"{name}: {self.reason}")


def load_bytes(path: Path, name: str) -> bytes:
    """The file's bytes; missing files, directories and empty files are failures."""
    try:
        if path.is_dir():
            raise UnreadableError(name, "is a directory, not a file")
        data = path.read_bytes()
    except FileNotFoundError as exc:
        raise UnreadableError(name, "no such file") from exc
    except PermissionError as exc:
        raise UnreadableError(name, "permission denied") from exc
    except OSError as exc:
        raise UnreadableError(name, f"cannot read ({exc.strerror or type(exc).__name__})") from exc
    if not data:
        raise UnreadableError(name, "file is empty")
    return data


def decode_text(data: bytes, name: str) -> str:
    """Decode UTF-8 (with or without BOM) or BOM-marked UTF-16/32.

    Raises:
        UnreadableError: NUL bytes in the first :data:`SNIFF_BYTES` of a file
            without a UTF-16/32 BOM (a binary file), or bytes that are not UTF-8.
    """
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            try:
                return data.decode(encoding)
            except UnicodeDecodeError as exc:
                raise UnreadableError(
                    name, f"cannot decode as {encoding.upper()} despite its byte-order mark"
                ) from exc
    if b"\x00" in data[:SNIFF_BYTES]:
        raise UnreadableError(name, "binary file (NUL bytes), not text")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        bad = data[exc.start : exc.start + 1].hex()
        raise UnreadableError(
            name, f"cannot decode as UTF-8 or UTF-16 (byte 0x{bad} at offset {exc.start})"
        ) from exc


def read_text(path: Path, name: str) -> str:
    """:func:`load_bytes` then :func:`decode_text`."""
    return decode_text(load_bytes(path, name), name)


def split_lines(text: str) -> list[str]:
    """Physical lines, numbered as an editor numbers them (``\\r\\n``, ``\\r`` and ``\\n``).

    ``str.splitlines`` is avoided on purpose: it also breaks on form feeds,
    ``\\x1c``-``\\x1e`` and U+2028, which would shift every later line number.
    """
    return text.replace("\r\n", "\n").replace("\r", "\n").split("\n")

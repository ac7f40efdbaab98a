"""Loading input files as text, with one-line errors for everything that can go wrong.

Readers never see raw bytes: :func:`read_text` turns a path into ``str`` or
raises :class:`UnreadableError`, whose message is a single line naming the file,
ready to become a :class:`~enrich._inputs.Skipped` entry or an
:class:`~enrich.InputError`.
"""

from __future__ import annotations

import codecs
import re
from dataclasses import dataclass, field
from pathlib import Path

__all__ = [
    "SNIFF_BYTES",
    "Decoded",
    "UnreadableError",
    "decode_lines",
    "decode_text",
    "load_bytes",
    "read_text",
    "split_lines",
]

#: How much of a text file is checked for NUL bytes before it is called binary.
SNIFF_BYTES = 8192
#: A file is binary, not text with a stray NUL, when its first SNIFF_BYTES hold
#: more NUL bytes than this, and more than 1% of them.
BINARY_NULS = 8

# Bytes that are not UTF-8 decode (surrogateescape) to U+DC80..U+DCFF.
_BAD_LINE_RE = re.compile("[\x00\udc80-\udcff]")

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


@dataclass
class Decoded:
    """A decoded text file and the lines that could not be used.

    Attributes:
        text: the text, with each bad line emptied (line numbers unchanged).
        bad_lines: ``(line number, reason)`` of each emptied line, in order.
    """

    text: str
    bad_lines: list[tuple[int, str]] = field(default_factory=list)


def _looks_binary(data: bytes) -> bool:
    nuls = data[:SNIFF_BYTES].count(0)
    return nuls > BINARY_NULS and nuls * 100 > min(len(data), SNIFF_BYTES)


def decode_lines(data: bytes, name: str) -> Decoded:
    r"""Decode UTF-8 (with or without BOM) or BOM-marked UTF-16/32, line by line.

    A line holding a NUL byte or bytes that are not UTF-8 is emptied and
    reported in :attr:`Decoded.bad_lines` with its line number; the other
    lines are kept.  Only a file that is binary (many NUL bytes) or has no
    usable line at all is refused as a whole.

    Raises:
        UnreadableError: a binary file, a BOM whose encoding does not decode,
            or a file in which every non-blank line is bad.

    >>> decoded = decode_lines(b"2106.09685\nbad \xff line\nnul\x00\n1706.03762\n", "x.txt")
    >>> decoded.bad_lines
    [(2, 'line is not UTF-8 (byte 0xff)'), (3, 'NUL byte in line')]
    >>> decoded.text.split("\n")
    ['2106.09685', '', '', '1706.03762', '']
    """
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            try:
                return Decoded(data.decode(encoding))
            except UnicodeDecodeError as exc:
                raise UnreadableError(
                    name, f"cannot decode as {encoding.upper()} despite its byte-order mark"
                ) from exc
    if _looks_binary(data):
        raise UnreadableError(name, "binary file (NUL bytes), not text")
    if b"\x00" not in data:
        try:
            return Decoded(data.decode("utf-8"))
        except UnicodeDecodeError:
            pass
    text = data.decode("utf-8", errors="surrogateescape")
    lines = split_lines(text)
    bad: list[tuple[int, str]] = []
    usable = False
    for index, line in enumerate(lines):
        found = _BAD_LINE_RE.search(line)
        if found is None:
            usable = usable or bool(line.strip())
            continue
        char = found.group(0)
        reason = (
            "NUL byte in line"
            if char == "\x00"
            else f"line is not UTF-8 (byte 0x{ord(char) - 0xDC00:02x})"
        )
        bad.append((index + 1, reason))
        lines[index] = ""
    if not usable:
        raise _unreadable(data, name)
    return Decoded("\n".join(lines), bad)


def _unreadable(data: bytes, name: str) -> UnreadableError:
    try:
        data.decode("utf-8")
    except UnicodeDecodeError as exc:
        bad = data[exc.start : exc.start + 1].hex()
        return UnreadableError(
            name, f"cannot decode as UTF-8 or UTF-16 (byte 0x{bad} at offset {exc.start})"
        )
    return UnreadableError(name, "binary file (NUL bytes), not text")


def decode_text(data: bytes, name: str) -> str:
    """The text of :func:`decode_lines`, bad lines emptied (use that to report them)."""
    return decode_lines(data, name).text


def read_text(path: Path, name: str) -> str:
    """:func:`load_bytes` then :func:`decode_text`."""
    return decode_text(load_bytes(path, name), name)


def split_lines(text: str) -> list[str]:
    """Physical lines, numbered as an editor numbers them (``\\r\\n``, ``\\r`` and ``\\n``).

    ``str.splitlines`` is avoided on purpose: it also breaks on form feeds,
    ``\\x1c``-``\\x1e`` and U+2028, which would shift every later line number.
    """
    return text.replace("\r\n", "\n").replace("\r", "\n").split("\n")

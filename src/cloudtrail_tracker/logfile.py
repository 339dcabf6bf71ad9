"""Reading CloudTrail log files: which keys are logs, and their records, streamed.

A log file is ``{"Records": [...]}``, usually gzipped and on one line, of any size. The
records are decoded one at a time from a sliding text buffer, so memory stays at about
one read chunk plus one record whatever the file's size. A record cut by the end of the
buffer is decoded again only once the buffer has doubled, so a huge record costs about
twice one ``json.loads`` of it, not one decode per chunk. Also read: ``.json`` files, a
bare JSON array of records, and one record per line (exports from Logstash, Athena, ...).
"""

from __future__ import annotations

import codecs
import json
import re
import zlib
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from typing import BinaryIO

READ_CHUNK = 1 << 20  # bytes read at a time: a tuning knob (tests make it small so records straddle reads)
MAX_RECORD_CHARS = 64 << 20  # beyond this a "record" is corrupt data, not an event

_SKIPPED_FOLDERS = {
    "CloudTrail-Digest": "digest",
    "CloudTrail-Insight": "insight",
    "CloudTrail-Aggregated": "aggregated",
}
OWN_FILES_PREFIX = "cloudtrail-tracker/"
_LOG_SUFFIXES = (".json", ".json.gz", ".gz", ".ndjson", ".jsonl")
_KEY_RE = re.compile(
    r"(?:^|/)AWSLogs/(?:(?P<org>o-[a-z0-9]{4,32})/)?(?P<account>\d{12})/CloudTrail/"
    r"(?P<region>[a-z0-9-]+)/(?P<year>\d{4})/(?P<month>\d{2})/(?P<day>\d{2})/"
)
_RECORDS_START = re.compile(r'\s*\{\s*"Records"\s*:\s*\[')
_NOT_WS = re.compile(r"\S")
_STRUCTURE = re.compile(r'["\[\]{}]')
_STRING_REST = re.compile(r'[^"\\]*(?:\\.[^"\\]*)*"', re.S)  # a string's characters after its opening quote
_RECORD_FIELDS = frozenset({"eventName", "eventSource", "eventTime", "eventVersion", "userIdentity"})


class LogFileError(ValueError):
    """The file is not a CloudTrail log (bad gzip, not JSON, no records)."""


@dataclass(frozen=True)
class LogKey:
    """What a trail bucket key says: ``[prefix/]AWSLogs/[o-id/]<account>/CloudTrail/<region>/Y/M/D/``."""

    account: str
    region: str
    date: str  # delivery date, YYYY-MM-DD (events may be older)
    organization: str = ""


def parse_log_key(key: str) -> LogKey | None:
    match = _KEY_RE.search(key)
    if not match:
        return None
    return LogKey(
        account=match["account"],
        region=match["region"],
        date=f"{match['year']}-{match['month']}-{match['day']}",
        organization=match["org"] or "",
    )


def skip_reason(key: str) -> str | None:
    """Why a key is not an event log to read, or None when it is one."""
    if key.startswith(OWN_FILES_PREFIX):
        return "own-file"  # backfill manifests and results, should they be written to the trail bucket
    for folder, reason in _SKIPPED_FOLDERS.items():
        if f"/{folder}/" in f"/{key}":
            return reason
    if key.endswith("/"):
        return "folder"
    if not key.lower().endswith(_LOG_SUFFIXES):
        return "not-a-log-file"
    return None


def iter_records(stream: BinaryIO, unreadable: Counter | None = None) -> Iterator[dict]:
    """Yield the records of one log file (gzipped or not), decoding as it reads.

    A record the JSON decoder cannot read (nested deeper than it recurses, an integer longer
    than Python converts) is skipped and counted by reason in ``unreadable``; the file goes on.
    """
    return _records_from_text(_text_chunks(stream), Counter() if unreadable is None else unreadable)


def _byte_chunks(stream: BinaryIO) -> Iterator[bytes]:
    first = stream.read(READ_CHUNK)
    if first[:2] != b"\x1f\x8b":
        while first:
            yield first
            first = stream.read(READ_CHUNK)
        return
    data = first
    decompressor = zlib.decompressobj(16 + zlib.MAX_WBITS)
    try:
        while data:
            out = decompressor.decompress(data, READ_CHUNK)
            while True:
                if out:
                    yield out
                if not decompressor.unconsumed_tail:
                    break
                out = decompressor.decompress(decompressor.unconsumed_tail, READ_CHUNK)
            if decompressor.eof and decompressor.unused_data:  # a multi-member gzip
                data = decompressor.unused_data
                decompressor = zlib.decompressobj(16 + zlib.MAX_WBITS)
                continue
            data = stream.read(READ_CHUNK)
        tail = decompressor.flush()
        if tail:
            yield tail
        if not decompressor.eof:
            raise LogFileError("gzip stream ends early (truncated file)")
    except zlib.error as exc:
        raise LogFileError(f"bad gzip data: {exc}") from exc


def _text_chunks(stream: BinaryIO) -> Iterator[str]:
    decoder = codecs.getincrementaldecoder("utf-8")()
    try:
        for chunk in _byte_chunks(stream):
            text = decoder.decode(chunk)
            if text:
                yield text
        text = decoder.decode(b"", final=True)
    except UnicodeDecodeError as exc:
        raise LogFileError(f"not UTF-8 text: {exc}") from exc
    if text:
        yield text


class _Unreadable(Exception):
    """The value at the cursor was skipped: it is valid JSON the decoder cannot read."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


class _Buffer:
    """A sliding window over the decoded text."""

    def __init__(self, chunks: Iterator[str]):
        self._chunks = chunks
        self.text = ""
        self.pos = 0

    def more(self, at_least: int = 1) -> bool:
        """Add chunks until ``at_least`` characters came or the input ended; False if none came."""
        parts, added = [], 0
        while added < at_least:
            chunk = next(self._chunks, None)
            if chunk is None:
                break
            parts.append(chunk)
            added += len(chunk)
            if len(self.text) - self.pos + added > MAX_RECORD_CHARS + READ_CHUNK:
                raise LogFileError(f"a record longer than {MAX_RECORD_CHARS} characters: corrupt file")
        if not parts:
            return False
        self.text = self.text[self.pos :] + "".join(parts)
        self.pos = 0
        return True

    def grow(self) -> bool:
        """Double the window after the cursor: decoding again only then keeps a record of n
        characters at O(n) work, where one more chunk each time made it O(n^2 / chunk)."""
        return self.more(at_least=max(1, len(self.text) - self.pos))

    def skip_space(self) -> bool:
        """Move past white space; False at the end of the input."""
        while True:
            found = _NOT_WS.search(self.text, self.pos)
            self.pos = found.start() if found else len(self.text)
            if self.pos < len(self.text):
                return True
            if not self.more():
                return False

    def peek(self) -> str:
        return self.text[self.pos]

    def decode_value(self, decoder: json.JSONDecoder):
        """The value at the cursor, or :class:`_Unreadable` once the cursor is past it."""
        while True:
            try:
                value, end = decoder.raw_decode(self.text, self.pos)
            except json.JSONDecodeError as exc:
                if self.grow():  # most often a value cut at the end of the window
                    continue
                raise LogFileError(f"not valid JSON: {exc.msg} at character {exc.pos}") from exc
            except RecursionError:
                self.skip_container()
                raise _Unreadable("json-too-deep") from None
            except ValueError:  # an integer of more digits than int() converts (sys.get_int_max_str_digits)
                self.skip_container()
                raise _Unreadable("json-number-too-long") from None
            self.pos = end
            return value

    def skip_container(self) -> None:
        """Move past the object or array at the cursor by matching its brackets, without decoding it."""
        if self.peek() not in "[{":
            raise LogFileError("a value the JSON decoder cannot read, outside any record")
        depth, offset = 0, 0  # offset from the cursor, which grow() moves
        while True:
            match = _STRUCTURE.search(self.text, self.pos + offset)
            if match and match.group() == '"':
                string_end = _STRING_REST.match(self.text, match.end())
                if string_end:
                    offset = string_end.end() - self.pos
                    continue
                offset = match.start() - self.pos  # a string cut by the end of the window: scan it again
            elif match:
                depth += 1 if match.group() in "[{" else -1
                if depth == 0:
                    self.pos = match.end()
                    return
                offset = match.end() - self.pos
                continue
            else:
                offset = len(self.text) - self.pos
            if not self.grow():
                raise LogFileError("file ends inside a record (truncated)")


def _records_from_text(chunks: Iterator[str], unreadable: Counter) -> Iterator[dict]:
    buf = _Buffer(chunks)
    decoder = json.JSONDecoder()
    if not buf.skip_space():
        raise LogFileError("empty file")
    while len(buf.text) - buf.pos < 64 and buf.more():
        pass
    match = _RECORDS_START.match(buf.text, buf.pos)
    if match:
        buf.pos = match.end()
        yield from _array_items(buf, decoder, unreadable)
        return
    if buf.peek() == "[":
        buf.pos += 1
        yield from _array_items(buf, decoder, unreadable)
        return
    if buf.peek() != "{":
        raise LogFileError("not a JSON object or array")
    # Concatenated objects: one record per line, or a document whose "Records" is not first.
    while buf.skip_space():
        try:
            value = buf.decode_value(decoder)
        except _Unreadable as skipped:
            unreadable[skipped.reason] += 1
            continue
        if isinstance(value, dict) and isinstance(value.get("Records"), list):
            yield from value["Records"]
        elif isinstance(value, dict) and not _RECORD_FIELDS.isdisjoint(value):
            yield value  # a record; one missing eventName is reported by the event builder
        else:
            raise LogFileError('no "Records" in this file (not a CloudTrail event log)')


def _array_items(buf: _Buffer, decoder: json.JSONDecoder, unreadable: Counter) -> Iterator[dict]:
    while True:
        if not buf.skip_space():
            raise LogFileError("file ends inside the Records array (truncated)")
        if buf.peek() == "]":
            return
        try:
            item = buf.decode_value(decoder)
        except _Unreadable as skipped:
            unreadable[skipped.reason] += 1
        else:
            if not isinstance(item, dict):
                raise LogFileError("a Records entry is not a JSON object")
            yield item
        if not buf.skip_space():
            raise LogFileError("file ends inside the Records array (truncated)")
        sep = buf.peek()
        if sep == ",":
            buf.pos += 1
        elif sep != "]":
            raise LogFileError(f"unexpected {sep!r} between records")

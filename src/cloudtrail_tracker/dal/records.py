"""Full records, read back from the trail bucket: the table keeps where each event is, not its record.

A record is found by reading its log file up to it (files are read as a stream, and the read stops
once every wanted record is found) and matched by its eventID. Secrets are removed on the way
out, by the same rules ingest uses for everything it keeps.
"""

from __future__ import annotations

import orjson
from botocore.exceptions import ClientError

from ..event_builder import event_id_of, writable
from ..logfile import LogFileError, iter_records
from ..sanitize import redact_secrets


class RecordStore:
    def __init__(self, s3_client):
        self._s3 = s3_client
        self.requests = 0

    def records(self, wanted: list[tuple[str, str, str]]) -> dict[str, dict]:
        """eventID -> sanitised record for each ``(bucket, key, eventID)``; one read per file.
        Events whose file is gone are left out."""
        per_file: dict[tuple[str, str], set[str]] = {}
        for bucket, key, event_id in wanted:
            per_file.setdefault((bucket, key), set()).add(event_id)
        found: dict[str, dict] = {}
        for (bucket, key), event_ids in per_file.items():
            found.update(self._from_file(bucket, key, event_ids))
        return found

    def _from_file(self, bucket: str, key: str, wanted_ids: set[str]) -> dict[str, dict]:
        self.requests += 1
        try:
            body = self._s3.get_object(Bucket=bucket, Key=key)["Body"]
        except ClientError as error:
            if error.response["Error"]["Code"] in {"NoSuchKey", "NoSuchBucket", "404", "AccessDenied"}:
                return {}
            raise
        found: dict[str, dict] = {}
        try:
            for record in iter_records(body):
                try:
                    event_id = event_id_of(record)
                except orjson.JSONEncodeError:  # no eventID, and orjson cannot write it: named as ingest names it
                    record = writable(record)
                    event_id = event_id_of(record)
                if event_id in wanted_ids and event_id not in found:
                    try:
                        found[event_id] = redact_secrets(record)
                    except orjson.JSONEncodeError:  # what the stdlib json reads but orjson cannot write
                        found[event_id] = redact_secrets(writable(record))
                    if len(found) == len(wanted_ids):
                        break
        except LogFileError:
            return found
        finally:
            body.close()
        return found

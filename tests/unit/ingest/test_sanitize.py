"""Secrets are redacted from every part of a record, in every shape; identifiers are not."""

from __future__ import annotations

import copy

import orjson
import pytest
import yaml

from cloudtrail_tracker.sanitize import (
    REDACTED,
    SECRET_FIELDS_PATH,
    is_secret_key,
    load_rules,
    redact_secrets,
)
from tests.conftest import sample_records
from tests.hostile_records import KEPT_VALUES, SECRET_SHAPES, at, record


@pytest.mark.parametrize("shape", SECRET_SHAPES, ids=lambda s: s.id)
def test_planted_secret_is_redacted(shape):
    text = orjson.dumps(redact_secrets(copy.deepcopy(shape.record))).decode()
    assert [s for s in shape.secrets if s in text] == []
    assert REDACTED in text


@pytest.mark.parametrize(("id", "hostile", "kept"), KEPT_VALUES, ids=[k[0] for k in KEPT_VALUES])
def test_identifiers_survive(id, hostile, kept):
    redacted = redact_secrets(copy.deepcopy(hostile))
    assert [(path, at(redacted, path)) for path, _ in kept] == kept


def test_credentials_lose_everything_but_the_expiry():
    hostile = dict(KEPT_VALUES[0][1])
    credentials = redact_secrets(copy.deepcopy(hostile))["responseElements"]["credentials"]
    assert credentials == {"accessKeyId": REDACTED, "sessionToken": REDACTED, "expiration": "Mar 6, 2025, 4:00:00 AM"}


def test_non_string_values_under_a_secret_key_are_replaced_whole():
    redacted = redact_secrets(record("e", "ds", "CreateDirectory", requestParameters={
        "password": 123456, "passwords": ["a", "b"], "secretString": {"k": "v"}, "passwordResetRequired": True,
        "newPassword": None, "oldPassword": ""}))
    assert redacted["requestParameters"] == {"password": REDACTED, "passwords": REDACTED, "secretString": REDACTED,
                                             "passwordResetRequired": True, "newPassword": None, "oldPassword": ""}


def test_a_json_string_is_redacted_and_re_serialised():
    redacted = redact_secrets(record("e", "ecs", "RunTask", requestParameters={"overrides": orjson.dumps(
        {"containerOverrides": [{"name": "app", "environment": [{"name": "DB_PASSWORD", "value": "p"},
                                                                 {"name": "MODE", "value": "blue"}]}]}).decode()}))
    overrides = orjson.loads(redacted["requestParameters"]["overrides"])
    assert overrides["containerOverrides"][0]["environment"] == [
        {"name": "DB_PASSWORD", "value": REDACTED}, {"name": "MODE", "value": "blue"}]


def test_a_json_string_without_secrets_keeps_its_spelling():
    text = '{"cpu": "256",   "memory": "512"}'
    assert redact_secrets(record("e", "ecs", "RunTask", requestParameters={"overrides": text, "password": "p"}))[
        "requestParameters"]["overrides"] == text


def test_free_text_keeps_all_but_the_secret_value():
    redacted = redact_secrets(record("e", "iam", "CreateLoginProfile",
                                     errorMessage="rejected: password=hunter2, user=bob; 'client_secret': 'abc def'"))
    assert redacted["errorMessage"] == "rejected: password=<redacted>, user=bob; 'client_secret': '<redacted>'"


def test_records_without_a_hint_come_back_unchanged():
    plain = record("e", "ec2", "RunInstances", requestParameters={"instanceType": "t3.micro"})
    assert redact_secrets(copy.deepcopy(plain)) == plain


def test_sample_records_keep_what_people_search_for():
    for source, original in sample_records():
        redacted = redact_secrets(copy.deepcopy(original))
        assert redacted.keys() == original.keys(), source
        assert redacted.get("eventName") == original.get("eventName"), source
        identity, kept = original.get("userIdentity"), redacted.get("userIdentity")
        if isinstance(identity, dict):
            for field in ("arn", "userName", "accountId", "principalId", "accessKeyId", "type"):
                assert kept.get(field) == identity.get(field), (source, field)


@pytest.mark.parametrize("key", ["secretAccessKey", "secret_access_key", "Secret-Access-Key", "SECRET ACCESS KEY",
                                 "secret.access.key", "x-amz-security-token", "GITHUB_TOKEN", "DB_PASSWORD"])
def test_keys_match_whatever_their_case_and_separators(key):
    assert is_secret_key(key)


@pytest.mark.parametrize("key", ["secretId", "SecretId", "secretArn", "SECRET_NAME", "keyId", "accessKeyId", "name",
                                 "nextToken", "clientToken", "minimumPasswordLength", "passwordLastUsed", "tokenType"])
def test_identifiers_and_measures_are_not_secret_keys(key):
    assert not is_secret_key(key)


def test_a_rules_file_whose_hints_miss_a_word_is_refused(tmp_path):
    rules = yaml.safe_load(SECRET_FIELDS_PATH.read_text())
    rules["secret_words"].append("mnemonic")
    broken = tmp_path / "rules.yaml"
    broken.write_text(yaml.safe_dump(rules))
    with pytest.raises(ValueError, match="mnemonic"):
        load_rules(broken)


def test_a_rules_file_without_its_lists_is_refused(tmp_path):
    broken = tmp_path / "rules.yaml"
    broken.write_text("secret_words: password\n")
    with pytest.raises(ValueError, match="needs the lists"):
        load_rules(broken)

"""The local stack's seam with moto: its Lambda patch is held for a scope only."""

from __future__ import annotations

from cloudtrail_tracker.local import lambda_bridge


def test_lambda_bridge_patches_moto_only_inside_its_scope():
    from moto.awslambda_simple.models import LambdaSimpleBackend

    original = LambdaSimpleBackend.invoke
    with lambda_bridge.installed():
        assert LambdaSimpleBackend.invoke is not original
    assert LambdaSimpleBackend.invoke is original

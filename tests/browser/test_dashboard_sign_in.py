"""Sign-in when config.js turns auth on: the page asks Cognito (the embedded AWS's user pool, reached
through the browser's network interception) and sends the ID token as a Bearer token to the API."""

from __future__ import annotations

import json
import os
import urllib.request

import pytest

pytestmark = pytest.mark.browser


@pytest.fixture
def user_pool(local_api):
    import boto3

    cognito = boto3.client("cognito-idp", region_name="us-east-1", endpoint_url=os.environ["AWS_ENDPOINT_URL"])
    pool = cognito.create_user_pool(PoolName="tracker-test")["UserPool"]["Id"]
    client = cognito.create_user_pool_client(UserPoolId=pool, ClientName="dashboard",
                                             ExplicitAuthFlows=["ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"])
    client_id = client["UserPoolClient"]["ClientId"]
    cognito.admin_create_user(UserPoolId=pool, Username="teacher", MessageAction="SUPPRESS")
    cognito.admin_set_user_password(UserPoolId=pool, Username="teacher", Password="Correct-horse-1", Permanent=True)
    yield {"pool": pool, "client": client_id, "endpoint": os.environ["AWS_ENDPOINT_URL"]}
    cognito.delete_user_pool(UserPoolId=pool)


def test_sign_in_sends_the_id_token(dash, browser, local_api, user_pool, screenshot):
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    auth = {"enabled": True, "region": "us-east-1", "userPoolId": user_pool["pool"], "clientId": user_pool["client"]}
    page.route("**/config.js", lambda route: route.fulfill(
        content_type="text/javascript",
        body=urllib.request.urlopen(f"{local_api}/config.js").read().decode()
        + f"\nObject.assign(window.TRACKER_CONFIG, {{auth: {json.dumps(auth)}}});\n"))
    cors = {"Access-Control-Allow-Origin": "*", "Access-Control-Allow-Headers": "*", "Access-Control-Allow-Methods": "POST"}

    def to_moto(route):
        if route.request.method == "OPTIONS":
            return route.fulfill(status=200, headers=cors)
        request = urllib.request.Request(user_pool["endpoint"] + "/", data=route.request.post_data_buffer,
                                         headers={k: v for k, v in route.request.headers.items() if k.lower().startswith(("x-amz", "content-type"))},
                                         method="POST")
        try:
            with urllib.request.urlopen(request) as response:
                status, body = response.status, response.read()
        except urllib.error.HTTPError as error:
            status, body = error.code, error.read()
        route.fulfill(status=status, body=body, headers={**cors, "Content-Type": "application/x-amz-json-1.1"})

    page.route("https://cognito-idp.us-east-1.amazonaws.com/**", to_moto)
    sent = []
    page.on("request", lambda r: sent.append(r.headers.get("authorization")) if "/whoami" in r.url else None)

    page.goto(f"{local_api}/#/overview")
    page.wait_for_selector("#signin-form")
    assert page.is_hidden("#range-bar") and page.is_hidden("#nav")
    page.fill("#username", "teacher")
    page.fill("#password", "wrong-password-1")
    page.click("#signin-form button[type=submit]")
    page.wait_for_selector("#signin-form .error-text:not(:empty)")
    screenshot(page, "sign-in")

    page.fill("#password", "Correct-horse-1")
    page.click("#signin-form button[type=submit]")
    page.wait_for_selector("main#view[data-state=ready]")
    assert sent and sent[-1].startswith("Bearer ey")
    assert page.locator("#session button", has_text="Sign out").count() == 1
    context.close()

"""Sign-in when config.js turns auth on: the page asks Cognito (the embedded AWS's user pool, reached
through the browser's network interception) and sends the ID token as a Bearer token to the API.
An invited user's first sign-in (NEW_PASSWORD_REQUIRED) is finished on the page itself."""

from __future__ import annotations

import json
import os
import urllib.error
import urllib.request

import pytest

pytestmark = pytest.mark.browser

TEMPORARY = "Temporary-pass-1"
CORS = {"Access-Control-Allow-Origin": "*", "Access-Control-Allow-Headers": "*", "Access-Control-Allow-Methods": "POST"}


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
    # invited as the stack's pool does (AllowAdminCreateUserOnly): a temporary password, changed at first sign-in
    cognito.admin_create_user(UserPoolId=pool, Username="student", TemporaryPassword=TEMPORARY, MessageAction="SUPPRESS")
    yield {"pool": pool, "client": client_id, "endpoint": os.environ["AWS_ENDPOINT_URL"], "cognito": cognito}
    cognito.delete_user_pool(UserPoolId=pool)


def open_sign_in(browser, local_api, user_pool):
    """A page with auth on, its Cognito calls answered by moto; returns (context, page, targets, bearers)."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.js_errors = errors
    auth = {"enabled": True, "region": "us-east-1", "userPoolId": user_pool["pool"], "clientId": user_pool["client"]}
    page.route("**/config.js", lambda route: route.fulfill(
        content_type="text/javascript",
        body=urllib.request.urlopen(f"{local_api}/config.js").read().decode()
        + f"\nObject.assign(window.TRACKER_CONFIG, {{auth: {json.dumps(auth)}}});\n"))
    targets: list[str] = []

    def to_moto(route):
        if route.request.method == "OPTIONS":
            return route.fulfill(status=200, headers=CORS)
        targets.append(route.request.headers.get("x-amz-target", ""))
        headers = {k: v for k, v in route.request.headers.items() if k.lower().startswith(("x-amz", "content-type"))}
        request = urllib.request.Request(user_pool["endpoint"] + "/", data=route.request.post_data_buffer,
                                         headers=headers, method="POST")
        try:
            with urllib.request.urlopen(request) as response:
                status, body = response.status, response.read()
        except urllib.error.HTTPError as error:
            status, body = error.code, error.read()
        route.fulfill(status=status, body=body, headers={**CORS, "Content-Type": "application/x-amz-json-1.1"})

    page.route("https://cognito-idp.us-east-1.amazonaws.com/**", to_moto)
    bearers: list[str | None] = []
    page.on("request", lambda r: bearers.append(r.headers.get("authorization")) if "/whoami" in r.url else None)
    page.goto(f"{local_api}/#/overview")
    page.wait_for_selector("#signin-form")
    return context, page, targets, bearers


def submit_sign_in(page, username: str, password: str) -> None:
    page.fill("#username", username)
    page.fill("#password", password)
    page.click("#signin-form button[type=submit]")


def test_sign_in_sends_the_id_token(dash, browser, local_api, user_pool, screenshot):
    context, page, _, sent = open_sign_in(browser, local_api, user_pool)
    assert page.is_hidden("#range-bar") and page.is_hidden("#nav")
    submit_sign_in(page, "teacher", "wrong-password-1")
    page.wait_for_selector("#signin-form .error-text:not(:empty)")
    screenshot(page, "sign-in")

    page.fill("#password", "Correct-horse-1")
    page.click("#signin-form button[type=submit]")
    page.wait_for_selector("main#view[data-state=ready]")
    assert sent and sent[-1].startswith("Bearer ey")
    assert page.locator("#session button", has_text="Sign out").count() == 1
    assert not page.js_errors, page.js_errors
    context.close()


def test_first_sign_in_sets_a_new_password_on_the_page(dash, browser, local_api, user_pool, screenshot):
    context, page, targets, sent = open_sign_in(browser, local_api, user_pool)
    submit_sign_in(page, "student", TEMPORARY)
    page.wait_for_selector("#new-password-form")  # NEW_PASSWORD_REQUIRED: asked here, not sent elsewhere
    assert page.locator("#signin-form").count() == 0 and page.is_hidden("#nav")
    assert not sent  # no tokens yet, so nothing asked of the API
    screenshot(page, "new-password")

    page.fill("#new-password", "Brand-new-pass-1")
    page.fill("#confirm-password", "Brand-new-pass-2")
    page.click("#new-password-form button[type=submit]")
    page.wait_for_selector("#new-password-form .error-text:not(:empty)")
    assert "differ" in page.text_content("#new-password-form .error-text")
    assert targets == ["AWSCognitoIdentityProviderService.InitiateAuth"]  # a typo never reaches Cognito

    page.fill("#confirm-password", "Brand-new-pass-1")
    page.click("#new-password-form button[type=submit]")
    page.wait_for_selector("main#view[data-state=ready]")
    assert targets[-1] == "AWSCognitoIdentityProviderService.RespondToAuthChallenge"
    assert sent and sent[-1].startswith("Bearer ey")
    assert page.locator("#session button", has_text="Sign out").count() == 1
    assert not page.js_errors, page.js_errors
    context.close()

    # Cognito now has the new password: the next sign-in gets tokens straight away, the temporary one is gone.
    cognito = user_pool["cognito"]
    user = cognito.admin_get_user(UserPoolId=user_pool["pool"], Username="student")
    assert user["UserStatus"] == "CONFIRMED"
    answer = cognito.initiate_auth(ClientId=user_pool["client"], AuthFlow="USER_PASSWORD_AUTH",
                                   AuthParameters={"USERNAME": "student", "PASSWORD": "Brand-new-pass-1"})
    assert "ChallengeName" not in answer and answer["AuthenticationResult"]["IdToken"]


def test_start_over_returns_to_the_sign_in_form(dash, browser, local_api, user_pool):
    context, page, _, _ = open_sign_in(browser, local_api, user_pool)
    submit_sign_in(page, "student", TEMPORARY)
    page.wait_for_selector("#new-password-form")
    page.click("#start-over")
    page.wait_for_selector("#signin-form")
    assert page.input_value("#username") == "student" and page.input_value("#password") == ""
    assert not page.js_errors, page.js_errors
    context.close()

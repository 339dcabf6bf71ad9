// Sign-in against the stack's Cognito user pool (when config.auth.enabled): the user name and
// password go straight to cognito-idp (USER_PASSWORD_AUTH, which the stack's app client allows).
// The pool is invite-only, so a first sign-in with the temporary password gets NEW_PASSWORD_REQUIRED:
// the page asks for a new password and answers the challenge itself (RespondToAuthChallenge).
// The ID token is kept for this tab only and sent as a Bearer token.
const config = (window.TRACKER_CONFIG || {}).auth || {};
const STORAGE_KEY = "tracker.tokens";

export const authEnabled = () => Boolean(config.enabled);

function stored() {
  try {
    return JSON.parse(sessionStorage.getItem(STORAGE_KEY) || "null");
  } catch {
    return null;
  }
}

function expiresAt(jwt) {
  try {
    const payload = JSON.parse(atob(jwt.split(".")[1].replace(/-/g, "+").replace(/_/g, "/")));
    return (payload.exp || 0) * 1000;
  } catch {
    return 0;
  }
}

export function idToken() {
  const tokens = stored();
  if (!tokens || !tokens.idToken) return null;
  if (expiresAt(tokens.idToken) < Date.now() + 30_000) return null; // about to expire: sign in again
  return tokens.idToken;
}

export function signedIn() {
  return !authEnabled() || Boolean(idToken());
}

export function signOut() {
  sessionStorage.removeItem(STORAGE_KEY);
}

function keep(idTokenValue) {
  sessionStorage.setItem(STORAGE_KEY, JSON.stringify({ idToken: idTokenValue }));
}

async function cognito(action, body) {
  const response = await fetch(`https://cognito-idp.${config.region}.amazonaws.com/`, {
    method: "POST",
    headers: {
      "Content-Type": "application/x-amz-json-1.1",
      "X-Amz-Target": `AWSCognitoIdentityProviderService.${action}`,
    },
    body: JSON.stringify(body),
  });
  const answer = await response.json().catch(() => ({}));
  if (!response.ok) {
    const error = new Error(answer.message || answer.Message || `sign-in failed (HTTP ${response.status})`);
    error.type = String(answer.__type || "").split("#").pop();
    throw error;
  }
  return answer;
}

// Tokens kept: {done: true}. NEW_PASSWORD_REQUIRED: {newPasswordRequired: true, username, session},
// to pass to setNewPassword. Any other challenge (MFA ...) is not supported by this page.
function settle(answer, username) {
  if (answer.AuthenticationResult) {
    keep(answer.AuthenticationResult.IdToken);
    return { done: true };
  }
  if (answer.ChallengeName === "NEW_PASSWORD_REQUIRED") {
    const params = answer.ChallengeParameters || {};
    // Cognito names the user by its internal name (USER_ID_FOR_SRP) when you sign in with an email alias.
    return { newPasswordRequired: true, session: answer.Session,
             username: params.USER_ID_FOR_SRP || params.USERNAME || username };
  }
  throw new Error(`Cognito asks for ${answer.ChallengeName || "something unexpected"}, which this page does not support: ask an administrator`);
}

export async function signInWithPassword(username, password) {
  const answer = await cognito("InitiateAuth", {
    AuthFlow: "USER_PASSWORD_AUTH",
    ClientId: config.clientId,
    AuthParameters: { USERNAME: username, PASSWORD: password },
  });
  return settle(answer, username);
}

// Answers NEW_PASSWORD_REQUIRED with the user's chosen password; the session comes from signInWithPassword
// (Cognito keeps it for a few minutes: an expired one fails with NotAuthorizedException).
export async function setNewPassword(challenge, newPassword) {
  const answer = await cognito("RespondToAuthChallenge", {
    ChallengeName: "NEW_PASSWORD_REQUIRED",
    ClientId: config.clientId,
    Session: challenge.session,
    ChallengeResponses: { USERNAME: challenge.username, NEW_PASSWORD: newPassword },
  });
  const result = settle(answer, challenge.username);
  if (!result.done) throw new Error("Cognito did not accept the new password: ask an administrator");
  return result;
}

// Sign-in against the stack's Cognito user pool (when config.auth.enabled): the user name and
// password go straight to cognito-idp (USER_PASSWORD_AUTH), or through the hosted UI when a
// domain is configured; the ID token is kept for this tab only and sent as a Bearer token.
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

function keep(idTokenValue, accessToken) {
  sessionStorage.setItem(STORAGE_KEY, JSON.stringify({ idToken: idTokenValue, accessToken }));
}

export async function signInWithPassword(username, password) {
  const response = await fetch(`https://cognito-idp.${config.region}.amazonaws.com/`, {
    method: "POST",
    headers: {
      "Content-Type": "application/x-amz-json-1.1",
      "X-Amz-Target": "AWSCognitoIdentityProviderService.InitiateAuth",
    },
    body: JSON.stringify({
      AuthFlow: "USER_PASSWORD_AUTH",
      ClientId: config.clientId,
      AuthParameters: { USERNAME: username, PASSWORD: password },
    }),
  });
  const body = await response.json().catch(() => ({}));
  if (!response.ok) throw new Error(body.message || `sign-in failed (HTTP ${response.status})`);
  if (body.ChallengeName) {
    throw new Error(`Cognito asks for ${body.ChallengeName}: finish it in the hosted UI or ask an administrator`);
  }
  keep(body.AuthenticationResult.IdToken, body.AuthenticationResult.AccessToken);
}

export function hostedUiUrl() {
  if (!config.hostedUiDomain) return "";
  const redirect = window.location.origin + window.location.pathname;
  const query = new URLSearchParams({
    client_id: config.clientId, response_type: "token", scope: "openid email profile", redirect_uri: redirect,
  });
  return `${config.hostedUiDomain.replace(/\/$/, "")}/oauth2/authorize?${query}`;
}

// The hosted UI comes back with "#id_token=...&access_token=...": keep them, clean the address.
export function acceptHostedUiRedirect() {
  const hash = window.location.hash.replace(/^#/, "");
  if (!hash.includes("id_token=")) return false;
  const params = new URLSearchParams(hash);
  keep(params.get("id_token"), params.get("access_token"));
  window.history.replaceState(null, "", `${window.location.pathname}#/overview`);
  return true;
}

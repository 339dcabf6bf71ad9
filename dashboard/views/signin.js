// The sign-in form, shown instead of the views while auth is on and nobody is signed in. An invited
// user's first sign-in (with the temporary password) asks for a new password on the same page.
import { setNewPassword, signInWithPassword } from "../auth.js";
import { el } from "../dom.js";

export function renderSignIn(root, onSignedIn) {
  const user = el("input", { type: "text", name: "username", id: "username", autocomplete: "username", required: true });
  const password = el("input", { type: "password", name: "password", id: "password", autocomplete: "current-password", required: true });
  const message = el("p", { className: "error-text", role: "alert" });
  const form = el("form", { id: "signin-form", className: "card signin" },
    el("h2", {}, "Sign in"),
    el("label", { htmlFor: "username" }, "User name"), user,
    el("label", { htmlFor: "password" }, "Password"), password,
    el("button", { type: "submit" }, "Sign in"), message);
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    message.textContent = "";
    try {
      const result = await signInWithPassword(user.value.trim(), password.value);
      if (result.newPasswordRequired) {
        password.value = "";
        renderNewPassword(root, result, onSignedIn, () => root.replaceChildren(form));
        return;
      }
      onSignedIn();
    } catch (error) {
      message.textContent = error.message;
    }
  });
  root.replaceChildren(form);
}

// First sign-in of an invited user: Cognito wants a password of their own before it gives tokens.
function renderNewPassword(root, challenge, onSignedIn, startOver) {
  const fresh = el("input", { type: "password", name: "new-password", id: "new-password", autocomplete: "new-password", required: true });
  const again = el("input", { type: "password", name: "confirm-password", id: "confirm-password", autocomplete: "new-password", required: true });
  const message = el("p", { className: "error-text", role: "alert" });
  const back = el("button", { type: "button", id: "start-over" }, "Start over");
  back.addEventListener("click", startOver);
  const form = el("form", { id: "new-password-form", className: "card signin" },
    el("h2", {}, "Choose a new password"),
    el("p", {}, "This is your first sign-in: replace the temporary password you were sent with one of your own."),
    el("label", { htmlFor: "new-password" }, "New password"), fresh,
    el("label", { htmlFor: "confirm-password" }, "New password again"), again,
    el("button", { type: "submit" }, "Set password and sign in"), back, message);
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    message.textContent = "";
    if (fresh.value !== again.value) {
      message.textContent = "The two passwords differ.";
      return;
    }
    try {
      await setNewPassword(challenge, fresh.value);
      onSignedIn();
    } catch (error) {
      // an expired session (a few minutes) cannot be answered any more: sign in again
      message.textContent = error.type === "NotAuthorizedException"
        ? `${error.message} Start over with the temporary password.` : error.message;
    }
  });
  root.replaceChildren(form);
  fresh.focus();
}

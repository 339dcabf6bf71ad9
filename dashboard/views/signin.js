// The sign-in form, shown instead of the views while auth is on and nobody is signed in.
import { hostedUiUrl, signInWithPassword } from "../auth.js";
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
      await signInWithPassword(user.value.trim(), password.value);
      onSignedIn();
    } catch (error) {
      message.textContent = error.message;
    }
  });
  root.replaceChildren(form);
  const hosted = hostedUiUrl();
  if (hosted) root.append(el("p", {}, el("a", { href: hosted }, "Sign in with the hosted page instead")));
}

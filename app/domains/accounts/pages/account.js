// The pages behind the links Keel mails: they post the link's token to the API.
"use strict";

const token = new URLSearchParams(location.search).get("token") || "";
// Out of the address bar and the history: the token is a password for one use.
history.replaceState(null, "", location.pathname);

function show(text, outcome) {
  const element = document.getElementById("outcome");
  element.textContent = text;
  element.className = outcome;
}

async function post(path, body) {
  const response = await fetch(path, {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify(body),
  });
  if (response.ok) return null;
  try {
    return (await response.json()).message;
  } catch {
    return `The server answered ${response.status}.`;
  }
}

function handle(formId, submit) {
  const form = document.getElementById(formId);
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    if (!token) return show("This link has no token: open the link from the e-mail.", "failed");
    form.querySelector("button").disabled = true;
    const failure = await submit(new FormData(form));
    if (failure) {
      form.querySelector("button").disabled = false;
      return show(failure, "failed");
    }
  });
}

if (document.body.dataset.page === "reset-password") {
  handle("reset", async (fields) => {
    if (fields.get("password") !== fields.get("again")) return "The two passwords differ.";
    const failure = await post("/api/v1/auth/password-reset/confirm", {
      token,
      new_password: fields.get("password"),
    });
    if (!failure) show("Your password is set. Log in with it.", "done");
    return failure;
  });
} else {
  handle("verify", async () => {
    const failure = await post("/api/v1/auth/verify-email/confirm", { token });
    if (!failure) show("Your e-mail address is confirmed.", "done");
    return failure;
  });
}

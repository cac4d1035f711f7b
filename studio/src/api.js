// The studio's only ways to the server: /auth/ (sign-in, the session cookie, which the
// browser keeps HttpOnly) and /graphql with a short-lived access token that lives in this
// module's memory only: never in localStorage or sessionStorage.
import { signal } from "@preact/signals";

// session: null while unknown, {user} when signed in, {signedOut: true} otherwise;
// expired is set when the session ended while the studio was open (the re-auth dialog).
export const session = signal(null);
export const expired = signal(false);

let token = null;
let tokenExpires = 0;

// GraphQLError carries the first error's code and field (extensions.code, extensions.field).
export class GraphQLError extends Error {
  constructor(errors, data) {
    super(errors[0]?.message || "The request failed.");
    this.errors = errors;
    this.data = data;
    this.code = errors[0]?.extensions?.code || "";
    this.field = errors[0]?.extensions?.field || "";
  }
}

// authPost sends a JSON request to /auth/ as the studio: same origin, the studio's header.
export async function authPost(path, body) {
  const res = await fetch("/auth/" + path, {
    method: "POST",
    credentials: "same-origin",
    headers: { "Content-Type": "application/json", "X-Pause-Studio": "1" },
    body: JSON.stringify(body || {}),
  });
  let json = {};
  if (res.status !== 204) {
    try {
      json = await res.json();
    } catch {
      json = {};
    }
  }
  return { status: res.status, json };
}

// refresh trades the session cookie for a new access token; false when there is no session.
export async function refresh() {
  const { status, json } = await authPost("token");
  if (status !== 200) {
    token = null;
    return false;
  }
  token = json.accessToken;
  tokenExpires = Date.now() + (json.expiresIn || 300) * 1000;
  session.value = { user: json.user };
  expired.value = false;
  return true;
}

// start finds out whether the browser has a session.
export async function start() {
  try {
    if (!(await refresh())) session.value = { signedOut: true };
  } catch {
    session.value = { signedOut: true };
  }
}

export async function signOut() {
  try {
    await authPost("logout");
  } finally {
    token = null;
    clearDrafts();
    session.value = { signedOut: true };
  }
}

// clearDrafts forgets the unsaved edits kept for crash recovery (content only).
export function clearDrafts() {
  try {
    for (let i = sessionStorage.length - 1; i >= 0; i--) {
      const k = sessionStorage.key(i);
      if (k && k.startsWith("pause-studio:")) sessionStorage.removeItem(k);
    }
  } catch {
    /* storage may be off */
  }
}

async function post(query, variables) {
  const res = await fetch("/graphql", {
    method: "POST",
    credentials: "omit",
    headers: { "Content-Type": "application/json", Accept: "application/graphql-response+json, application/json", Authorization: "Bearer " + token },
    body: JSON.stringify({ query, variables }),
  });
  let json;
  try {
    json = await res.json();
  } catch {
    throw new GraphQLError([{ message: `The server answered ${res.status}.`, extensions: { code: "UNAVAILABLE" } }]);
  }
  return json;
}

function unauthenticated(json) {
  return (json.errors || []).some((e) => e.extensions?.code === "UNAUTHENTICATED");
}

// waiters are the requests held while the session is re-authenticated.
let waiters = [];

// gql runs a query or mutation and returns its data; errors throw a GraphQLError. A token about
// to expire is renewed first; an expired session opens the sign-in dialog and the request goes
// on after it, so that nothing the editor typed is lost.
export async function gql(query, variables = {}) {
  if (!token || Date.now() > tokenExpires - 30000) {
    if (!(await refresh())) await reauthenticate();
  }
  let json = await post(query, variables);
  if (unauthenticated(json)) {
    if (!(await refresh())) await reauthenticate();
    json = await post(query, variables);
  }
  if (json.errors && json.errors.length) throw new GraphQLError(json.errors, json.data);
  return json.data;
}

function reauthenticate() {
  expired.value = true;
  return new Promise((resolve) => waiters.push(resolve));
}

// reauthenticated is called by the sign-in dialog once a new session exists.
export async function reauthenticated() {
  await refresh();
  const w = waiters;
  waiters = [];
  w.forEach((resolve) => resolve());
}

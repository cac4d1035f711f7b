// The test page's script: each button calls /auth/ as the studio will, and writes what came
// back in the status line, which the Go test reads.
const statusLine = document.getElementById('status');
const show = (text) => { statusLine.textContent = text; };

async function post(path, body, studio) {
  const headers = { 'Content-Type': 'application/json' };
  if (studio) headers['X-Pause-Studio'] = '1';
  const res = await fetch(path, {
    method: 'POST', headers, credentials: 'same-origin',
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  let json = null;
  try { json = await res.json(); } catch { json = null; }
  return { status: res.status, json };
}

const what = (r) => (r.json && (r.json.status || (r.json.error && r.json.error.code))) || '';
const field = (name) => document.querySelector(`input[name=${name}]`).value;

function on(id, label, action) {
  document.getElementById(id).addEventListener('click', async () => {
    show('working');
    try { show(await action()); } catch (e) { show(`${label} error ${e.name}: ${e.message}`); }
  });
}

on('login', 'login', async () => {
  const r = await post('/auth/login', { email: field('email'), password: field('password'), code: field('code') });
  return `login ${r.status} ${what(r)}`;
});

on('register', 'register', async () => {
  const begin = await post('/auth/passkey/register/begin', undefined, true);
  if (begin.status !== 200) return `register ${begin.status} ${what(begin)}`;
  const publicKey = PublicKeyCredential.parseCreationOptionsFromJSON(begin.json.publicKey);
  const cred = await navigator.credentials.create({ publicKey });
  const finish = await post('/auth/passkey/register/finish?name=Test%20key', cred.toJSON(), true);
  return `register ${finish.status} ${finish.json.passkeys || what(finish)}`;
});

on('passkey', 'passkey', async () => {
  const begin = await post('/auth/passkey/login/begin');
  if (begin.status !== 200) return `passkey ${begin.status} ${what(begin)}`;
  const publicKey = PublicKeyCredential.parseRequestOptionsFromJSON(begin.json.publicKey);
  const cred = await navigator.credentials.get({ publicKey });
  const finish = await post('/auth/passkey/login/finish', cred.toJSON());
  return `passkey ${finish.status} ${what(finish)}`;
});

on('token', 'token', async () => {
  const r = await post('/auth/token', undefined, true);
  return `token ${r.status} ${r.json && r.json.user ? r.json.user.email : what(r)}`;
});

on('logout', 'logout', async () => {
  const r = await post('/auth/logout', undefined, true);
  return `logout ${r.status}`;
});

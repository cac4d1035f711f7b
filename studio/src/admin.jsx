// Admin pages: users and invitations (links shown once), API keys (the secret shown once) and
// the audit log with its filters. Admins only: the API refuses anyone else.
import { useEffect, useState } from "preact/hooks";
import { gql } from "./api.js";
import { Field, when } from "./ui.jsx";

const ROLES = ["VIEWER", "EDITOR", "ADMIN"];
const roleLabel = (r) => r.charAt(0) + r.slice(1).toLowerCase();

function Once({ label, value, note }) {
  return (
    <div class="banner" role="region" aria-label={label}>
      <Field id={"once-" + label.replace(/\W/g, "")} label={label} help={note}>
        <input id={"once-" + label.replace(/\W/g, "")} readOnly value={value} onFocus={(e) => e.currentTarget.select()} />
      </Field>
    </div>
  );
}

function Users() {
  const [users, setUsers] = useState(null);
  const [email, setEmail] = useState("");
  const [name, setName] = useState("");
  const [role, setRole] = useState("EDITOR");
  const [link, setLink] = useState(null);
  const [error, setError] = useState("");
  const load = () => gql(`{ users { id email name role hasPassword hasTotp disabled linkExpiresAt } }`).then((d) => setUsers(d.users)).catch((e) => setError(e.message));
  useEffect(() => {
    load();
  }, []);
  async function run(query, vars, after) {
    setError("");
    try {
      const d = await gql(query, vars);
      after?.(d);
      await load();
    } catch (e) {
      setError(e.message);
    }
  }
  return (
    <section aria-label="Users" class="admin-section">
      <h2>Users</h2>
      {error && <p class="error" role="alert">{error}</p>}
      {link && <Once label={`Setup link for ${link.email}`} value={link.link} note="Valid 24 hours, once. Give it to them yourself: Pause sends no email. It is shown only now." />}
      {users && (
        <table>
          <thead><tr><th scope="col">Email</th><th scope="col">Name</th><th scope="col">Role</th><th scope="col">State</th><th scope="col"><span class="visually-hidden">Actions</span></th></tr></thead>
          <tbody>
            {users.map((u) => (
              <tr key={u.id}>
                <td>{u.email}</td>
                <td>{u.name}</td>
                <td>{roleLabel(u.role)}</td>
                <td>{u.disabled ? "Disabled" : !u.hasPassword ? `Invited (link until ${when(u.linkExpiresAt)})` : u.hasTotp ? "Active" : "Active, no authenticator yet"}</td>
                <td class="actions">
                  <button type="button" aria-label={`Reset link: ${u.email}`}
                    onClick={() => run(`mutation($id: ID!) { resetUser(id: $id) { link user { email } } }`, { id: u.id }, (d) => setLink({ email: d.resetUser.user.email, link: d.resetUser.link }))}>Reset link</button>
                  {u.disabled ? (
                    <button type="button" aria-label={`Enable: ${u.email}`} onClick={() => run(`mutation($id: ID!) { enableUser(id: $id) { id } }`, { id: u.id })}>Enable</button>
                  ) : (
                    <button type="button" aria-label={`Disable: ${u.email}`} onClick={() => confirm(`Disable ${u.email}? Their sessions end now.`) && run(`mutation($id: ID!) { disableUser(id: $id) { id } }`, { id: u.id })}>Disable</button>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <form class="inline-form" noValidate aria-label="Invite a user"
        onSubmit={(e) => {
          e.preventDefault();
          run(`mutation($email: String!, $name: String!, $role: Role!) { inviteUser(email: $email, name: $name, role: $role) { link user { email } } }`, { email, name, role }, (d) => {
            setLink({ email: d.inviteUser.user.email, link: d.inviteUser.link });
            setEmail("");
            setName("");
          });
        }}>
        <h3>Invite a user</h3>
        <Field id="invite-email" label="Email"><input id="invite-email" type="email" value={email} onInput={(e) => setEmail(e.currentTarget.value)} /></Field>
        <Field id="invite-name" label="Name"><input id="invite-name" value={name} onInput={(e) => setName(e.currentTarget.value)} /></Field>
        <Field id="invite-role" label="Role">
          <select id="invite-role" value={role} onChange={(e) => setRole(e.currentTarget.value)}>{ROLES.map((r) => <option key={r} value={r}>{roleLabel(r)}</option>)}</select>
        </Field>
        <button type="submit" class="primary">Invite</button>
      </form>
    </section>
  );
}

function Keys() {
  const [keys, setKeys] = useState(null);
  const [name, setName] = useState("");
  const [role, setRole] = useState("EDITOR");
  const [secret, setSecret] = useState(null);
  const [error, setError] = useState("");
  const load = () => gql(`{ apiKeys { id name role hint createdAt createdBy revoked revokedAt } }`).then((d) => setKeys(d.apiKeys)).catch((e) => setError(e.message));
  useEffect(() => {
    load();
  }, []);
  async function create(e) {
    e.preventDefault();
    setError("");
    try {
      const d = await gql(`mutation($name: String!, $role: Role!) { createApiKey(name: $name, role: $role) { secret key { name } } }`, { name, role });
      setSecret({ name: d.createApiKey.key.name, secret: d.createApiKey.secret });
      setName("");
      await load();
    } catch (e2) {
      setError(e2.message);
    }
  }
  async function revoke(k) {
    if (!confirm(`Revoke the key ${k.name}? It stops working at once.`)) return;
    try {
      await gql(`mutation($id: ID!) { revokeApiKey(id: $id) { id } }`, { id: k.id });
      setSecret(null);
      await load();
    } catch (e) {
      setError(e.message);
    }
  }
  return (
    <section aria-label="API keys" class="admin-section">
      <h2>API keys</h2>
      {error && <p class="error" role="alert">{error}</p>}
      {secret && <Once label={`Secret of ${secret.name}`} value={secret.secret} note="Store it now: it is never shown again. Send it as Authorization: Bearer <secret>." />}
      {keys && (
        <table>
          <thead><tr><th scope="col">Name</th><th scope="col">Role</th><th scope="col">Starts with</th><th scope="col">Created</th><th scope="col">State</th><th scope="col"><span class="visually-hidden">Actions</span></th></tr></thead>
          <tbody>
            {keys.map((k) => (
              <tr key={k.id}>
                <td>{k.name}</td>
                <td>{roleLabel(k.role)}</td>
                <td><code>{k.hint}</code></td>
                <td>{when(k.createdAt)} by {k.createdBy}</td>
                <td>{k.revoked ? `Revoked ${when(k.revokedAt)}` : "Active"}</td>
                <td>{!k.revoked && <button type="button" aria-label={`Revoke: ${k.name}`} onClick={() => revoke(k)}>Revoke</button>}</td>
              </tr>
            ))}
            {keys.length === 0 && <tr><td colSpan="6">No API keys yet.</td></tr>}
          </tbody>
        </table>
      )}
      <form class="inline-form" noValidate aria-label="Create an API key" onSubmit={create}>
        <h3>Create an API key</h3>
        <Field id="key-name" label="Key name" help="What uses it: a build, a script."><input id="key-name" value={name} onInput={(e) => setName(e.currentTarget.value)} /></Field>
        <Field id="key-role" label="Key role">
          <select id="key-role" value={role} onChange={(e) => setRole(e.currentTarget.value)}>{ROLES.map((r) => <option key={r} value={r}>{roleLabel(r)}</option>)}</select>
        </Field>
        <button type="submit" class="primary">Create key</button>
      </form>
    </section>
  );
}

function Audit() {
  const [filter, setFilter] = useState({ itemType: "", actor: "", itemId: "" });
  const [cursors, setCursors] = useState([null]);
  const [page, setPage] = useState(null);
  const [error, setError] = useState("");
  const after = cursors[cursors.length - 1];
  useEffect(() => {
    const f = {};
    for (const [k, v] of Object.entries(filter)) if (v.trim()) f[k] = v.trim();
    gql(`query($after: String, $filter: AuditFilter) { auditLog(first: 20, after: $after, filter: $filter) { nodes { at actor action itemType itemId version fields } pageInfo { hasNextPage endCursor } } }`, { after, filter: f })
      .then((d) => (setPage(d.auditLog), setError("")))
      .catch((e) => setError(e.message));
  }, [JSON.stringify(filter), after]);
  const set = (k) => (e) => {
    setFilter({ ...filter, [k]: e.currentTarget.value });
    setCursors([null]);
  };
  return (
    <section aria-label="Audit log" class="admin-section">
      <h2>Audit log</h2>
      <div class="filters" role="group" aria-label="Audit filters">
        <label>Item type
          <select value={filter.itemType} onChange={set("itemType")}>
            <option value="">Any</option>
            {["article", "benefit", "tool", "apiKey", "user", "session"].map((x) => <option key={x} value={x}>{x}</option>)}
          </select>
        </label>
        <label>Actor<input value={filter.actor} onChange={set("actor")} /></label>
        <label>Item id<input value={filter.itemId} onChange={set("itemId")} /></label>
      </div>
      {error && <p class="error" role="alert">{error}</p>}
      {page && (
        <table>
          <thead><tr><th scope="col">When</th><th scope="col">Who</th><th scope="col">Action</th><th scope="col">Item</th><th scope="col">Version</th><th scope="col">Fields</th></tr></thead>
          <tbody>
            {page.nodes.map((e, i) => (
              <tr key={i}>
                <td>{when(e.at)}</td>
                <td>{e.actor}</td>
                <td>{e.action}</td>
                <td>{e.itemType} {e.itemId}</td>
                <td>{e.version}</td>
                <td>{e.fields.join(", ")}</td>
              </tr>
            ))}
            {page.nodes.length === 0 && <tr><td colSpan="6">No entry matches.</td></tr>}
          </tbody>
        </table>
      )}
      {page && (cursors.length > 1 || page.pageInfo.hasNextPage) && (
        <nav class="pager" aria-label="Audit log pages">
          <button type="button" disabled={cursors.length <= 1} onClick={() => setCursors(cursors.slice(0, -1))}>Previous page</button>
          <button type="button" disabled={!page.pageInfo.hasNextPage} onClick={() => setCursors([...cursors, page.pageInfo.endCursor])}>Next page</button>
        </nav>
      )}
    </section>
  );
}

export function Admin() {
  return (
    <>
      <h1>Admin</h1>
      <Users />
      <Keys />
      <Audit />
    </>
  );
}

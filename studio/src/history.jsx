// History: an item's revisions (who, when, what action, which fields), what each revision
// changed against the one before it, a comparison with the current form, and restore with a
// confirmation that lists the fields it changes.
import { Fragment } from "preact";
import { useEffect, useState } from "preact/hooks";
import { gql } from "./api.js";
import { when } from "./ui.jsx";
import { selection, valueOf, same, upper, canEdit } from "./types.js";

function show(v) {
  if (Array.isArray(v)) return v.length ? v.join("\n") : "(empty)";
  if (v && typeof v === "object") return v.url ? `${v.url}\n(${v.decorative ? "decorative" : v.alt || "no alternative text"})` : "(none)";
  if (v === true) return "Yes";
  if (v === false) return "No";
  return v === "" || v === undefined || v === null ? "(empty)" : String(v);
}

// state is what a snapshot's form would show: its working draft if it had one.
function state(t, snap) {
  const src = snap?.draft || snap;
  const v = {};
  for (const f of t.fields) v[f.name] = valueOf(src, f);
  return v;
}

function Diff({ t, before, after, label }) {
  const fields = t.fields.filter((f) => !same(before[f.name], after[f.name]));
  return (
    <section class="diff" aria-label={label}>
      <h3>{label}</h3>
      {fields.length === 0 && <p>No field differs.</p>}
      {fields.map((f) => (
        <div class="diff-field" key={f.name} role="group" aria-label={f.label}>
          <h4>{f.label}</h4>
          <div class="sides">
            <div><span class="side-label">Before</span><pre class="del">{show(before[f.name])}</pre></div>
            <div><span class="side-label">After</span><pre class="ins">{show(after[f.name])}</pre></div>
          </div>
        </div>
      ))}
    </section>
  );
}

// History lists the revisions of the item; current is the form's values, version the item's;
// onRestored gets the item a restore returns.
export function History({ t, id, current, version, itemFields, onRestored, onError }) {
  const [revisions, setRevisions] = useState(null);
  const [open, setOpen] = useState(null); // {number, mode: "changed" | "current"}
  const T = upper(t.name);
  useEffect(() => {
    gql(`query History($id: ID!) { list: ${t.name}Revisions(id: $id, first: 50) { nodes { number at by action fields
      item { ... on ${T}Snapshot { ${selection(t)} draft { ${selection(t)} } } } } } }`, { id })
      .then((d) => setRevisions(d.list.nodes))
      .catch((e) => onError(e));
  }, [id, version]);
  if (!revisions) return <p>Loading the history…</p>;

  async function restore(rev) {
    const target = state(t, rev.item);
    const fields = t.fields.filter((f) => !same(target[f.name], current[f.name])).map((f) => f.label);
    if (fields.length === 0) {
      alert("This revision has the same content as the form: nothing to restore.");
      return;
    }
    if (!confirm(`Restore revision ${rev.number}? It changes ${fields.join(", ")}. On a published ${t.label.toLowerCase()} it goes into the working draft: publish to make it public.`)) return;
    try {
      const d = await gql(`mutation Restore($id: ID!, $revision: Int!, $version: Int!) { item: restore${T}Revision(id: $id, revision: $revision, version: $version) { ${itemFields} } }`,
        { id, revision: rev.number, version });
      onRestored(d.item, rev.number);
    } catch (e) {
      onError(e);
    }
  }

  return (
    <section class="history" aria-label="History">
      <h2>History</h2>
      <table>
        <thead>
          <tr><th scope="col">Revision</th><th scope="col">When</th><th scope="col">Who</th><th scope="col">What</th><th scope="col"><span class="visually-hidden">Actions</span></th></tr>
        </thead>
        <tbody>
          {revisions.map((rev, i) => {
            const older = revisions[i + 1];
            const isOpen = open && open.number === rev.number;
            return (
              <Fragment key={rev.number}>
                <tr>
                  <td>{rev.number}</td>
                  <td>{when(rev.at)}</td>
                  <td>{rev.by}</td>
                  <td>{rev.action}{rev.fields.length > 0 && `: ${rev.fields.join(", ")}`}</td>
                  <td class="actions">
                    {older && (
                      <button type="button" aria-label={`What changed in revision ${rev.number}`} aria-expanded={isOpen && open.mode === "changed" ? "true" : "false"}
                        onClick={() => setOpen(isOpen && open.mode === "changed" ? null : { number: rev.number, mode: "changed" })}>What changed</button>
                    )}
                    <button type="button" aria-label={`Compare with current: revision ${rev.number}`} aria-expanded={isOpen && open.mode === "current" ? "true" : "false"}
                      onClick={() => setOpen(isOpen && open.mode === "current" ? null : { number: rev.number, mode: "current" })}>Compare with current</button>
                    {canEdit() && i > 0 && <button type="button" aria-label={`Restore revision ${rev.number}`} onClick={() => restore(rev)}>Restore</button>}
                  </td>
                </tr>
                {isOpen && (
                  <tr>
                    <td colSpan="5">
                      {open.mode === "changed" ? (
                        <Diff t={t} before={state(t, older.item)} after={state(t, rev.item)} label={`Revision ${rev.number} changed`} />
                      ) : (
                        <Diff t={t} before={state(t, rev.item)} after={current} label={`From revision ${rev.number} to the form`} />
                      )}
                    </td>
                  </tr>
                )}
              </Fragment>
            );
          })}
        </tbody>
      </table>
    </section>
  );
}

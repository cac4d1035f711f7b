// The editor of one item: the form drawn from contentTypes, save with the version the editor
// saw (the button or Ctrl/Cmd+S), and the workflow: publish, unpublish, schedule, cancel a
// schedule, the working draft's banner (publish, discard), archive and, for admins, delete.
// Unsaved edits are kept in sessionStorage (content only) so that they survive a reload, and
// leaving a dirty form asks first.
import { useEffect, useRef, useState } from "preact/hooks";
import { gql } from "./api.js";
import { FieldControl, controlId } from "./fields.jsx";
import { Link, navigate, guard, when, zone } from "./ui.jsx";
import { itemFields, valueOf, toInput, same, canEdit, isAdmin, upper, titleField } from "./types.js";
import { statusText } from "./list.jsx";
import { MergeDialog } from "./merge.jsx";
import { History } from "./history.jsx";

function fill(t, item) {
  const src = item?.draft || item;
  const v = {};
  for (const f of t.fields) v[f.name] = valueOf(src, f);
  return v;
}

// fieldOf maps the field an error names (author.name, tags[2], coverImage.alt) to the form's.
function fieldOf(t, name) {
  if (!name) return null;
  return (
    t.fields.find((f) => f.name === name) ||
    t.fields.find((f) => name.startsWith(f.name + ".") || name.startsWith(f.name + "[")) ||
    null
  );
}


export function Editor({ type: t, id }) {
  const T = upper(t.name);
  const [item, setItem] = useState(null);
  const [missing, setMissing] = useState(false);
  const [values, setValues] = useState(id ? null : fill(t, null));
  const [base, setBase] = useState(id ? null : fill(t, null));
  const [errors, setErrors] = useState({});
  const [message, setMessage] = useState("");
  const [alert, setAlert] = useState("");
  const [busy, setBusy] = useState(false);
  const [restorable, setRestorable] = useState(null);
  const [scheduleAt, setScheduleAt] = useState("");
  const [conflict, setConflict] = useState(null);
  const [stale, setStale] = useState(null);
  const [history, setHistory] = useState(false);
  const storageKey = `pause-studio:${t.name}:${id || "new"}`;
  const editable = canEdit() && item?.status !== "ARCHIVED";
  const dirty = values && base && !same(values, base);

  function loaded(it) {
    setItem(it);
    const v = fill(t, it);
    setBase(v);
    setValues(v);
    return v;
  }

  useEffect(() => {
    let stored = null;
    try {
      stored = JSON.parse(sessionStorage.getItem(storageKey) || "null");
    } catch {
      stored = null;
    }
    if (!id) {
      if (stored && !same(stored.values, base)) setRestorable(stored);
      return;
    }
    gql(`query Item($id: ID!) { item: ${t.name}(id: $id) { ${itemFields(t)} } }`, { id })
      .then((d) => {
        if (!d.item) return setMissing(true);
        const v = loaded(d.item);
        if (stored && !same(stored.values, v)) setRestorable(stored);
      })
      .catch((e) => setAlert(e.message));
  }, [id]);

  // Unsaved edits survive a reload: content only, in this tab's sessionStorage.
  useEffect(() => {
    if (!values || !base || restorable) return;
    try {
      if (dirty) sessionStorage.setItem(storageKey, JSON.stringify({ version: item?.version || 0, values }));
      else sessionStorage.removeItem(storageKey);
    } catch {
      /* storage may be full or off */
    }
  }, [values, base]);

  // Leaving a dirty form asks first: another page of the studio, or the tab.
  useEffect(() => {
    if (!dirty) return;
    const ask = (e) => {
      e.preventDefault();
      e.returnValue = "";
    };
    addEventListener("beforeunload", ask);
    guard.current = () => confirm("Leave without saving? Your changes will be lost.");
    return () => {
      removeEventListener("beforeunload", ask);
      guard.current = null;
    };
  }, [dirty]);
  useEffect(() => () => (guard.current = null), []);

  // A validation error focuses its field (the first in the form's order).
  useEffect(() => {
    const first = t.fields.find((f) => errors[f.name]);
    if (first) document.getElementById(controlId(first.name))?.focus();
  }, [errors]);

  const saveRef = useRef();
  useEffect(() => {
    const keys = (e) => {
      if ((e.ctrlKey || e.metaKey) && e.key.toLowerCase() === "s") {
        e.preventDefault();
        saveRef.current?.();
      }
    };
    addEventListener("keydown", keys);
    return () => removeEventListener("keydown", keys);
  }, []);

  // Every 20 seconds, look whether someone else saved the item: a banner says so.
  useEffect(() => {
    if (!id) return;
    const timer = setInterval(() => {
      if (document.hidden) return;
      gql(`query Version($id: ID!) { item: ${t.name}(id: $id) { version audit { updatedBy } draft { audit { updatedBy } } } }`, { id })
        .then((d) => d.item && setStale({ version: d.item.version, by: (d.item.draft?.audit || d.item.audit)?.updatedBy }))
        .catch(() => {});
    }, 20000);
    return () => clearInterval(timer);
  }, [id]);

  function failed(e) {
    const f = e.code === "BAD_USER_INPUT" && fieldOf(t, e.field);
    if (f) {
      setErrors({ [f.name]: e.message });
      setAlert(`${f.label}: ${e.message}`);
    } else if (e.code === "CONFLICT" && id) {
      // Someone saved since this form was loaded: merge, field by field.
      gql(`query Current($id: ID!) { item: ${t.name}(id: $id) { ${itemFields(t)} } }`, { id })
        .then((d) => (d.item ? setConflict(d.item) : setAlert(`This ${t.label.toLowerCase()} was deleted by someone else.`)))
        .catch((e2) => setAlert(e2.message));
    } else {
      setAlert(e.message);
    }
  }

  // save writes the form: an update with the version this editor saw, or a create. It returns
  // the saved item, or null when it failed.
  async function save(merge) {
    if (!editable || (busy && !merge)) return null;
    const cur = merge ? merge.item : item;
    const vals = merge ? merge.values : values;
    const from = merge ? fill(t, merge.item) : base;
    setErrors({});
    setAlert("");
    setBusy(true);
    try {
      if (!id) {
        const d = await gql(`mutation Create($input: Create${T}Input!) { item: create${T}(input: $input) { id version } }`, {
          input: toInput(t, vals, null),
        });
        sessionStorage.removeItem(storageKey);
        guard.current = null;
        setBase(values);
        navigate(`/studio/${t.plural}/${d.item.id}`, true);
        return d.item;
      }
      const input = toInput(t, vals, from);
      if (Object.keys(input).length === 0) {
        if (merge) loaded(merge.item);
        setMessage("Nothing to save.");
        return cur;
      }
      const d = await gql(
        `mutation Save($id: ID!, $version: Int!, $input: Update${T}Input!) { item: update${T}(id: $id, version: $version, input: $input) { ${itemFields(t)} } }`,
        { id, version: cur.version, input },
      );
      loaded(d.item);
      setMessage(`Saved version ${d.item.version}.`);
      return d.item;
    } catch (e) {
      failed(e);
      return null;
    } finally {
      setBusy(false);
    }
  }
  saveRef.current = save;

  // act runs a workflow mutation on the saved item (saving the form first when it is dirty).
  async function act(mutation, done, extra = {}, args = "") {
    let current = item;
    if (dirty) {
      current = await save();
      if (!current) return;
    }
    setAlert("");
    setBusy(true);
    try {
      const d = await gql(
        `mutation Act($id: ID!, $version: Int!${args ? ", " + args : ""}) { item: ${mutation}(id: $id, version: $version${Object.keys(extra).map((k) => `, ${k}: $${k}`).join("")}) { ${itemFields(t)} } }`,
        { id, version: current.version, ...extra },
      );
      loaded(d.item);
      setMessage(done);
    } catch (e) {
      failed(e);
    } finally {
      setBusy(false);
    }
  }

  async function remove() {
    if (!confirm(`Delete this ${t.label.toLowerCase()} and its history for good?`)) return;
    try {
      await gql(`mutation Delete($id: ID!, $version: Int!) { delete${T}(id: $id, version: $version) }`, { id, version: item.version });
      sessionStorage.removeItem(storageKey);
      navigate(`/studio/${t.plural}`, true);
    } catch (e) {
      failed(e);
    }
  }

  function schedule() {
    if (!scheduleAt) {
      setAlert("Choose when.");
      return;
    }
    const at = new Date(scheduleAt);
    const verb = item.status === "PUBLISHED" ? "unpublish" : "publish";
    act(`${verb}${T}`, `Scheduled to ${verb} ${when(at)} (${zone}).`, { at: at.toISOString() }, "$at: Time");
  }

  if (missing) return <><h1>Not found</h1><p>There is no {t.label.toLowerCase()} with this id. <Link href={"/studio/" + t.plural}>Back to the list</Link></p></>;
  if (!values) return <p>{alert || "Loading…"}</p>;

  const title = values[titleField(t)] || `New ${t.label.toLowerCase()}`;
  const draftChanges = item?.draft ? t.fields.filter((f) => !same(valueOf(item, f), valueOf(item.draft, f))) : [];
  return (
    <form class="editor" noValidate onSubmit={(e) => (e.preventDefault(), save())} aria-labelledby="editor-title">
      <div class="editor-head">
        <p class="crumb"><Link href={"/studio/" + t.plural}>{t.label}s</Link></p>
        <h1 id="editor-title">{title}</h1>
        {item && (
          <p class="meta">
            {statusText(item)} · version {item.version} · updated {when(item.draft?.updatedAt || item.updatedAt)}
            {item.audit && <> by {(item.draft?.audit || item.audit).updatedBy}</>}
          </p>
        )}
        <div class="toolbar" role="group" aria-label="Actions">
          {editable && <button type="submit" class="primary" disabled={busy} aria-keyshortcuts="Control+S Meta+S">Save</button>}
          {editable && item && (item.status !== "PUBLISHED" || item.draft || dirty) && (
            <button type="button" disabled={busy} onClick={() => act(`publish${T}`, "Published.")}>Publish</button>
          )}
          {editable && item?.status === "PUBLISHED" && (
            <button type="button" disabled={busy} onClick={() => act(`unpublish${T}`, "Unpublished: back to draft.")}>Unpublish</button>
          )}
          {canEdit() && item && item.status !== "ARCHIVED" && (
            <button type="button" disabled={busy} onClick={() => confirm(`Archive this ${t.label.toLowerCase()}? It stays stored and is no longer public.`) && act(`archive${T}`, "Archived.")}>Archive</button>
          )}
          {item && (
            <button type="button" aria-expanded={history ? "true" : "false"} onClick={() => setHistory(!history)}>History</button>
          )}
          {isAdmin() && item && <button type="button" class="danger" disabled={busy} onClick={remove}>Delete</button>}
        </div>
      </div>
      <p role="status" class="message">{message}</p>
      {alert && <p role="alert" class="error">{alert}</p>}
      {restorable && (
        <div class="banner" role="region" aria-label="Unsaved edits">
          <p>This tab kept edits you had not saved.</p>
          <button type="button" onClick={() => (setValues(restorable.values), setRestorable(null))}>Restore unsaved edits</button>
          <button type="button" onClick={() => (sessionStorage.removeItem(storageKey), setRestorable(null))}>Discard unsaved edits</button>
        </div>
      )}
      {item?.draft && (
        <div class="banner" role="region" aria-label="Working draft">
          <p>
            The public sees the version published {when(item.publishedAt)}; this working draft changes{" "}
            {draftChanges.length === 1 ? "1 field" : `${draftChanges.length} fields`}: {draftChanges.map((f) => f.label).join(", ")}.
          </p>
          {editable && (
            <button type="button" disabled={busy}
              onClick={() => confirm("Discard the working draft? The form goes back to what the public sees.") && act(`discard${T}Draft`, "Draft discarded.")}>
              Discard draft
            </button>
          )}
        </div>
      )}
      {item?.schedule && (
        <div class="banner" role="region" aria-label="Schedule">
          <p>
            {item.schedule.status === "PUBLISHED" ? "Publishes" : "Unpublishes"} {when(item.schedule.at)} ({zone}; {new Date(item.schedule.at).toISOString().slice(0, 16).replace("T", " ")} UTC), scheduled by {item.schedule.by}.
          </p>
          {editable && <button type="button" disabled={busy} onClick={() => act(`cancel${T}Schedule`, "Schedule cancelled.")}>Cancel schedule</button>}
        </div>
      )}
      {stale && stale.version > item.version && !conflict && (
        <div class="banner" role="region" aria-label="Changed elsewhere">
          <p>{stale.by || "Someone"} saved version {stale.version} of this {t.label.toLowerCase()} while you were editing.</p>
          {!dirty && <button type="button" onClick={() => gql(`query Item($id: ID!) { item: ${t.name}(id: $id) { ${itemFields(t)} } }`, { id }).then((d) => d.item && loaded(d.item))}>Load their version</button>}
        </div>
      )}
      {history && item && (
        <History t={t} id={id} current={values} version={item.version} itemFields={itemFields(t)} onError={failed}
          onRestored={(it, n) => {
            loaded(it);
            setMessage(`Restored revision ${n}${it.draft ? " into the working draft: publish it to make it public" : ""}.`);
          }} />
      )}
      {conflict && (
        <MergeDialog t={t} base={base} mine={values} theirs={fill(t, conflict)} version={conflict.version}
          by={(conflict.draft?.audit || conflict.audit)?.updatedBy}
          onCancel={() => setConflict(null)}
          onSave={(merged) => {
            const current = conflict;
            setConflict(null);
            setItem(current);
            setBase(fill(t, current));
            setValues(merged);
            save({ item: current, values: merged });
          }} />
      )}
      <div class="fields">
        {t.fields.map((f) => (
          <FieldControl key={f.name} f={f} value={values[f.name]} error={errors[f.name]} readOnly={!editable}
            onChange={(v) => setValues((old) => ({ ...old, [f.name]: v }))} />
        ))}
      </div>
      {editable && item && item.status !== "ARCHIVED" && !item.schedule && (
        <fieldset class="schedule">
          <legend>Schedule</legend>
          <label for="schedule-at">{item.status === "PUBLISHED" ? "Unpublish at" : "Publish at"} ({zone})</label>
          <input id="schedule-at" type="datetime-local" value={scheduleAt} onInput={(e) => setScheduleAt(e.currentTarget.value)} />
          <button type="button" disabled={busy} onClick={schedule}>Schedule</button>
        </fieldset>
      )}
    </form>
  );
}

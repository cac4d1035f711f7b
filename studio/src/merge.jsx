// The merge dialog: on CONFLICT, fields only the other editor changed are taken, fields only
// this editor changed are kept, and fields both changed differently are shown side by side to
// choose; then the merge is saved against the current version. Nothing typed is dropped
// without a choice.
import { useEffect, useRef, useState } from "preact/hooks";
import { same } from "./types.js";

// plan sorts the fields of a conflict: base is what this editor loaded, mine the form, theirs
// the item as saved now.
export function plan(t, base, mine, theirs) {
  const taken = [];
  const kept = [];
  const both = [];
  for (const f of t.fields) {
    const m = !same(mine[f.name], base[f.name]);
    const th = !same(theirs[f.name], base[f.name]);
    if (th && !m) taken.push(f);
    else if (m && !th) kept.push(f);
    else if (m && th && !same(mine[f.name], theirs[f.name])) both.push(f);
  }
  return { taken, kept, both };
}

function show(v) {
  if (Array.isArray(v)) return v.length ? v.join(", ") : "(empty)";
  if (v && typeof v === "object") return v.url ? `${v.url} (${v.decorative ? "decorative" : v.alt || "no alternative text"})` : "(none)";
  if (v === true) return "Yes";
  if (v === false) return "No";
  return v === "" || v === undefined || v === null ? "(empty)" : String(v);
}

// MergeDialog asks for a choice on every field both changed, and calls onSave with the merged
// values, or onCancel.
export function MergeDialog({ t, base, mine, theirs, by, version, onSave, onCancel }) {
  const { taken, kept, both } = plan(t, base, mine, theirs);
  const [choice, setChoice] = useState({});
  const heading = useRef();
  useEffect(() => {
    const opener = document.activeElement;
    heading.current?.focus();
    const esc = (e) => e.key === "Escape" && onCancel();
    addEventListener("keydown", esc);
    return () => {
      removeEventListener("keydown", esc);
      opener?.focus?.();
    };
  }, []);
  const ready = both.every((f) => choice[f.name]);
  function save() {
    const merged = { ...theirs };
    for (const f of kept) merged[f.name] = mine[f.name];
    for (const f of both) merged[f.name] = choice[f.name] === "mine" ? mine[f.name] : theirs[f.name];
    onSave(merged);
  }
  return (
    <div class="backdrop">
      <div role="dialog" aria-modal="true" aria-labelledby="merge-title" class="dialog card merge">
        <h2 id="merge-title" tabIndex="-1" ref={heading}>Someone else saved this {t.label.toLowerCase()}</h2>
        <p>
          {by || "Another editor"} saved version {version} while you were editing. Nothing is lost: choose what to keep, then save.
        </p>
        {taken.length > 0 && <p>Taken from their version: {taken.map((f) => f.label).join(", ")}.</p>}
        {kept.length > 0 && <p>Kept from yours: {kept.map((f) => f.label).join(", ")}.</p>}
        {both.map((f) => (
          <fieldset key={f.name} class="choice">
            <legend>{f.label}</legend>
            <div class="sides">
              {[["mine", "Keep mine", mine], ["theirs", "Take theirs", theirs]].map(([side, label, values]) => {
                const id = `merge-${f.name.replace(/\./g, "-")}-${side}`;
                return (
                  <div class="side" key={side}>
                    <input type="radio" id={id} name={"merge-" + f.name} aria-describedby={id + "-value"} checked={choice[f.name] === side}
                      onChange={() => setChoice({ ...choice, [f.name]: side })} />
                    <label for={id}>{label}</label>
                    <span class="value" id={id + "-value"}>{show(values[f.name])}</span>
                  </div>
                );
              })}
            </div>
          </fieldset>
        ))}
        <div class="toolbar">
          <button type="button" class="primary" disabled={!ready} onClick={save}>Save merged</button>
          <button type="button" onClick={onCancel}>Cancel</button>
        </div>
      </div>
    </div>
  );
}

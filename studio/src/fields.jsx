// One form control per field kind of contentTypes: TEXT (with its limit counter), SLUG,
// MARKDOWN (source beside the server's own rendering), URL, ENUM, STRING_LIST, BOOLEAN, INT,
// TIME, RELATION and IMAGE. Each control's accessible name is the field's label.
import { useEffect, useRef, useState } from "preact/hooks";
import { gql } from "./api.js";
import { Field } from "./ui.jsx";
import { typeByName, titleField } from "./types.js";
import { Uploader, Picker, lookUp, shown, pixels, sameAsName, NAME_WARNING } from "./media.jsx";

export function controlId(name) {
  return "f-" + name.replace(/\./g, "-");
}

function TextInput({ f, value, onChange, error, readOnly, type = "text" }) {
  const id = controlId(f.name);
  const counter = f.maxLength && type === "text" ? `${[...(value || "")].length} of ${f.maxLength} characters` : "";
  return (
    <Field id={id} label={f.label} help={f.help} error={error} counter={counter}>
      <input id={id} type={type} value={value} readOnly={readOnly} required={f.required} onInput={(e) => onChange(e.currentTarget.value)} />
    </Field>
  );
}

// wrap puts before and after around the selection of a textarea (Ctrl/Cmd+B, I, K).
function wrap(el, before, after, onChange) {
  const { selectionStart: s, selectionEnd: e, value } = el;
  const next = value.slice(0, s) + before + value.slice(s, e) + after + value.slice(e);
  onChange(next);
  requestAnimationFrame(() => {
    el.selectionStart = s + before.length;
    el.selectionEnd = e + before.length;
  });
}

function Markdown({ f, value, onChange, error, readOnly }) {
  const id = controlId(f.name);
  const [html, setHtml] = useState(null);
  const [previewError, setPreviewError] = useState("");
  const area = useRef();
  useEffect(() => {
    if (readOnly) return;
    const timer = setTimeout(() => {
      gql(`query Preview($markdown: String!) { renderMarkdown(markdown: $markdown) }`, { markdown: value })
        .then((d) => (setHtml(d.renderMarkdown), setPreviewError("")))
        .catch((e) => setPreviewError(e.message));
    }, 300);
    return () => clearTimeout(timer);
  }, [value, readOnly]);
  function keys(e) {
    if (!(e.ctrlKey || e.metaKey)) return;
    const k = e.key.toLowerCase();
    if (k === "b") wrap(e.currentTarget, "**", "**", onChange);
    else if (k === "i") wrap(e.currentTarget, "_", "_", onChange);
    else if (k === "k") wrap(e.currentTarget, "[", "](https://)", onChange);
    else return;
    e.preventDefault();
  }
  const bytes = new TextEncoder().encode(value || "").length;
  return (
    <div class="markdown">
      <Field id={id} label={f.label} help={(f.help ? f.help + " " : "") + "Markdown: Ctrl+B bold, Ctrl+I italic, Ctrl+K link."} error={error}
        counter={f.maxBytes ? `${bytes} of ${f.maxBytes} bytes` : ""}>
        <textarea id={id} rows="16" value={value} readOnly={readOnly} onInput={(e) => onChange(e.currentTarget.value)} onKeyDown={keys} />
      </Field>
      {!readOnly && (
        <div class="preview">
          <h3 aria-hidden="true">Preview</h3>
          {previewError ? (
            <p class="error">{previewError}</p>
          ) : (
            <section class="rendered" aria-label={f.label + " preview"} aria-busy={html === null ? "true" : "false"} dangerouslySetInnerHTML={{ __html: html ?? "" }} />
          )}
        </div>
      )}
    </div>
  );
}

function StringList({ f, value, onChange, error, readOnly }) {
  const id = controlId(f.name);
  const [text, setText] = useState((value || []).join("\n"));
  useEffect(() => {
    if (text.split("\n").map((s) => s.trim()).filter(Boolean).join("\n") !== (value || []).join("\n")) setText((value || []).join("\n"));
  }, [JSON.stringify(value)]);
  return (
    <Field id={id} label={f.label} help={(f.help ? f.help + " " : "") + "One per line."} error={error}>
      <textarea id={id} rows="4" value={text} readOnly={readOnly}
        onInput={(e) => {
          setText(e.currentTarget.value);
          onChange(e.currentTarget.value.split("\n").map((s) => s.trim()).filter(Boolean));
        }} />
    </Field>
  );
}

function Relation({ f, value, onChange, error, readOnly }) {
  const id = controlId(f.name);
  const target = typeByName(f.target);
  const [options, setOptions] = useState([]);
  useEffect(() => {
    if (!target) return;
    const title = titleField(target);
    gql(`{ list: ${target.plural}(first: 100) { nodes { id ${title} } } }`).then((d) =>
      setOptions(d.list.nodes.map((n) => ({ id: n.id, label: n[title] }))),
    );
  }, [f.target]);
  return (
    <Field id={id} label={f.label} help={(f.help ? f.help + " " : "") + "Ctrl+click to choose several."} error={error}>
      <select id={id} multiple size="6" disabled={readOnly}
        onChange={(e) => onChange([...e.currentTarget.selectedOptions].map((o) => o.value))}>
        {options.map((o) => <option key={o.id} value={o.id} selected={value.includes(o.id)}>{o.label}</option>)}
      </select>
    </Field>
  );
}

// Image is an image field: a media library image (chosen in the picker, or uploaded here) or
// an external URL, its alternative text, or "decorative".
function Image({ f, value, onChange, error, readOnly }) {
  const id = controlId(f.name);
  const v = value || { url: "", alt: "", decorative: false };
  const [picking, setPicking] = useState(false);
  const [uploading, setUploading] = useState(false);
  const [library, setLibrary] = useState(null);
  const [note, setNote] = useState("");
  const chooser = useRef();
  function closePicker() {
    setPicking(false);
    requestAnimationFrame(() => chooser.current?.focus()); // back where the dialog was opened
  }
  useEffect(() => {
    let live = true;
    setLibrary(null);
    lookUp(v.url).then((m) => live && setLibrary(m));
    return () => (live = false);
  }, [v.url]);
  function use(m, how) {
    setNote(`${how} ${m.filename} (${pixels(m)}).`);
    if (picking) closePicker();
    setUploading(false);
    setLibrary(m);
    onChange({ url: m.url, alt: m.decorative ? "" : m.alt, decorative: m.decorative });
  }
  const fileName = decodeURIComponent((v.url || "").split(/[?#]/)[0].split("/").pop() || "");
  const altError = error && /alt/i.test(error) ? error : "";
  return (
    <fieldset class="image">
      <legend>{f.label}</legend>
      {v.url && shown(v.url) && <img class="thumb" src={v.url} alt="" />}
      {v.url && library?.filename && <p class="muted">From the media library: {library.filename}, {pixels(library)}.</p>}
      {!readOnly && (
        <div class="toolbar">
          <button type="button" ref={chooser} aria-haspopup="dialog" onClick={() => setPicking(true)}>Choose from library</button>
          <button type="button" aria-expanded={uploading ? "true" : "false"} onClick={() => setUploading(!uploading)}>Upload new</button>
          {v.url && <button type="button" onClick={() => onChange({ url: "", alt: "", decorative: false })}>Remove image</button>}
        </div>
      )}
      <p role="status" class="message">{note}</p>
      {uploading && <Uploader id={id + "-upload"} onDone={(m) => use(m, "Uploaded")} onCancel={() => setUploading(false)} />}
      {picking && <Picker onPick={(m) => use(m, "Chose")} onCancel={closePicker} />}
      <Field id={id} label={f.label + " URL"} help={(f.help ? f.help + " " : "") + "A library image, or the address of an image elsewhere."}
        error={error && !altError ? error : ""}>
        <input id={id} type="url" value={v.url} readOnly={readOnly} onInput={(e) => onChange({ ...v, url: e.currentTarget.value })} />
      </Field>
      <Field id={id + "-alt"} label={f.label + " alternative text"} error={altError}
        warning={!v.decorative && sameAsName(v.alt, fileName) ? NAME_WARNING : ""}
        counter={f.maxLength ? `${[...v.alt].length} of ${f.maxLength} characters` : ""}>
        <input id={id + "-alt"} value={v.alt} readOnly={readOnly} disabled={v.decorative} onInput={(e) => onChange({ ...v, alt: e.currentTarget.value })} />
      </Field>
      <div class="field check">
        <input id={id + "-decorative"} type="checkbox" checked={!!v.decorative} disabled={readOnly}
          onChange={(e) => onChange({ ...v, decorative: e.currentTarget.checked, alt: e.currentTarget.checked ? "" : v.alt })} />
        <label for={id + "-decorative"}>{f.label} is decorative</label>
      </div>
    </fieldset>
  );
}

// FieldControl draws the control of one field.
export function FieldControl(props) {
  const { f, value, onChange, error, readOnly } = props;
  const id = controlId(f.name);
  switch (f.kind) {
    case "MARKDOWN":
      return <Markdown {...props} />;
    case "URL":
      return <TextInput {...props} type="url" />;
    case "STRING_LIST":
      return <StringList {...props} />;
    case "RELATION":
      return <Relation {...props} />;
    case "IMAGE":
      return <Image {...props} />;
    case "ENUM":
      return (
        <Field id={id} label={f.label} help={f.help} error={error}>
          <select id={id} value={value} disabled={readOnly} onChange={(e) => onChange(e.currentTarget.value)}>
            {(f.values || []).map((v) => <option key={v} value={v}>{v.charAt(0) + v.slice(1).toLowerCase().replace(/_/g, " ")}</option>)}
          </select>
        </Field>
      );
    case "BOOLEAN":
      return (
        <div class={"field check" + (error ? " invalid" : "")}>
          <input id={id} type="checkbox" checked={!!value} disabled={readOnly} onChange={(e) => onChange(e.currentTarget.checked)}
            aria-invalid={error ? "true" : undefined} aria-describedby={[f.help && id + "-help", error && id + "-error"].filter(Boolean).join(" ") || undefined} />
          <label for={id}>{f.label}</label>
          {f.help && <p class="help" id={id + "-help"}>{f.help}</p>}
          {error && <p class="error" id={id + "-error"}>{error}</p>}
        </div>
      );
    case "INT":
      return (
        <Field id={id} label={f.label} help={f.help} error={error}>
          <input id={id} type="number" min={f.min ?? undefined} max={f.max ?? undefined} value={value} readOnly={readOnly}
            onInput={(e) => onChange(e.currentTarget.value === "" ? 0 : Number(e.currentTarget.value))} />
        </Field>
      );
    case "TIME":
      return <TextInput {...props} type="datetime-local" />;
    default: // TEXT, SLUG
      return <TextInput {...props} />;
  }
}

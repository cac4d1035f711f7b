// One form control per field kind of contentTypes: TEXT (with its limit counter), SLUG,
// MARKDOWN (source beside the server's own rendering), URL, ENUM, STRING_LIST, BOOLEAN, INT,
// TIME, RELATION and IMAGE. Each control's accessible name is the field's label.
import { useEffect, useRef, useState } from "preact/hooks";
import { gql } from "./api.js";
import { Field } from "./ui.jsx";
import { typeByName, titleField } from "./types.js";

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

function Image({ f, value, onChange, error, readOnly }) {
  const id = controlId(f.name);
  const v = value || { url: "", alt: "" };
  return (
    <fieldset class="image">
      <legend>{f.label}</legend>
      <Field id={id} label={f.label + " URL"} help={f.help} error={error && !/alt/i.test(error) ? error : ""}>
        <input id={id} type="url" value={v.url} readOnly={readOnly} onInput={(e) => onChange({ ...v, url: e.currentTarget.value })} />
      </Field>
      <Field id={id + "-alt"} label={f.label + " alternative text"} error={error && /alt/i.test(error) ? error : ""}
        counter={f.maxLength ? `${[...v.alt].length} of ${f.maxLength} characters` : ""}>
        <input id={id + "-alt"} value={v.alt} readOnly={readOnly} onInput={(e) => onChange({ ...v, alt: e.currentTarget.value })} />
      </Field>
      {/^https:\/\//.test(v.url) && <img class="thumb" src={v.url} alt={v.alt} />}
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

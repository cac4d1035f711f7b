// The media library: the page that lists its images (search by file name, "Load more"
// paging, alt text edited by editors, deletion by admins), the uploader (createUpload, the
// bytes posted straight to the ticket's URL with a progress bar, then completeUpload; alt text
// asked at upload) and the picker dialog of image fields.
import { useEffect, useRef, useState } from "preact/hooks";
import { gql } from "./api.js";
import { Field, when } from "./ui.jsx";
import { canEdit, isAdmin } from "./types.js";

export const MEDIA_FIELDS = "id url filename contentType bytes width height alt decorative createdAt createdBy version";

// libraryIds maps the URL of each library image the studio has seen to its id, so that an
// image field showing it is saved with its mediaId (the API then keeps its width and height).
const libraryIds = new Map();

export function remember(m) {
  libraryIds.set(m.url, m.id);
  return m;
}

// mediaIdOf returns the id of the library image at the URL, if the studio knows it.
export function mediaIdOf(url) {
  return libraryIds.get(url) || null;
}

// The id in a library file's URL: …/media/<id>/<name>.<ext>.
const keyPattern = /\/media\/([0-9A-HJKMNP-TV-Z]{26})\/[a-z0-9-]{1,80}\.(?:jpg|png|webp|avif|gif)$/;

// lookUp learns whether the URL is a library image's (asking the API for the id its path
// names), and returns the image or null.
export async function lookUp(url) {
  const m = keyPattern.exec(url || "");
  if (!m) return null;
  if (libraryIds.get(url) === m[1]) return { id: m[1], url };
  try {
    const d = await gql(`query Media($id: ID!) { media(id: $id) { ${MEDIA_FIELDS} } }`, { id: m[1] });
    return d.media && d.media.url === url ? remember(d.media) : null;
  } catch {
    return null;
  }
}

// shown reports whether the studio's CSP lets it show the image (https, or this origin).
export function shown(url) {
  return /^https:\/\//.test(url || "") || (url || "").startsWith(location.origin + "/");
}

export function pixels(m) {
  return `${m.width} × ${m.height} px`;
}

function bytesText(n) {
  if (n < 1024) return `${n} bytes`;
  if (n < 1 << 20) return `${Math.round(n / 1024)} KB`;
  return `${(n / (1 << 20)).toFixed(1)} MB`;
}

// sameAsName reports whether the alt text is only the file's name, with or without its
// extension: a screen reader would read "IMG_2041 dot jpg", which says nothing.
export function sameAsName(alt, filename) {
  const a = (alt || "").trim().toLowerCase();
  const f = (filename || "").trim().toLowerCase();
  if (!a || !f) return false;
  return a === f || a === f.replace(/\.[^.]*$/, "");
}

export const NAME_WARNING = "This alternative text is the file's name: say what the image shows instead.";

// uploadError reads an upload endpoint's refusal: JSON {error: {code, message}} (Pause's own
// /media/upload) or S3's XML <Error><Code/><Message/></Error>.
function uploadError(xhr) {
  const text = xhr.responseText || "";
  try {
    const j = JSON.parse(text);
    if (j?.error?.message) return j.error.message;
  } catch {
    /* not JSON */
  }
  try {
    const doc = new DOMParser().parseFromString(text, "application/xml");
    const msg = doc.querySelector("Error > Message")?.textContent;
    if (msg) return msg;
  } catch {
    /* not XML */
  }
  return xhr.status ? `The upload was refused (${xhr.status}).` : "The upload failed: the network connection was lost.";
}

// post sends the ticket's fields, then the file, as multipart/form-data to the ticket's URL,
// reporting progress (0 to 1).
function post(ticket, file, onProgress) {
  return new Promise((resolve, reject) => {
    const form = new FormData();
    for (const f of ticket.fields) form.append(f.name, f.value);
    form.append("file", file);
    const xhr = new XMLHttpRequest();
    xhr.open("POST", ticket.url);
    xhr.upload.onprogress = (e) => e.lengthComputable && onProgress(e.loaded / e.total);
    xhr.onload = () => (xhr.status >= 200 && xhr.status < 300 ? (onProgress(1), resolve()) : reject(new Error(uploadError(xhr))));
    xhr.onerror = () => reject(new Error(uploadError(xhr)));
    xhr.send(form);
  });
}

// upload runs the whole flow for one file and returns the new media item.
export async function upload(file, alt, decorative, onProgress) {
  const d = await gql(
    `mutation Ticket($filename: String!, $contentType: String!, $size: Int!) {
      ticket: createUpload(filename: $filename, contentType: $contentType, size: $size) { url key expiresAt fields { name value } } }`,
    { filename: file.name, contentType: file.type || "application/octet-stream", size: file.size },
  );
  await post(d.ticket, file, onProgress);
  const done = await gql(`mutation Complete($key: String!, $alt: String, $decorative: Boolean) {
      media: completeUpload(key: $key, alt: $alt, decorative: $decorative) { ${MEDIA_FIELDS} } }`,
    { key: d.ticket.key, alt: decorative ? "" : alt.trim(), decorative });
  return remember(done.media);
}

// Uploader asks for a file and its alternative text (or "decorative"), and uploads it with a
// progress bar. onDone gets the new media item.
export function Uploader({ id, onDone, onCancel }) {
  const [file, setFile] = useState(null);
  const [alt, setAlt] = useState("");
  const [decorative, setDecorative] = useState(false);
  const [progress, setProgress] = useState(null);
  const [error, setError] = useState("");
  const [done, setDone] = useState("");
  const input = useRef();
  const warn = file && !decorative && sameAsName(alt, file.name);

  async function start() {
    setError("");
    setDone("");
    if (!file) return setError("Choose an image file first.");
    if (!decorative && !alt.trim()) return setError("Alternative text is required: say what the image shows, or mark it decorative.");
    setProgress(0);
    try {
      const m = await upload(file, alt, decorative, setProgress);
      setDone(`Uploaded ${m.filename} (${pixels(m)}).`);
      setFile(null);
      setAlt("");
      setDecorative(false);
      if (input.current) input.current.value = "";
      onDone?.(m);
    } catch (e) {
      setError(e.message);
    } finally {
      setProgress(null);
    }
  }

  return (
    <div class="uploader" role="group" aria-labelledby={id + "-title"}>
      <h3 id={id + "-title"} class="uploader-title">Upload an image</h3>
      <Field id={id + "-file"} label="Upload image" help="JPEG, PNG, WebP, AVIF or GIF (not SVG), up to 10 MiB.">
        <input id={id + "-file"} ref={input} type="file" accept="image/jpeg,image/png,image/webp,image/avif,image/gif"
          onChange={(e) => (setFile(e.currentTarget.files[0] || null), setError(""), setDone(""))} />
      </Field>
      <Field id={id + "-alt"} label="Alternative text" help="What the image shows, for people who cannot see it."
        warning={warn ? NAME_WARNING : ""}>
        <input id={id + "-alt"} value={alt} disabled={decorative} onInput={(e) => setAlt(e.currentTarget.value)} />
      </Field>
      <div class="field check">
        <input id={id + "-decorative"} type="checkbox" checked={decorative} onChange={(e) => (setDecorative(e.currentTarget.checked), e.currentTarget.checked && setAlt(""))} />
        <label for={id + "-decorative"}>Decorative</label>
        <p class="help">Decorative images add nothing to the text: screen readers skip them.</p>
      </div>
      <div class="toolbar">
        <button type="button" class="primary" disabled={progress !== null} onClick={start}>Upload</button>
        {onCancel && <button type="button" onClick={onCancel}>Cancel upload</button>}
      </div>
      {progress !== null && <progress aria-label="Upload progress" max="1" value={progress} />}
      {error && <p class="error" role="alert">{error}</p>}
      <p role="status" class="message">{done}</p>
    </div>
  );
}

// useLibrary lists the library: a search by file name and "Load more".
function useLibrary(first) {
  const [search, setSearch] = useState("");
  const [items, setItems] = useState(null);
  const [pageInfo, setPageInfo] = useState(null);
  const [error, setError] = useState("");
  const query = `query Library($first: Int, $after: String, $search: String) {
    mediaItems(first: $first, after: $after, search: $search) { nodes { ${MEDIA_FIELDS} } pageInfo { hasNextPage endCursor } } }`;
  function load(after, s = search) {
    return gql(query, { first, after, search: s || null })
      .then((d) => {
        d.mediaItems.nodes.forEach(remember);
        setItems((old) => (after ? [...(old || []), ...d.mediaItems.nodes] : d.mediaItems.nodes));
        setPageInfo(d.mediaItems.pageInfo);
        setError("");
      })
      .catch((e) => setError(e.message));
  }
  useEffect(() => {
    const timer = setTimeout(() => load(null, search), search ? 250 : 0);
    return () => clearTimeout(timer);
  }, [search]);
  return { search, setSearch, items, setItems, pageInfo, error, setError, reload: () => load(null), more: () => load(pageInfo.endCursor) };
}

function Search({ id, lib }) {
  return (
    <div class="filters">
      <label for={id}>
        Search by file name
        <input id={id} type="search" value={lib.search} onInput={(e) => lib.setSearch(e.currentTarget.value)} />
      </label>
    </div>
  );
}

function More({ lib }) {
  return lib.pageInfo?.hasNextPage ? (
    <div class="pager"><button type="button" onClick={lib.more}>Load more</button></div>
  ) : null;
}

// AltEditor edits one image's alternative text (or marks it decorative).
function AltEditor({ m, onSaved, onCancel }) {
  const [alt, setAlt] = useState(m.alt);
  const [decorative, setDecorative] = useState(m.decorative);
  const [error, setError] = useState("");
  const id = "alt-" + m.id;
  async function save(e) {
    e.preventDefault();
    try {
      const d = await gql(`mutation Alt($id: ID!, $version: Int!, $alt: String, $decorative: Boolean) {
        media: updateMedia(id: $id, version: $version, alt: $alt, decorative: $decorative) { ${MEDIA_FIELDS} } }`,
        { id: m.id, version: m.version, alt: decorative ? "" : alt.trim(), decorative });
      onSaved(d.media);
    } catch (e2) {
      setError(e2.message);
    }
  }
  const warn = !decorative && sameAsName(alt, m.filename);
  return (
    <form class="alt-editor" noValidate onSubmit={save} aria-label={"Alternative text of " + m.filename}>
      <Field id={id} label={"Alternative text of " + m.filename} error={error}
        warning={warn ? NAME_WARNING : ""}>
        <input id={id} value={alt} disabled={decorative} onInput={(e) => setAlt(e.currentTarget.value)} />
      </Field>
      <div class="field check">
        <input id={id + "-decorative"} type="checkbox" checked={decorative} onChange={(e) => (setDecorative(e.currentTarget.checked), e.currentTarget.checked && setAlt(""))} />
        <label for={id + "-decorative"}>Decorative</label>
      </div>
      <div class="toolbar">
        <button type="submit" class="primary">Save alt text</button>
        <button type="button" onClick={onCancel}>Cancel</button>
      </div>
    </form>
  );
}

// MediaPage is the library's page: upload (editors), search, the images, edit and delete.
export function MediaPage() {
  const lib = useLibrary(24);
  const [editing, setEditing] = useState(null);
  const [message, setMessage] = useState("");

  async function remove(m) {
    if (!confirm(`Delete ${m.filename} from the media library for good?`)) return;
    lib.setError("");
    try {
      await gql(`mutation Delete($id: ID!, $version: Int!) { deleteMedia(id: $id, version: $version) }`, { id: m.id, version: m.version });
      lib.setItems((old) => old.filter((x) => x.id !== m.id));
      setMessage(`Deleted ${m.filename}.`);
    } catch (e) {
      lib.setError(e.message);
    }
  }

  return (
    <section aria-labelledby="media-title" class="media-page">
      <h1 id="media-title">Media</h1>
      {canEdit() && <Uploader id="media-upload" onDone={(m) => (setMessage(`Added ${m.filename}.`), lib.reload())} />}
      <h2 id="library-title">Library</h2>
      <Search id="media-search" lib={lib} />
      <p role="status" class="message">{message}</p>
      {lib.error && <p class="error" role="alert">{lib.error}</p>}
      {lib.items && (
        <table aria-labelledby="library-title">
          <thead>
            <tr>
              <th scope="col">Image</th><th scope="col">File name</th><th scope="col">Alternative text</th>
              <th scope="col">Size</th><th scope="col">Added</th><th scope="col"><span class="visually-hidden">Actions</span></th>
            </tr>
          </thead>
          <tbody>
            {lib.items.map((m) => (
              <tr key={m.id}>
                <td>{shown(m.url) && <img class="thumb small" src={m.url} alt="" width={m.width} height={m.height} loading="lazy" />}</td>
                <td><a href={m.url} target="_blank" rel="noopener">{m.filename}</a></td>
                <td>
                  {editing === m.id ? (
                    <AltEditor m={m} onCancel={() => setEditing(null)}
                      onSaved={(n) => (lib.setItems((old) => old.map((x) => (x.id === n.id ? n : x))), setEditing(null), setMessage(`Saved the alt text of ${n.filename}.`))} />
                  ) : m.decorative ? <span class="muted">Decorative</span> : m.alt}
                </td>
                <td>{pixels(m)}<br /><span class="muted">{bytesText(m.bytes)}</span></td>
                <td>{when(m.createdAt)}<br /><span class="muted">by {m.createdBy}</span></td>
                <td>
                  <div class="actions">
                  {canEdit() && editing !== m.id && (
                    <button type="button" onClick={() => setEditing(m.id)}>Edit alt text<span class="visually-hidden"> of {m.filename}</span></button>
                  )}
                  {isAdmin() && (
                    <button type="button" class="danger" onClick={() => remove(m)}>Delete<span class="visually-hidden"> {m.filename}</span></button>
                  )}
                  </div>
                </td>
              </tr>
            ))}
            {lib.items.length === 0 && <tr><td colSpan="6">{lib.search ? "No image has this name." : "No images yet."}</td></tr>}
          </tbody>
        </table>
      )}
      <More lib={lib} />
    </section>
  );
}

// Picker is the dialog that chooses a library image (search, "Load more"); onPick gets it.
export function Picker({ onPick, onCancel }) {
  const lib = useLibrary(12);
  const dialog = useRef();
  useEffect(() => {
    document.getElementById("picker-search")?.focus();
    const keys = (e) => e.key === "Escape" && onCancel();
    addEventListener("keydown", keys);
    return () => removeEventListener("keydown", keys);
  }, []);
  return (
    <div class="backdrop">
      <div ref={dialog} role="dialog" aria-modal="true" aria-labelledby="picker-title" class="dialog card picker">
        <h2 id="picker-title">Choose an image</h2>
        <Search id="picker-search" lib={lib} />
        {lib.error && <p class="error" role="alert">{lib.error}</p>}
        {lib.items && (
          <ul class="picks" aria-label="Library images">
            {lib.items.map((m) => (
              <li key={m.id}>
                {shown(m.url) && <img class="thumb small" src={m.url} alt="" width={m.width} height={m.height} loading="lazy" />}
                <span class="pick-text">
                  <strong>{m.filename}</strong>
                  <span class="muted">{pixels(m)} · {m.decorative ? "decorative" : m.alt}</span>
                </span>
                <button type="button" onClick={() => onPick(m)}>Choose<span class="visually-hidden"> {m.filename}</span></button>
              </li>
            ))}
            {lib.items.length === 0 && <li>{lib.search ? "No image has this name." : "No images yet: upload one."}</li>}
          </ul>
        )}
        <More lib={lib} />
        <div class="toolbar"><button type="button" onClick={onCancel}>Cancel</button></div>
      </div>
    </div>
  );
}

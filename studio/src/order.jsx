// The page order of benefits: drag a handle with the mouse (or a finger), or with the keyboard
// alone (focus the handle, Space to lift, arrows to move, Space to drop, Escape to cancel),
// or press Move up / Move down. Every move is announced in a live region, and saved with the
// versions the editor saw, so that two reorders cannot silently overwrite each other.
import { useEffect, useRef, useState } from "preact/hooks";
import { gql } from "./api.js";
import { canEdit } from "./types.js";

const LIST = `{ list: benefits(first: 100, orderBy: POSITION) { nodes { id title version status } } }`;

function Grip() {
  return (
    <svg aria-hidden="true" width="14" height="20" viewBox="0 0 14 20" fill="currentColor">
      {[4, 10, 16].flatMap((y) => [<circle key={"a" + y} cx="4" cy={y} r="1.8" />, <circle key={"b" + y} cx="10" cy={y} r="1.8" />])}
    </svg>
  );
}

export function BenefitOrder() {
  const [items, setItems] = useState(null);
  const [lifted, setLifted] = useState(null); // {id, from: the order before the lift}
  const [dragging, setDragging] = useState(null);
  const [said, setSaid] = useState("");
  const [error, setError] = useState("");
  const editable = canEdit();
  const live = useRef(items);
  live.current = items;

  function load() {
    return gql(LIST).then((d) => setItems(d.list.nodes));
  }
  useEffect(() => {
    load().catch((e) => setError(e.message));
  }, []);

  const title = (id) => items.find((b) => b.id === id)?.title;
  const focusHandle = (id) => requestAnimationFrame(() => document.getElementById("handle-" + id)?.focus());

  function moved(list, id, to) {
    const from = list.findIndex((b) => b.id === id);
    const next = list.slice();
    const [it] = next.splice(from, 1);
    next.splice(to, 0, it);
    return next;
  }

  // save writes the order, with the versions this page saw.
  async function save(list, id) {
    setError("");
    try {
      const d = await gql(`mutation Reorder($ids: [ID!]!, $versions: [Int!]) { list: reorderBenefits(ids: $ids, versions: $versions) { id title version status } }`, {
        ids: list.map((b) => b.id),
        versions: list.map((b) => b.version),
      });
      setItems(d.list);
      const pos = d.list.findIndex((b) => b.id === id) + 1;
      setSaid(`${title(id)} moved to position ${pos} of ${d.list.length}. The order is saved.`);
    } catch (e) {
      if (e.code === "CONFLICT") {
        await load();
        setSaid("Someone else changed the order: it is reloaded. Move the benefit again.");
      } else {
        setError(e.message);
        await load();
      }
    }
  }

  function keys(e, id) {
    const i = items.findIndex((b) => b.id === id);
    if (e.key === " " || e.key === "Enter") {
      e.preventDefault();
      if (!lifted) {
        setLifted({ id, from: items });
        setSaid(`${title(id)} lifted, position ${i + 1} of ${items.length}. Arrow keys move it, Space drops it, Escape cancels.`);
      } else {
        setLifted(null);
        if (lifted.from.map((b) => b.id).join() !== items.map((b) => b.id).join()) save(items, id);
        else setSaid(`${title(id)} dropped where it was.`);
      }
    } else if (lifted && (e.key === "ArrowUp" || e.key === "ArrowDown")) {
      e.preventDefault();
      const to = e.key === "ArrowUp" ? Math.max(0, i - 1) : Math.min(items.length - 1, i + 1);
      setItems(moved(items, id, to));
      setSaid(`${title(id)}, position ${to + 1} of ${items.length}.`);
      focusHandle(id);
    } else if (lifted && e.key === "Escape") {
      e.preventDefault();
      setItems(lifted.from);
      setLifted(null);
      setSaid(`Move cancelled: ${title(id)} is back at position ${lifted.from.findIndex((b) => b.id === id) + 1}.`);
      focusHandle(id);
    }
  }

  // A drag with the mouse or a finger: the item follows the pointer over the other items.
  function down(e, id) {
    if (e.button !== 0) return;
    e.preventDefault();
    e.currentTarget.setPointerCapture?.(e.pointerId);
    setDragging({ id, from: items });
  }
  function move(e) {
    if (!dragging) return;
    const over = document.elementsFromPoint(e.clientX, e.clientY).find((el) => el.dataset?.benefit);
    if (!over || over.dataset.benefit === dragging.id) return;
    const to = live.current.findIndex((b) => b.id === over.dataset.benefit);
    setItems(moved(live.current, dragging.id, to));
  }
  function up() {
    if (!dragging) return;
    const { id, from } = dragging;
    setDragging(null);
    if (from.map((b) => b.id).join() !== live.current.map((b) => b.id).join()) save(live.current, id);
  }

  if (!items) return error ? <p class="error" role="alert">{error}</p> : null;
  return (
    <section class="order" aria-label="Page order">
      <h2>Page order</h2>
      <p class="help">The order of the benefits on the site. {editable && "Drag a handle, or focus it and press Space, the arrow keys and Space again."}</p>
      {error && <p class="error" role="alert">{error}</p>}
      <ol onPointerMove={move} onPointerUp={up}>
        {items.map((b, i) => (
          <li key={b.id} data-benefit={b.id} class={(lifted?.id === b.id || dragging?.id === b.id ? "lifted " : "") + "order-item"}>
            {editable && (
              <button type="button" id={"handle-" + b.id} class="handle" aria-label={"Reorder " + b.title}
                aria-pressed={lifted?.id === b.id ? "true" : "false"} aria-describedby="order-help"
                onKeyDown={(e) => keys(e, b.id)} onPointerDown={(e) => down(e, b.id)}>
                <Grip />
              </button>
            )}
            <span class="title">{b.title}</span>
            {b.status !== "PUBLISHED" && <span class="muted"> ({b.status.toLowerCase()})</span>}
            {editable && (
              <span class="moves">
                <button type="button" aria-label={"Move up: " + b.title} disabled={i === 0} onClick={() => save(moved(items, b.id, i - 1), b.id)}>Move up</button>
                <button type="button" aria-label={"Move down: " + b.title} disabled={i === items.length - 1} onClick={() => save(moved(items, b.id, i + 1), b.id)}>Move down</button>
              </span>
            )}
          </li>
        ))}
      </ol>
      <p id="order-help" class="visually-hidden">Space lifts the benefit; the arrow keys move it; Space drops it; Escape cancels.</p>
      <p class="visually-hidden" role="status" aria-live="assertive" aria-label="Order announcements">{said}</p>
    </section>
  );
}

// The list of one content type's items: status (draft, published, scheduled, archived, with a
// working draft), updated when and by whom, the filters and orders the type supports, and
// cursor paging.
import { useEffect, useState } from "preact/hooks";
import { gql } from "./api.js";
import { Link, when } from "./ui.jsx";
import { listQuery, titleField, canEdit } from "./types.js";
import { BenefitOrder } from "./order.jsx";

const PAGE = 20;

// statusText says where an item stands, in words.
export function statusText(item) {
  const parts = [{ DRAFT: "Draft", PUBLISHED: "Published", ARCHIVED: "Archived" }[item.status] || item.status];
  if (item.schedule) {
    parts.push((item.schedule.status === "PUBLISHED" ? "publishes " : "unpublishes ") + when(item.schedule.at));
  }
  if (item.draft) parts.push("working draft");
  return parts.join(" · ");
}

function orderLabel(o) {
  return o.charAt(0) + o.slice(1).toLowerCase().replace(/_/g, " ");
}

export function List({ type, compact = false }) {
  const [filter, setFilter] = useState({});
  const [order, setOrder] = useState(type.orders[0]);
  const [cursors, setCursors] = useState([null]); // the after-cursor of each page seen
  const [page, setPage] = useState(null);
  const [error, setError] = useState("");
  const after = cursors[cursors.length - 1];

  useEffect(() => {
    setFilter({});
    setOrder(type.orders[0]);
    setCursors([null]);
  }, [type.name]);

  useEffect(() => {
    let live = true;
    const f = {};
    for (const [k, v] of Object.entries(filter)) {
      if (v === "") continue;
      f[k] = v === "true" ? true : v === "false" ? false : v;
    }
    gql(listQuery(type), { first: compact ? 5 : PAGE, after, filter: f, orderBy: order })
      .then((d) => live && (setPage(d.list), setError("")))
      .catch((e) => live && setError(e.message));
    return () => (live = false);
  }, [type.name, JSON.stringify(filter), order, after]);

  const title = titleField(type);
  const heading = type.label + "s";
  function set(name, value) {
    setFilter({ ...filter, [name]: value });
    setCursors([null]);
  }
  return (
    <section aria-label={heading} class="list">
      <div class="list-head">
        <h2 id={"list-" + type.name}>
          {compact ? <Link href={"/studio/" + type.plural}>{heading}</Link> : heading}
        </h2>
        {page && <p class="count">{page.totalCount === 1 ? "1 item" : `${page.totalCount} items`}</p>}
        {canEdit() && !compact && (
          <Link class="button primary" href={`/studio/${type.plural}/new`}>New {type.label.toLowerCase()}</Link>
        )}
      </div>
      {!compact && (
        <div class="filters" role="group" aria-label="Filters and order">
          {type.filters.map((f) => (
            <label key={f.name}>
              {f.name.charAt(0).toUpperCase() + f.name.slice(1)}
              {f.kind === "TEXT" ? (
                <input value={filter[f.name] || ""} onChange={(e) => set(f.name, e.currentTarget.value)} />
              ) : (
                <select value={filter[f.name] ?? ""} onChange={(e) => set(f.name, e.currentTarget.value)}>
                  <option value="">Any</option>
                  {(f.kind === "BOOLEAN" ? ["true", "false"] : f.values || []).map((v) => (
                    <option key={v} value={v}>{v === "true" ? "Yes" : v === "false" ? "No" : orderLabel(v)}</option>
                  ))}
                </select>
              )}
            </label>
          ))}
          {type.orders.length > 1 && (
            <label>
              Order
              <select value={order} onChange={(e) => (setOrder(e.currentTarget.value), setCursors([null]))}>
                {type.orders.map((o) => <option key={o} value={o}>{orderLabel(o)}</option>)}
              </select>
            </label>
          )}
        </div>
      )}
      {error && <p class="error" role="alert">{error}</p>}
      {page && (
        <table>
          <thead>
            <tr><th scope="col">{type.fields.find((f) => f.name === title)?.label || "Title"}</th><th scope="col">Status</th><th scope="col">Updated</th></tr>
          </thead>
          <tbody>
            {page.nodes.map((item) => (
              <tr key={item.id}>
                <td><Link href={`/studio/${type.plural}/${item.id}`}>{item[title] || "(untitled)"}</Link></td>
                <td>{statusText(item)}</td>
                <td>
                  {when(item.draft?.updatedAt || item.updatedAt)}
                  {(item.draft?.audit || item.audit) && <> by {(item.draft?.audit || item.audit).updatedBy}</>}
                </td>
              </tr>
            ))}
            {page.nodes.length === 0 && <tr><td colSpan="3">Nothing here yet.</td></tr>}
          </tbody>
        </table>
      )}
      {!compact && type.name === "benefit" && <BenefitOrder />}
      {page && !compact && (cursors.length > 1 || page.pageInfo.hasNextPage) && (
        <nav class="pager" aria-label={heading + " pages"}>
          <button type="button" disabled={cursors.length <= 1} onClick={() => setCursors(cursors.slice(0, -1))}>Previous page</button>
          <span>Page {cursors.length}</span>
          <button type="button" disabled={!page.pageInfo.hasNextPage} onClick={() => setCursors([...cursors, page.pageInfo.endCursor])}>Next page</button>
        </nav>
      )}
    </section>
  );
}

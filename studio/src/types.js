// The content types, as the API describes them (contentTypes), and the GraphQL that lists,
// reads and writes their items, built from those descriptions.
import { signal } from "@preact/signals";
import { gql } from "./api.js";
import { mediaIdOf } from "./media.jsx";

export const types = signal(null);
export const viewer = signal(null);

export async function loadTypes() {
  const d = await gql(`{ viewer { subject role }
    contentTypes { name label plural typeName orders
      filters { name kind values }
      fields { name label kind required maxLength maxBytes maxItems min max values target help } } }`);
  viewer.value = d.viewer;
  types.value = d.contentTypes;
}

export function typeByPlural(plural) {
  return (types.value || []).find((t) => t.plural === plural);
}
export function typeByName(name) {
  return (types.value || []).find((t) => t.name === name);
}

// canEdit: editors and admins write; viewers read.
export function canEdit() {
  const r = viewer.value?.role;
  return r === "EDITOR" || r === "ADMIN";
}
export function isAdmin() {
  return viewer.value?.role === "ADMIN";
}

// titleField is the field that names an item: the first required one-line text (title, name).
export function titleField(t) {
  return (t.fields.find((f) => f.kind === "TEXT" && f.required) || t.fields[0]).name;
}

// relationRead is the item field a RELATION input field is read from: relatedToolIds ->
// relatedTools.
export function relationRead(name) {
  return name.replace(/Ids$/, "s");
}

// selection is what to read of an item to fill its form.
export function selection(t) {
  const groups = {};
  const out = [];
  for (const f of t.fields) {
    if (f.name.includes(".")) {
      const [g, sub] = f.name.split(".");
      if (!groups[g]) {
        groups[g] = [];
        out.push(g);
      }
      groups[g].push(sub);
      continue;
    }
    switch (f.kind) {
      case "RELATION": {
        const target = typeByName(f.target);
        out.push(`${relationRead(f.name)} { id ${target ? titleField(target) : ""} }`);
        break;
      }
      case "IMAGE":
        out.push(`${f.name} { url alt }`);
        break;
      case "MARKDOWN":
        out.push(f.name, f.name + "Html");
        break;
      default:
        out.push(f.name);
    }
  }
  return out.map((s) => (groups[s] ? `${s} { ${groups[s].join(" ")} }` : s)).join(" ");
}

// itemQuery reads one item with its draft, schedule and who changed it.
export function itemFields(t) {
  const sel = selection(t);
  return `id version status publishedAt createdAt updatedAt ${sel}
    audit { createdBy updatedBy publishedBy } schedule { at status by }
    draft { version updatedAt ${sel} audit { updatedBy } }`;
}

// valueOf reads a field's value from an item, in the form's terms.
export function valueOf(item, f) {
  if (!item) return emptyValue(f);
  if (f.name.includes(".")) {
    const [g, sub] = f.name.split(".");
    return item[g]?.[sub] ?? emptyValue(f);
  }
  switch (f.kind) {
    case "RELATION":
      return (item[relationRead(f.name)] || []).map((x) => x.id);
    case "IMAGE": {
      // The API says decorative by an empty alt on an image that is there.
      const url = item[f.name]?.url || "";
      const alt = item[f.name]?.alt || "";
      return { url, alt, decorative: url !== "" && alt === "" };
    }
    default:
      return item[f.name] ?? emptyValue(f);
  }
}

export function emptyValue(f) {
  switch (f.kind) {
    case "STRING_LIST":
    case "RELATION":
      return [];
    case "BOOLEAN":
      return false;
    case "INT":
      return 0;
    case "IMAGE":
      return { url: "", alt: "", decorative: false };
    case "ENUM":
      return f.values?.[0] || "";
    default:
      return "";
  }
}

export function same(a, b) {
  return JSON.stringify(a) === JSON.stringify(b);
}

// toInput turns form values into a create or update input: for an update, only the fields
// that differ from base (a nested object whole when any of its fields changed).
export function toInput(t, values, base) {
  const input = {};
  for (const f of t.fields) {
    const v = values[f.name];
    if (base && same(v, base[f.name])) continue;
    if (f.name.includes(".")) {
      const [g] = f.name.split(".");
      const group = {};
      for (const g2 of t.fields.filter((x) => x.name.startsWith(g + "."))) group[g2.name.split(".")[1]] = values[g2.name];
      input[g] = group;
      continue;
    }
    if (f.kind === "IMAGE") {
      // A library image goes by its id too: the API then fills its width and height.
      const img = { url: v.url, alt: v.decorative ? "" : v.alt, decorative: !!v.decorative };
      const mediaId = v.url && mediaIdOf(v.url);
      if (mediaId) img.mediaId = mediaId; // (never null: the API would read it as the id "null")
      input[f.name] = img;
      continue;
    }
    input[f.name] = f.kind === "INT" ? Number(v) : v;
  }
  return input;
}

// listQuery lists a type's items with what the list shows.
export function listQuery(t) {
  return `query List($first: Int, $after: String, $filter: ${t.typeName}Filter, $orderBy: ${t.typeName}Order) {
    list: ${t.plural}(first: $first, after: $after, filter: $filter, orderBy: $orderBy) {
      totalCount pageInfo { hasNextPage endCursor }
      nodes { id ${titleField(t)} status updatedAt version audit { updatedBy } schedule { at status } draft { updatedAt audit { updatedBy } } }
    } }`;
}

export function upper(s) {
  return s.charAt(0).toUpperCase() + s.slice(1);
}

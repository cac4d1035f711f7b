// The peer that `make bench` compares Pause with: Apollo Server 5 serving Pause's own
// schema.graphqls, with resolvers over the same content held in memory.
//
//   node server.mjs SCHEMA DATA PORT
//
// SCHEMA is schema.graphqls; DATA is the JSON that bench/load exported from Pause (every item
// with every field, bodyHtml, summaryHtml and descriptionHtml already rendered by Pause, so
// that neither server renders Markdown per request). It listens on 127.0.0.1:PORT.
//
// The resolvers implement the public (anonymous) semantics of the queries the benchmark sends,
// as Pause does: published items only, Pause's orders (its sort keys, ties broken by id),
// pagination by first and after with Pause's cursors, totalCount, filters, relatedTools.
// Lists are sorted once at start-up, as Pause's store keeps its indexes sorted. Mutations and
// drafts are not served: the benchmark is of public reads.
import { readFileSync } from 'node:fs';
import { ApolloServer } from '@apollo/server';
import { startStandaloneServer } from '@apollo/server/standalone';
import { GraphQLError, GraphQLScalarType } from 'graphql';

const [schemaFile, dataFile, port] = process.argv.slice(2);
if (!schemaFile || !dataFile || !port) {
  console.error('usage: node server.mjs SCHEMA DATA PORT');
  process.exit(2);
}
const typeDefs = readFileSync(schemaFile, 'utf8');
const data = JSON.parse(readFileSync(dataFile, 'utf8'));

const MAX_FIRST = 100;
const published = (items) => items.filter((i) => i.status === 'PUBLISHED');

// timeKey is Pause's time sort key: RFC 3339 in UTC with nine digits of fraction.
function timeKey(t) {
  const m = /^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)(?:\.(\d+))?Z$/.exec(t);
  if (!m) throw new Error(`not a UTC time: ${t}`);
  return `${m[1]}.${(m[2] || '').padEnd(9, '0')}Z`;
}

// sortKeys are Pause's (pause.SortKey): the value, a NUL, the id.
const sortKeys = {
  PUBLISHED_AT: (i) => (i.publishedAt ? timeKey(i.publishedAt) : '0') + '\0' + i.id,
  UPDATED_AT: (i) => timeKey(i.updatedAt) + '\0' + i.id,
  TITLE: (i) => i.title.toLowerCase() + '\0' + i.id,
  NAME: (i) => i.name.toLowerCase() + '\0' + i.id,
  POSITION: (i) => String(i.position).padStart(10, '0') + '\0' + i.id,
};
const descending = { PUBLISHED_AT: true, UPDATED_AT: true };
const byteOrder = (a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b));

// index returns the items in the order, each with its sort key, as Pause's indexes hold them.
function index(items, order) {
  const key = sortKeys[order];
  const rows = items.map((item) => ({ key: key(item), item }));
  rows.sort((a, b) => byteOrder(a.key, b.key) * (descending[order] ? -1 : 1));
  return rows;
}

// Cursors are Pause's: base64url (no padding) of the JSON {"o": order, "k": key}, with the
// characters that Go's encoder escapes escaped the same way.
const goJSON = (v) =>
  JSON.stringify(v).replace(/[<>&\u2028\u2029]/g, (c) => '\\u' + c.charCodeAt(0).toString(16).padStart(4, '0'));
const encodeCursor = (order, key) => Buffer.from(goJSON({ o: order, k: key })).toString('base64url');
function decodeCursor(s, order) {
  try {
    const c = JSON.parse(Buffer.from(s, 'base64url').toString());
    if (c.o === order && c.k) return c.k;
  } catch {}
  throw badInput('after', 'after is not a cursor of this list');
}

function badInput(field, message) {
  return new GraphQLError(message, { extensions: { code: 'BAD_USER_INPUT', field } });
}

// kind serves one content type: lookups by id and slug, and sorted lists of published items.
function kind(items, orders) {
  const visible = published(items);
  const indexes = Object.fromEntries(orders.map((o) => [o, index(visible, o)]));
  return {
    byId: new Map(visible.map((i) => [i.id, i])),
    bySlug: new Map(visible.map((i) => [i.slug, i])),
    one(args) {
      if ((args.id == null) === (args.slug == null)) throw badInput('id', 'give exactly one of id and slug');
      return (args.id != null ? this.byId.get(args.id) : this.bySlug.get(args.slug)) ?? null;
    },
    list({ first = 20, after, filter, orderBy }, match) {
      if (first < 0 || first > MAX_FIRST) throw badInput('first', `first must be between 0 and ${MAX_FIRST}`);
      if (filter?.status && filter.status !== 'PUBLISHED') {
        throw new GraphQLError('Only signed-in editors may list items that are not published.', { extensions: { code: 'FORBIDDEN' } });
      }
      const order = orderBy ?? orders[0];
      const rows = indexes[order];
      if (!rows) throw badInput('orderBy', `cannot be ordered by ${order}`);
      let start = 0;
      if (after != null) {
        const key = decodeCursor(after, order);
        const d = descending[order] ? -1 : 1;
        while (start < rows.length && byteOrder(rows[start].key, key) * d <= 0) start++;
      }
      const nodes = [];
      const cursors = [];
      let hasNextPage = false;
      for (let i = start; i < rows.length; i++) {
        if (!match(rows[i].item)) continue;
        if (nodes.length === first) {
          hasNextPage = true;
          break;
        }
        nodes.push(rows[i].item);
        cursors.push(encodeCursor(order, rows[i].key));
      }
      // totalCount is counted only when asked for, as Pause does.
      return { nodes, cursors, hasNextPage, count: () => visible.filter(match).length };
    },
  };
}

const articles = kind(data.articles, ['PUBLISHED_AT', 'UPDATED_AT', 'TITLE']);
const benefits = kind(data.benefits, ['POSITION']);
const tools = kind(data.tools, ['NAME', 'UPDATED_AT']);

const has = (list, x) => list.includes(x);
const articleMatch = (f = {}) => (a) =>
  (!f.tag || has(a.tags, f.tag.trim().toLowerCase())) && (!f.author || a.author.name === f.author);
const toolMatch = (f = {}) => (t) =>
  (!f.category || t.category === f.category) &&
  (!f.pricing || t.pricing === f.pricing) &&
  (!f.tag || has(t.tags, f.tag.trim().toLowerCase())) &&
  (f.featured == null || t.featured === f.featured);

const connection = {
  edges: (c) => c.nodes.map((node, i) => ({ cursor: c.cursors[i], node })),
  pageInfo: (c) => ({ hasNextPage: c.hasNextPage, endCursor: c.cursors.length ? c.cursors[c.cursors.length - 1] : null }),
  totalCount: (c) => c.count(),
};

const resolvers = {
  Time: new GraphQLScalarType({
    name: 'Time',
    serialize: (v) => v,
    parseValue: (v) => v,
  }),
  Query: {
    article: (_, args) => articles.one(args),
    articles: (_, args) => articles.list(args, articleMatch(args.filter ?? {})),
    benefit: (_, args) => benefits.one(args),
    benefits: (_, args) => benefits.list(args, () => true),
    tool: (_, args) => tools.one(args),
    tools: (_, args) => tools.list(args, toolMatch(args.filter ?? {})),
    toolCategories: () => {
      const counts = new Map();
      for (const t of tools.byId.values()) counts.set(t.category, (counts.get(t.category) ?? 0) + 1);
      return [...counts].sort((a, b) => byteOrder(a[0], b[0])).map(([name, count]) => ({ name, count }));
    },
    viewer: () => ({ subject: '', role: 'ANONYMOUS', authenticated: false }),
  },
  Article: {
    // The published tools the article names, in its order.
    relatedTools: (a) => a.relatedToolIds.map((id) => tools.byId.get(id)).filter(Boolean),
  },
  ArticleConnection: connection,
  BenefitConnection: connection,
  ToolConnection: connection,
  Mutation: {},
};
for (const field of typeDefs.match(/type Mutation \{([^}]*)\}/)[1].matchAll(/^\s+(\w+)\(/gm)) {
  resolvers.Mutation[field[1]] = () => {
    throw new GraphQLError('This peer serves the benchmark\'s reads only.', { extensions: { code: 'FORBIDDEN' } });
  };
}

const server = new ApolloServer({ typeDefs, resolvers });
const { url } = await startStandaloneServer(server, { listen: { host: '127.0.0.1', port: Number(port) } });
console.log(`apollo: ${url}`);

// cache.mjs: Apollo Client's normalized cache (InMemoryCache) over Pause, as a frontend's editor
// screen or draft-mode preview uses it. It reads an item with its working draft, then the item's
// revisions, all through one client and one cache, and prints what the cache then shows for
// each, as JSON: the Go test (server/clients_test.go) asserts that each state kept its own title
// and version. Usage: GRAPHQL_URL=http://127.0.0.1:PORT/graphql GRAPHQL_TOKEN=... ITEM_ID=... node cache.mjs
import { ApolloClient, HttpLink, InMemoryCache, gql } from "@apollo/client";

const { GRAPHQL_URL, GRAPHQL_TOKEN, ITEM_ID } = process.env;
const client = new ApolloClient({
  link: new HttpLink({ uri: GRAPHQL_URL, headers: { authorization: `Bearer ${GRAPHQL_TOKEN}` } }),
  cache: new InMemoryCache({
    possibleTypes: { Snapshot: ["ArticleSnapshot", "BenefitSnapshot", "ToolSnapshot"] },
  }),
});

const ITEM = gql`
  query Item($id: ID!) {
    article(id: $id) { id title version draft { id title version } }
  }
`;
const REVISIONS = gql`
  query Revisions($id: ID!) {
    articleRevisions(id: $id, first: 10) {
      nodes { number item { ... on ArticleSnapshot { itemId title version draft { title version } } } }
    }
  }
`;

const variables = { id: ITEM_ID };
await client.query({ query: ITEM, variables });
await client.query({ query: REVISIONS, variables });
// What the screen shows now comes from the cache, as it would after both queries rendered.
const item = client.readQuery({ query: ITEM, variables });
const revisions = client.readQuery({ query: REVISIONS, variables });
console.log(JSON.stringify({
  item: item.article,
  revisions: revisions.articleRevisions.nodes,
}));

// GraphiQL for Pause's development server. go generate bundles this file, with the packages
// pinned in package-lock.json, into assets/ (graphiql.js, graphiql.css): the page loads nothing
// from anywhere but the server that serves it.
import { createElement, StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { GraphiQL } from 'graphiql';
import { createGraphiQLFetcher } from '@graphiql/toolkit';
import 'graphiql/style.css';
import './page.css';

// The query a new user sees first: the page of the README's tour.
const defaultQuery = `# Welcome to Pause. Run the query with ▶ (or Ctrl-Enter); the
# Documentation Explorer (top left) lists every type and field.
# To change content, send a token: in Headers below, add
# {"Authorization": "Bearer …"} (go run ./cmd/pause token --sub you).

query ArticlePage {
  article(slug: "what-is-asynchronous-communication-really") {
    title
    author { name }
    updatedAt
    bodyHtml
  }
  benefits { nodes { title summaryHtml points } }
  tools(first: 0) { totalCount }
}
`;

const fetcher = createGraphiQLFetcher({ url: '/graphql' });

createRoot(document.getElementById('graphiql')).render(
  createElement(
    StrictMode,
    null,
    createElement(GraphiQL, {
      fetcher,
      defaultQuery,
      // Headers (a token, say) stay in the tab's memory: never in localStorage.
      shouldPersistHeaders: false,
      showPersistHeadersSettings: false,
      isHeadersEditorEnabled: true,
      inputValueDeprecation: true,
    }),
  ),
);

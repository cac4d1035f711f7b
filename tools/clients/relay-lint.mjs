// relay-lint.mjs SCHEMA...: lints GraphQL schema files, read as one schema, with
// @graphql-eslint's Relay rules, and exits 1 if any fails (printing each problem).
// server/clients_test.go runs it on Pause's schema.graphqls and content.generated.graphqls (the
// content types' connections) in make test.
import path from "node:path";
import { ESLint } from "eslint";
import graphqlPlugin from "@graphql-eslint/eslint-plugin";

const files = process.argv.slice(2).map((f) => path.resolve(f));
const eslint = new ESLint({
  cwd: path.dirname(files[0]),
  overrideConfigFile: true,
  overrideConfig: [
    {
      files: ["**/*.graphqls"],
      languageOptions: {
        parser: graphqlPlugin.parser,
        parserOptions: { graphQLConfig: { schema: files } },
      },
      plugins: { "@graphql-eslint": graphqlPlugin },
      rules: {
        // Content lists page both ways (first/after and last/before). The revision and audit
        // logs are read newest first, forward only: a connection with one direction is
        // Relay's too, which includeBoth: false accepts.
        "@graphql-eslint/relay-arguments": ["error", { includeBoth: false }],
        "@graphql-eslint/relay-connection-types": "error",
        // Revisions and audit entries are parts of an item's history, not objects refetched
        // by node(id:): their edges' nodes do not implement Node. Content items do.
        "@graphql-eslint/relay-edge-types": ["error", { withEdgeSuffix: true, shouldImplementNode: false, listTypeCanWrapOnlyEdgeType: false }],
        "@graphql-eslint/relay-page-info": "error",
      },
    },
  ],
});
const results = await eslint.lintFiles(files);
let problems = 0;
for (const r of results) {
  for (const m of r.messages) {
    problems++;
    console.log(`${path.basename(r.filePath)}:${m.line}:${m.column}: ${m.ruleId ?? "eslint"}: ${m.message}`);
  }
}
console.log(`${results.length} file(s) linted, ${problems} problem(s)`);
process.exit(problems > 0 ? 1 : 0);

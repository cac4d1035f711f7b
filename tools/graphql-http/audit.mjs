// node audit.mjs URL
//
// Runs the server audits of graphql-http (the GraphQL over HTTP specification's own checks,
// pinned in package.json and package-lock.json) against the GraphQL endpoint at URL. It
// prints one line per audit and a summary, and exits 1 unless every audit is ok: an error
// (a MUST not met) and a warning (a SHOULD or MAY not met) both fail.
import { serverAudits } from 'graphql-http';
import { readFileSync } from 'node:fs';

const url = process.argv[2];
if (!url) {
  console.error('usage: node audit.mjs URL');
  process.exit(2);
}
const version = JSON.parse(
  readFileSync(new URL('./node_modules/graphql-http/package.json', import.meta.url)),
).version;

const counts = { ok: 0, warn: 0, error: 0 };
for (const audit of serverAudits({ url })) {
  const result = await audit.fn();
  counts[result.status]++;
  let line = `${result.status.padEnd(5)} ${result.id} ${result.name}`;
  if (result.status !== 'ok') {
    line += `\n      ${result.reason}`;
    if (result.response) {
      let body = '';
      try {
        body = await result.response.text();
      } catch {
        // the audit read it already
      }
      line += `\n      status ${result.response.status}, content-type ${result.response.headers.get('content-type')}`;
      if (body) line += `, body ${body.slice(0, 300)}`;
    }
  }
  console.log(line);
}
console.log(
  `graphql-http ${version} server audits: ${counts.ok} ok, ${counts.warn} warnings, ${counts.error} errors`,
);
process.exit(counts.warn + counts.error === 0 ? 0 : 1);

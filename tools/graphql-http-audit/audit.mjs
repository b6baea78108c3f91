// Runs every graphql-http server audit (MUST, SHOULD, MAY) against each URL given; any audit
// that is not ok is printed and fails the run.
import { serverAudits } from 'graphql-http';

let failed = 0;
for (const url of process.argv.slice(2)) {
  const counts = {};
  for (const audit of serverAudits({ url })) {
    const result = await audit.fn();
    const level = audit.name.split(' ')[0];
    counts[level] ??= { ok: 0, total: 0 };
    counts[level].total += 1;
    if (result.status === 'ok') {
      counts[level].ok += 1;
    } else {
      failed += 1;
      console.log(`${url}: ${result.status.toUpperCase()} ${audit.name}: ${result.reason}`);
    }
  }
  const summary = Object.entries(counts).map(([level, c]) => `${level} ${c.ok}/${c.total}`);
  console.log(`${url}: ${summary.join(', ')}`);
}
process.exit(failed ? 1 : 0);

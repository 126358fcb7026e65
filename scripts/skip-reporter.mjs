// A node:test reporter that writes one JSON line per skipped test or suite: file, name, kind and reason.
// Node's TAP `# skipped` total counts skipped tests only; a `describe` skipped as a whole (how every
// conditional skip here is written) shows there only as an `ok … # SKIP` line of type 'suite' and hides
// its tests, so the launcher reads this file to count and name skipped suites.
export default async function* skipReporter(source) {
  for await (const event of source) {
    if (event.type !== 'test:pass' && event.type !== 'test:fail') continue;
    const { skip, name, file, details } = event.data;
    if (skip === undefined || skip === false) continue;
    yield `${JSON.stringify({
      file: file ?? null,
      name,
      kind: details?.type === 'suite' ? 'suite' : 'test',
      reason: typeof skip === 'string' ? skip : '',
    })}\n`;
  }
}

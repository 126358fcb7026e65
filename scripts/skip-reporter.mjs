// A node:test reporter that writes one JSON line per skipped (or todo) test or suite: file, name, kind,
// reason and whether it is a todo.
// Node's TAP `# skipped` total counts skipped tests only; a `describe` skipped as a whole (how every
// conditional skip here is written) shows there only as an `ok … # SKIP` line of type 'suite' and hides
// its tests, so the launcher reads this file to count and name skipped suites.
export default async function* skipReporter(source) {
  for await (const event of source) {
    if (event.type !== 'test:pass' && event.type !== 'test:fail') continue;
    const { skip, todo, name, file, details } = event.data;
    const mark =
      skip !== undefined && skip !== false ? skip : todo !== undefined && todo !== false ? todo : false;
    if (mark === false) continue;
    yield `${JSON.stringify({
      file: file ?? null,
      name,
      kind: details?.type === 'suite' ? 'suite' : 'test',
      reason: typeof mark === 'string' ? mark : '',
      todo: mark === todo,
      failed: event.type === 'test:fail',
    })}\n`;
  }
}

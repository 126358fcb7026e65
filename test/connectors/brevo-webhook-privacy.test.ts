import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseBrevoEvents } from '../../src/connectors/brevo/webhook.ts';

const deleted = JSON.stringify({
  event: 'contact_deleted',
  email: ['ada@example.ch'],
  id: 1,
  ts: 1_767_000_000,
});

test('a Brevo contact deletion is an erasure request only where the connection says its deletions are', () => {
  const [plain] = parseBrevoEvents(deleted);
  const [off] = parseBrevoEvents(deleted, { deletionsArePrivacyRequests: false });
  const [on] = parseBrevoEvents(deleted, { deletionsArePrivacyRequests: true });
  for (const e of [plain, off, on]) assert.equal(e?.kind, 'deletion');
  assert.equal(
    plain?.kind === 'deletion' && plain.privacyPerMapping,
    false,
    'default: a clean-up, it only unlinks',
  );
  assert.equal(off?.kind === 'deletion' && off.privacyPerMapping, false);
  assert.equal(on?.kind === 'deletion' && on.privacyPerMapping, true);
});

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { pino } from 'pino';
import { createAbacusEmulator } from '../../emulators/abacus/index.ts';
import { createBrevoEmulator } from '../../emulators/brevo/index.ts';
import { createConnector } from '../../src/connectors/registry.ts';

const rt = () => ({ log: pino({ level: 'silent' }), signal: new AbortController().signal });

test('Brevo lookup finds existing contacts by e-mail and id, and skips unknown ones', async () => {
  const emulator = createBrevoEmulator({ apiKeys: ['k'] });
  const url = await emulator.listen();
  try {
    const brevo = createConnector(
      { id: 'b', name: 'b', system: 'brevo', config: { baseUrl: `${url}/v3` }, secret: { apiKey: 'k' } },
      rt(),
    );
    const [a] = await brevo.write('contacts', [
      {
        kind: 'upsert',
        ref: '1',
        match: { property: 'email', value: 'anna@example.ch' },
        properties: { email: 'anna@example.ch', attributes: { FIRSTNAME: 'Anna' } },
      },
    ]);
    assert.ok(a?.ok);
    const hits = await brevo.lookup?.('contacts', 'email', ['anna@example.ch', 'nobody@example.ch']);
    assert.deepEqual(
      hits?.map((h) => [h.value, h.id]),
      [['anna@example.ch', a.externalId]],
    );
    assert.equal(
      (await brevo.lookup?.('contacts', 'id', [a.externalId]))?.[0]?.properties.email,
      'anna@example.ch',
    );
  } finally {
    await emulator.close();
  }
});

test('Abacus lookup finds subjects by reference and e-mail in its own mandant only', async () => {
  const emulator = createAbacusEmulator({ rateLimit: { max: Number.POSITIVE_INFINITY, intervalMs: 10_000 } });
  const url = await emulator.listen();
  try {
    const connect = (mandant: number) =>
      createConnector(
        {
          id: `a${mandant}`,
          name: 'a',
          system: 'abacus',
          config: { baseUrl: url, mandant },
          secret: { clientId: 'junction', clientSecret: 'junction-secret' },
        },
        rt(),
      );
    const zh = connect(7777);
    const [r] = await zh.write('subjects', [
      {
        kind: 'upsert',
        ref: '1',
        match: { property: 'Reference', value: 'P-1' },
        properties: { Name: 'Muster', FirstName: 'Anna', EMail: 'anna@example.ch', Reference: 'P-1' },
      },
    ]);
    assert.ok(r?.ok);
    assert.deepEqual(
      (await zh.lookup?.('subjects', 'Reference', ['P-1', 'P-2']))?.map((h) => h.id),
      [r.externalId],
    );
    assert.deepEqual(
      (await zh.lookup?.('subjects', 'EMail', ['Anna@Example.ch']))?.map((h) => h.id),
      [r.externalId],
    );
    assert.deepEqual(await connect(8888).lookup?.('subjects', 'Reference', ['P-1']), []);
  } finally {
    await emulator.close();
  }
});

// A reset that no Brevo window can have (beyond the hour, or negative) never pauses the account longer than
// an hour: the pause is shared through PostgreSQL, so a misread header would hold every worker.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { brevoBudgetReport } from '../../src/connectors/brevo/rate-limit-headers.ts';

test('a reset beyond the hour (a time of day, a unit misread) waits at most the hour', () => {
  const r = brevoBudgetReport({
    'x-sib-ratelimit-limit': '36000',
    'x-sib-ratelimit-remaining': '0',
    'x-sib-ratelimit-reset': '1764520000',
  });
  assert.equal(r?.resetMs, 3_600_000);
});

test('a negative reset waits nothing', () => {
  assert.equal(brevoBudgetReport({ 'x-sib-ratelimit-reset': '-5' })?.resetMs, 0);
});

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { recordDisplayName } from '../../src/core/record-name.ts';

test("a person's first and last name together name the record", () => {
  assert.equal(recordDisplayName({ firstname: 'Anna', lastname: 'Muster', email: 'a@m.ch' }), 'Anna Muster');
});

test('a first or a last name alone names the record without a stray space', () => {
  assert.equal(recordDisplayName({ firstname: 'Anna', company: 'ACME' }), 'Anna');
  assert.equal(recordDisplayName({ lastname: 'Muster', company: 'ACME' }), 'Muster');
});

test('first and last names are found in German, French and English spellings', () => {
  for (const [first, last] of [
    ['vorname', 'nachname'],
    ['prenom', 'nom'],
    ['givenName', 'familyName'],
    ['first_name', 'surname'],
  ] as const)
    assert.equal(recordDisplayName({ [first]: 'Anna', [last]: 'Muster' }), 'Anna Muster', first);
});

test('without a person, a name, company or title names the record, in that order', () => {
  for (const key of [
    'name',
    'fullName',
    'display_name',
    'company',
    'companyName',
    'dealname',
    'title',
    'short-name',
  ])
    assert.equal(recordDisplayName({ [key]: 'ACME', email: 'info@acme.ch' }), 'ACME', key);
  assert.equal(recordDisplayName({ title: 'Dr.', company: 'ACME', name: 'Anna' }), 'Anna');
  assert.equal(recordDisplayName({ title: 'Offer', dealname: 'Big deal' }), 'Big deal');
});

test('without a name, the e-mail names the record', () => {
  for (const key of ['email', 'E-Mail Address', 'mail'])
    assert.equal(recordDisplayName({ [key]: 'anna@muster.ch', phone: '+41' }), 'anna@muster.ch', key);
});

test('a payload naming nothing, or no object at all, gives null', () => {
  for (const payload of [{ id: 7, phone: '+41 44 000 00 00' }, {}, null, undefined, 'Anna', 42])
    assert.equal(recordDisplayName(payload), null, JSON.stringify(payload));
});

test('property names are compared without case, _, - and spaces', () => {
  assert.equal(recordDisplayName({ FIRST_NAME: 'Anna', 'Last-Name': 'Muster' }), 'Anna Muster');
  assert.equal(recordDisplayName({ 'Company Name': 'ACME' }), 'ACME');
});

test('values are trimmed, and a blank or non-text value does not count', () => {
  assert.equal(recordDisplayName({ firstname: '  Anna ', lastname: '\tMuster\n' }), 'Anna Muster');
  assert.equal(recordDisplayName({ name: '   ', email: 'anna@muster.ch' }), 'anna@muster.ch');
  assert.equal(recordDisplayName({ name: 42, firstname: true, email: 'anna@muster.ch' }), 'anna@muster.ch');
});

test('of two properties that normalise alike, the first one written counts', () => {
  assert.equal(recordDisplayName({ Name: 'First', name: 'Second' }), 'First');
  assert.equal(recordDisplayName({ name: '  ', Name: 'Second' }), 'Second');
});

test('names in nested objects count, down to three levels below the payload', () => {
  assert.equal(recordDisplayName({ properties: { firstname: 'Anna' } }), 'Anna');
  assert.equal(recordDisplayName({ a: { b: { c: { name: 'Deep' } } } }), 'Deep');
  assert.equal(recordDisplayName({ a: { b: { c: { d: { name: 'Too deep' } } } } }), null);
});

test('names inside lists do not name the record', () => {
  assert.equal(recordDisplayName({ contacts: [{ name: 'Anna' }], tags: ['x'] }), null);
});

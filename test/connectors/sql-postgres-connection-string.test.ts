// The URL a PostgreSQL connection opens with (dialect/postgres.ts connectionString): the secret's password, read
// back by pg's own parser as it was entered, for URLs with a host and for Unix-socket URLs without one.
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { describe, test } from 'node:test';
import { connectionString } from '../../src/connectors/sql/dialect/postgres.ts';
import { maskUrlPasswords } from '../../src/core/url-credentials.ts';

const { parse } = createRequire(import.meta.url)('pg-connection-string') as {
  parse: (s: string) => { host?: string | null; user?: string; password?: string; database?: string | null };
};

const PASSWORDS = ['pw', 'p@ss/w:1 ?#', '100%', 'a%41b', "ü€ '()*!~", '$&+,;=', 'pass=word&x'];

describe('the connection string of a PostgreSQL business database', () => {
  test('a URL with a host: pg reads the password as given, the host, user and database stay', () => {
    for (const password of PASSWORDS) {
      const c = parse(connectionString('postgres://app@db:5432/x?sslmode=disable', password));
      assert.deepEqual([c.host, c.user, c.password, c.database], ['db', 'app', password, 'x'], password);
    }
  });

  test('a Unix-socket URL without a host (with a user, or none): pg reads the password as given, the socket stays (was Invalid URL, or the password dropped)', () => {
    for (const url of [
      'postgres://app@/x?host=/var/run/postgresql',
      'postgres:///x?host=/var/run/postgresql',
      'postgresql://app@/x?host=/var/run/postgresql#part',
    ])
      for (const password of PASSWORDS) {
        const s = connectionString(url, password);
        const c = parse(s);
        assert.deepEqual(
          [c.host, c.password, c.database],
          ['/var/run/postgresql', password, 'x'],
          `${url} ${password}`,
        );
        assert.ok(!maskUrlPasswords(s).includes(encodeURIComponent(password)), `masked in ${s}`);
      }
  });

  test('without a password the URL is left as it is', () => {
    for (const url of ['postgres://app@db/x', 'postgres://app@/x?host=/tmp'])
      assert.equal(connectionString(url, undefined), url);
  });
});

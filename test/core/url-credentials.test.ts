import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  hasUnreadablePassword,
  maskUrlPasswords,
  PASSWORD_MASK,
  splitUrlPassword,
  withUrlPassword,
} from '../../src/core/url-credentials.ts';

describe('splitUrlPassword', () => {
  test('text that is not a scheme://… URL is given back as it is, with no password', () => {
    for (const text of ['sqlite:./business.db', '', '/var/data/x.db', '1x://app:pw@db/x', 'app:pw@db'])
      assert.deepEqual(splitUrlPassword(text), { url: text, password: undefined }, text);
  });

  test('the userinfo password is taken out, the user name, host, port and path stay', () => {
    assert.deepEqual(splitUrlPassword('postgres://app:pw@db:5432/x'), {
      url: 'postgres://app@db:5432/x',
      password: 'pw',
    });
  });

  test('a scheme with digits, + and . and in capitals is a URL too', () => {
    assert.deepEqual(splitUrlPassword('git+ssh.v2://u:pw@h/r'), {
      url: 'git+ssh.v2://u@h/r',
      password: 'pw',
    });
    assert.deepEqual(splitUrlPassword('POSTGRES://u:pw@h/d'), { url: 'POSTGRES://u@h/d', password: 'pw' });
  });

  test('the password may hold @, / and : (the last @ ends the userinfo, the first : begins the password)', () => {
    assert.deepEqual(splitUrlPassword('postgres://app:p@s:s/w@db/x'), {
      url: 'postgres://app@db/x',
      password: 'p@s:s/w',
    });
  });

  test('a password without a user name is taken out too', () => {
    assert.deepEqual(splitUrlPassword('postgres://:pw@db/x'), { url: 'postgres://@db/x', password: 'pw' });
  });

  test('a percent-encoded password is decoded; a malformed encoding is kept as written', () => {
    assert.equal(splitUrlPassword('postgres://app:p%40ss@db/x').password, 'p@ss');
    assert.equal(splitUrlPassword('postgres://app:100%zz@db/x').password, '100%zz');
  });

  test('a user without a password, an empty password and the mask give no password', () => {
    assert.deepEqual(splitUrlPassword('postgres://app@db/x'), {
      url: 'postgres://app@db/x',
      password: undefined,
    });
    assert.deepEqual(splitUrlPassword('postgres://app:@db/x'), {
      url: 'postgres://app@db/x',
      password: undefined,
    });
    assert.deepEqual(splitUrlPassword(`postgres://app:${PASSWORD_MASK}@db/x`), {
      url: 'postgres://app@db/x',
      password: undefined,
    });
  });

  test('a password= parameter is taken out in any case and spelling; the other parameters keep their order', () => {
    assert.deepEqual(
      splitUrlPassword('postgres://app@db/x?sslmode=require&PassWord=a+b%26c&application_name=j'),
      {
        url: 'postgres://app@db/x?sslmode=require&application_name=j',
        password: 'a b&c',
      },
    );
    assert.deepEqual(splitUrlPassword('postgres://app@db/x?pass%77ord=pw'), {
      url: 'postgres://app@db/x',
      password: 'pw',
    });
  });

  test('a password= parameter wins over the userinfo password', () => {
    assert.equal(splitUrlPassword('postgres://app:first@db/x?password=second').password, 'second');
  });

  test('an empty or bare password parameter is taken out and gives no password', () => {
    assert.deepEqual(splitUrlPassword('postgres://db/x?password=&a=1'), {
      url: 'postgres://db/x?a=1',
      password: undefined,
    });
    assert.deepEqual(splitUrlPassword('postgres://db/x?a=1&password'), {
      url: 'postgres://db/x?a=1',
      password: undefined,
    });
  });

  test('parameters without a value or with an undecodable name are kept as written', () => {
    assert.deepEqual(splitUrlPassword('postgres://db/x?ssl&%zz=1'), {
      url: 'postgres://db/x?ssl&%zz=1',
      password: undefined,
    });
  });

  test('an empty query is dropped; no query adds none', () => {
    assert.deepEqual(splitUrlPassword('postgres://db/x?'), { url: 'postgres://db/x', password: undefined });
    assert.deepEqual(splitUrlPassword('postgres://db/x'), { url: 'postgres://db/x', password: undefined });
  });

  test('the fragment stays, after the query or without one, even when empty', () => {
    assert.deepEqual(splitUrlPassword('https://u:pw@h/p#frag'), {
      url: 'https://u@h/p#frag',
      password: 'pw',
    });
    assert.deepEqual(splitUrlPassword('https://h/p?a=1&password=pw#frag'), {
      url: 'https://h/p?a=1#frag',
      password: 'pw',
    });
    assert.deepEqual(splitUrlPassword('https://h/p?password=pw#f'), { url: 'https://h/p#f', password: 'pw' });
    assert.deepEqual(splitUrlPassword('https://h/p#'), { url: 'https://h/p#', password: undefined });
    assert.deepEqual(splitUrlPassword('https://h/p?a=1#'), { url: 'https://h/p?a=1#', password: undefined });
    assert.deepEqual(splitUrlPassword('https://h/p?#f'), { url: 'https://h/p#f', password: undefined });
  });

  test('an @ or : after the query is no userinfo', () => {
    assert.deepEqual(splitUrlPassword('https://h/p?to=a:b@c.ch'), {
      url: 'https://h/p?to=a:b@c.ch',
      password: undefined,
    });
  });
});

describe('hasUnreadablePassword', () => {
  test('a raw ? or # in a userinfo password makes the URL unreadable, with or without a path or port', () => {
    for (const url of [
      'postgres://app:Xy?9#k@db/prod',
      'postgres://app:Xy#9@db/prod',
      'mysql://app:a?b@db:3306/x',
      'postgres://app:a/b?c@db/x',
      'postgres://app:123?x@db/prod',
      'postgres://app:?x@db',
      'postgres://app:a@b?c@db/x',
      'POSTGRES://:p?w@db/x',
    ])
      assert.equal(hasUnreadablePassword(url), true, url);
  });

  test('an @ in a parameter after a host (and port) and a path is an ordinary URL', () => {
    for (const url of [
      'postgres://db/x?user=a@b',
      'postgres://db:5432/x?user=admin@srv&options=a:b',
      'postgres://app:pw@db/x?user=a@b',
      'postgres://[::1]:5432/x?to=a:b@c',
      'https://h/p?to=a:b@c.ch',
    ])
      assert.equal(hasUnreadablePassword(url), false, url);
  });

  test('a URL without an @ after its query, or without a : before that @, or no URL at all, is readable', () => {
    for (const url of [
      'postgres://app:pw@db/x?sslmode=require',
      'postgres://db?user=a@b',
      'postgres://app:pw@db',
      'sqlite:./x?y:z@w',
      'app:Xy?9#k@db/prod',
      '',
    ])
      assert.equal(hasUnreadablePassword(url), false, url);
  });
});

describe('maskUrlPasswords', () => {
  test('the mask is three stars', () => {
    assert.equal(PASSWORD_MASK, '***');
  });

  test('a userinfo password is masked where the URL stands in a text, the user name and host stay', () => {
    assert.equal(
      maskUrlPasswords('could not connect to postgres://app:s3cret@db:5432/x (timeout)'),
      'could not connect to postgres://app:***@db:5432/x (timeout)',
    );
    assert.equal(maskUrlPasswords('postgres://app:s3cret@db'), 'postgres://app:***@db');
  });

  test('a password holding @ or / is masked whole', () => {
    assert.equal(maskUrlPasswords('postgres://app:p@ss/w@db/x'), 'postgres://app:***@db/x');
    assert.equal(maskUrlPasswords('postgres://app:p@ss@db?x=1'), 'postgres://app:***@db?x=1');
    assert.equal(maskUrlPasswords('postgres://app:p@ss@db#f'), 'postgres://app:***@db#f');
  });

  test('a password holding ? or # is masked with everything before the last @, wherever the URL stands', () => {
    assert.equal(maskUrlPasswords('postgres://app:Xy?9#k@db/prod'), 'postgres://***@db/prod');
    assert.equal(
      maskUrlPasswords("cannot reach 'postgres://app:a/b?c@db:5432/x?sslmode=require' (refused)"),
      "cannot reach 'postgres://***@db:5432/x?sslmode=require' (refused)",
    );
    assert.equal(
      maskUrlPasswords('mysql://app:123?x@db/prod?password=q'),
      'mysql://***@db/prod?password=***',
    );
  });

  test('an @ in a parameter of an ordinary URL is no password', () => {
    for (const text of ['postgres://db:5432/x?user=admin@srv', 'postgres://db?user=a@b'])
      assert.equal(maskUrlPasswords(text), text);
  });

  test('every URL of a text is masked, in any case of the scheme', () => {
    assert.equal(
      maskUrlPasswords('from MYSQL://a:one@h1/d to postgres://b:two@h2/d'),
      'from MYSQL://a:***@h1/d to postgres://b:***@h2/d',
    );
  });

  test('URLs without a password, and a host with a port, are left as they are', () => {
    for (const text of ['postgres://app@db/x', 'http://host:8080/path', 'see https://h/p?to=a@b.ch', 'a:b@c'])
      assert.equal(maskUrlPasswords(text), text);
  });

  test('password= parameters are masked after ?, & or ; in any case, up to the next parameter', () => {
    assert.equal(
      maskUrlPasswords('postgres://db/x?password=abc&sslmode=require'),
      'postgres://db/x?password=***&sslmode=require',
    );
    assert.equal(maskUrlPasswords('x://h?a=1&PASSWORD=abc#f'), 'x://h?a=1&PASSWORD=***#f');
    assert.equal(maskUrlPasswords('jdbc:x://h;password=abc def'), 'jdbc:x://h;password=*** def');
  });

  test('a password= not starting a parameter is no URL password', () => {
    assert.equal(maskUrlPasswords('mypassword=abc'), 'mypassword=abc');
    assert.equal(maskUrlPasswords('?userpassword=abc'), '?userpassword=abc');
  });
});

describe('withUrlPassword', () => {
  test('puts the password into the userinfo, replacing one that was there', () => {
    assert.equal(
      withUrlPassword('postgres://app@db:5432/x?sslmode=require', 'pw'),
      'postgres://app:pw@db:5432/x?sslmode=require',
    );
    assert.equal(withUrlPassword('postgres://app:old@db/x', 'new'), 'postgres://app:new@db/x');
  });

  test('any password, % included, is read back as given by a client that decodes the userinfo (as pg does)', () => {
    for (const password of ['p@ss/w:1 ?#', '100%', 'a%41b', '%zz', "ü€ '()*!~", '$&+,;='])
      assert.equal(
        decodeURIComponent(new URL(withUrlPassword('postgres://app@db/x', password)).password),
        password,
        password,
      );
  });
});

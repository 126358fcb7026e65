/**
 * Passwords people write into connection URLs: `postgres://user:pw@host/db` (the password may itself
 * hold `@` or `/`) and `…?password=pw`. Junction moves them into the sealed secret and masks them
 * wherever a URL is shown or logged.
 */

/** What `maskUrlPasswords` puts in a password's place; a URL sent back with it has no new password. */
export const PASSWORD_MASK = '***';

/** Scheme, then everything up to the query or fragment (userinfo, host, path). */
const URL_HEAD = /^([a-z][a-z0-9+.-]*:\/\/)([^?#]*)(.*)$/is;

const decode = (s: string) => {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
};

/** The URL without its password (userinfo and `password=` parameters) and the password it held, decoded. */
export function splitUrlPassword(url: string): { url: string; password: string | undefined } {
  const m = URL_HEAD.exec(url);
  if (!m) return { url, password: undefined };
  const [, scheme, head = '', rest = ''] = m;
  let password: string | undefined;
  let authority = head;
  // The last `@` before the query ends the userinfo: an unencoded `@` in a password stays in it.
  const at = head.lastIndexOf('@');
  if (at >= 0) {
    const userinfo = head.slice(0, at);
    const colon = userinfo.indexOf(':');
    if (colon >= 0) {
      password = decode(userinfo.slice(colon + 1));
      authority = `${userinfo.slice(0, colon)}${head.slice(at)}`;
    }
  }
  const [query = '', fragment = ''] = rest.startsWith('?')
    ? splitOnce(rest.slice(1), '#')
    : ['', rest.slice(1)];
  const kept: string[] = [];
  for (const part of query ? query.split('&') : []) {
    const [name = '', value = ''] = splitOnce(part, '=');
    if (decode(name).toLowerCase() === 'password') password = decode(value.replace(/\+/g, ' '));
    else kept.push(part);
  }
  return {
    url: `${scheme}${authority}${kept.length ? `?${kept.join('&')}` : ''}${fragment || rest.includes('#') ? `#${fragment}` : ''}`,
    password: password === '' || password === PASSWORD_MASK ? undefined : password,
  };
}

function splitOnce(s: string, sep: string): [string, string] {
  const i = s.indexOf(sep);
  return i < 0 ? [s, ''] : [s.slice(0, i), s.slice(i + 1)];
}

/** A host with an optional port, as an authority followed by a path has it. */
const HOST_PORT = /^(?:\[[0-9a-f:.]*\]|[^:[\]]*)(?::\d+)?$/i;

/**
 * The URL may hold a raw `?` or `#` in its password (`postgres://app:Xy?9#k@db/prod`): an `@` after
 * its first `?` or `#` with a `:` somewhere before it, and no `host[:port]/path` in front of the query
 * that would make it an ordinary URL with an `@` in a parameter (`postgres://db:5432/x?user=a@b`).
 * Such a URL cannot be read one way only, so Junction refuses it and masks it whole; a password
 * beginning with digits and a `/` (`app:12/3?x@db`) still reads as a port and a path.
 */
export function hasUnreadablePassword(url: string): boolean {
  const m = /^[a-z][a-z0-9+.-]*:\/\/(.*)$/is.exec(url);
  const rest = m?.[1] ?? '';
  const query = rest.search(/[?#]/);
  const lastAt = rest.lastIndexOf('@');
  if (query < 0 || lastAt < query || !rest.slice(0, lastAt).includes(':')) return false;
  const head = rest.slice(0, query);
  const host = head.lastIndexOf('@') + 1;
  const slash = head.indexOf('/', host);
  return slash < 0 || !HOST_PORT.test(head.slice(host, slash));
}

/** Every URL password in a text (a URL, a message, a log line) replaced by `***`. */
export function maskUrlPasswords(text: string): string {
  return text
    .replace(/([a-z][a-z0-9+.-]*:\/\/)(\S*)/gi, (url, scheme: string, rest: string) =>
      // Where the password ends is unknown: everything up to the last `@` may be it.
      hasUnreadablePassword(url) ? `${scheme}${PASSWORD_MASK}${rest.slice(rest.lastIndexOf('@'))}` : url,
    )
    .replace(
      /([a-z][a-z0-9+.-]*:\/\/[^:/?#@\s]*):[^\s?#]*@(?=[^@\s?#]*(?:[/?#\s]|$))/gi,
      `$1:${PASSWORD_MASK}@`,
    )
    .replace(/([?&;]password=)[^&#\s]*/gi, `$1${PASSWORD_MASK}`);
}

/** The URL with `password` in its userinfo (percent-encoded), for clients that read it only from there. */
export function withUrlPassword(url: string, password: string): string {
  const u = new URL(url);
  // Encoded here: the URL setter leaves `%` as it is, and pg decodes the userinfo, so `a%41b` would arrive as `aAb`
  // and `100%` would not decode at all.
  u.password = encodeURIComponent(password);
  return u.toString();
}

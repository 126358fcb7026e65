/**
 * Moodle's `clean_param` for the PARAM_* types the emulated functions use. `validate_param` accepts a
 * value only when cleaning leaves it unchanged, which is why `Ada` fails PARAM_USERNAME (cleaned `ada`)
 * and ` a@b.ch` fails PARAM_RAW_TRIMMED. The string values are Moodle's own constants (they appear in
 * error details: `the server was expecting "username" type`).
 */

/** PARAM_* types, by their constant values. */
export const PARAM_TYPES = [
  'int',
  'bool',
  'float',
  'raw',
  'raw_trimmed',
  'text',
  'notags',
  'username',
  'email',
  'alpha',
  'alphanum',
  'alphanumext',
  'safedir',
  'plugin',
  'component',
  'auth',
  'lang',
  'theme',
  'timezone',
  'url',
  'sequence',
] as const;
export type ParamType = (typeof PARAM_TYPES)[number];

/** Site facts some types depend on (installed languages, themes and auth plugins). */
export interface SiteFacts {
  languages: readonly string[];
  themes: readonly string[];
  authPlugins: readonly string[];
}

/** A scalar as PHP holds it after cleaning. */
export type Scalar = string | number | boolean;

const stripTags = (s: string) => s.replace(/<\/?[A-Za-z!][^>]*>/g, '');

// PHP's (int) cast of a string: leading whitespace, sign and digits; anything else stops it.
function phpInt(value: Scalar): number {
  if (typeof value === 'number') return Math.trunc(value);
  if (typeof value === 'boolean') return value ? 1 : 0;
  const m = /^[\s]*([+-]?\d+)/.exec(value);
  return m ? Number.parseInt(m[1] ?? '0', 10) : 0;
}

/**
 * E-mail check close to Moodle's `validate_email` (PHPMailer's validator, no `<` or `>`). The exact
 * PHPMailer pattern is not reproduced; this accepts the usual `local@domain.tld` forms.
 */
export function isValidEmail(address: string): boolean {
  if (address === '' || /[<>]/.test(address)) return false;
  return /^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)+$/.test(
    address,
  );
}

/** `clean_param($value, $type)`. */
export function cleanParam(value: Scalar, type: ParamType, site: SiteFacts): Scalar {
  const s = typeof value === 'boolean' ? (value ? '1' : '') : String(value);
  switch (type) {
    case 'int':
      return phpInt(value);
    case 'bool': {
      const t = s.toLowerCase();
      if (t === 'on' || t === 'yes' || t === 'true') return 1;
      if (t === 'off' || t === 'no' || t === 'false') return 0;
      return s === '' || s === '0' ? 0 : 1;
    }
    case 'float':
      return Number.parseFloat(s) || 0;
    case 'raw':
      return value;
    case 'raw_trimmed':
      return s.trim();
    case 'text':
    case 'notags':
      return stripTags(s);
    case 'username': {
      const lower = s.trim().toLowerCase();
      return lower.replace(/ /g, '').replace(/[^-.@_a-z0-9]/g, '');
    }
    case 'email':
      return isValidEmail(s) ? s : '';
    case 'alpha':
      return s.replace(/[^a-zA-Z]/g, '');
    case 'alphanum':
      return s.replace(/[^A-Za-z0-9]/g, '');
    case 'alphanumext':
      return s.replace(/[^a-zA-Z0-9_-]/g, '');
    case 'safedir':
      return s.replace(/[^a-zA-Z0-9_-]/g, '');
    case 'sequence':
      return s.replace(/[^0-9,]/g, '');
    case 'plugin':
    case 'component':
      return /^[a-z][a-z0-9_]*[a-z0-9]$|^[a-z]$/.test(s) ? s : '';
    case 'auth':
      return site.authPlugins.includes(s) ? s : '';
    case 'lang':
      return site.languages.includes(s) ? s : '';
    case 'theme':
      return site.themes.includes(s) ? s : '';
    case 'timezone':
      return /^([A-Za-z][A-Za-z0-9_+-]*(\/[A-Za-z0-9_+-]+)*|99|-?\d{1,2}(\.5)?)$/.test(s) ? s : '';
    case 'url':
      return /^(https?:\/\/[^\s<>"]+|)$/.test(s) ? s : '';
  }
}

/** PHP's `gettype` name of a scalar, for response error details. */
export function phpType(value: unknown): string {
  if (typeof value === 'number') return Number.isInteger(value) ? 'integer' : 'double';
  if (typeof value === 'boolean') return 'boolean';
  if (value === null || value === undefined) return 'NULL';
  return typeof value === 'string' ? 'string' : 'array';
}

/** PHP's string conversion of a scalar (`true` → `1`, `false` → ``). */
export function phpString(value: Scalar | null): string {
  if (value === null) return '';
  if (typeof value === 'boolean') return value ? '1' : '';
  return String(value);
}

import { type CountryCode, isSupportedCountry, parsePhoneNumberFromString } from 'libphonenumber-js/max';
import { ValidationError } from '../errors.ts';
import type { Transform } from '../mapping-definition.ts';
import { describeValue, type TransformFn, toText, transformError } from './shared.ts';

// A practical address check, not RFC 5322: dot-atom local part (Unicode letters allowed, as in
// RFC 6531), dotted host labels without leading/trailing hyphens, a letter TLD or a punycode one.
// Quoted local parts and IP-literal hosts are legal but never seen in CRM data, so they fail.
const ATOM = "[\\p{L}\\p{N}!#$%&'*+/=?^_`{|}~-]+";
const LABEL = '[\\p{L}\\p{N}](?:[\\p{L}\\p{N}-]{0,61}[\\p{L}\\p{N}])?';
const EMAIL = new RegExp(
  `^${ATOM}(?:\\.${ATOM})*@(?:${LABEL}\\.)+(?:\\p{L}{2,63}|xn--[a-z0-9-]{1,59})$`,
  'u',
);
const MAX_EMAIL_LENGTH = 254;
const MAX_LOCAL_LENGTH = 64;

/** True when `text` (already trimmed and lower-cased) looks like an address mail can be sent to. */
export function isEmailAddress(text: string): boolean {
  if (text.length > MAX_EMAIL_LENGTH) return false;
  const at = text.lastIndexOf('@');
  return at > 0 && at <= MAX_LOCAL_LENGTH && EMAIL.test(text);
}

/** `email`: trims and lower-cases; a blank cell is null; anything else fails with `invalid_email`. */
export const email =
  (_t: Extract<Transform, { type: 'email' }>): TransformFn =>
  (v, f) => {
    const text = toText(v, f, 'email').trim().toLowerCase();
    if (text === '') return null;
    if (!isEmailAddress(text)) {
      throw transformError(`${describeValue(v)} is not a valid e-mail address`, f, 'invalid_email');
    }
    return text;
  };

/**
 * `phone`: normalises to E.164 ("+41441234567") with full metadata validation, reading national
 * numbers ("044 123 45 67", "0041 …") as numbers of `defaultCountry`; a blank cell is null.
 * An unknown country code is a configuration error, raised when the mapping is compiled.
 */
export const phone = (t: Extract<Transform, { type: 'phone' }>): TransformFn => {
  const country = (t.defaultCountry ?? 'CH').toUpperCase();
  if (!isSupportedCountry(country)) {
    throw new ValidationError(`phone transform: unknown country '${t.defaultCountry}'`, {
      details: { defaultCountry: t.defaultCountry },
    });
  }
  const defaultCountry = country as CountryCode;
  return (v, f) => {
    const text = toText(v, f, 'phone').trim();
    if (text === '') return null;
    const parsed = parsePhoneNumberFromString(text, defaultCountry);
    if (!parsed?.isValid()) {
      throw transformError(
        `${describeValue(v)} is not a valid phone number (national numbers are read as ${defaultCountry})`,
        f,
        'invalid_phone',
      );
    }
    return parsed.number;
  };
};

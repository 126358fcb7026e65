/**
 * Property names (compared without case, `_` and `-`) that name a record, best first: a person's first and
 * last name together, else a name, a title, an e-mail.
 */
const FIRST = ['firstname', 'vorname', 'prenom', 'givenname'];
const LAST = ['lastname', 'nachname', 'nom', 'familyname', 'surname'];
const NAMES = ['name', 'fullname', 'displayname', 'company', 'companyname', 'dealname', 'title', 'shortname'];
const EMAILS = ['email', 'emailaddress', 'mail'];

const norm = (key: string) => key.toLowerCase().replace(/[_\-\s]/g, '');

/** Every string value of the payload by its normalised property name (nested objects included). */
function flatten(value: unknown, into = new Map<string, string>(), depth = 0): Map<string, string> {
  if (!value || typeof value !== 'object' || depth > 3) return into;
  for (const [key, v] of Object.entries(value as Record<string, unknown>)) {
    if (typeof v === 'string' && v.trim() && !into.has(norm(key))) into.set(norm(key), v.trim());
    else if (v && typeof v === 'object' && !Array.isArray(v)) flatten(v, into, depth + 1);
  }
  return into;
}

/**
 * A readable name for a record from the payload that was (or should have been) sent: the mapped fields
 * that name it — first and last name, a name or title, else the e-mail. Null when none is mapped, so
 * the caller shows the key. The error log shows it instead of "Record 122".
 */
export function recordDisplayName(payload: unknown): string | null {
  const fields = flatten(payload);
  const pick = (names: string[]) => names.map((n) => fields.get(n)).find(Boolean);
  const person = [pick(FIRST), pick(LAST)].filter(Boolean).join(' ');
  return person || pick(NAMES) || pick(EMAILS) || null;
}

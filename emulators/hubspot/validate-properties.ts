/**
 * Checks property values of a write the way HubSpot does before anything is stored: unknown names,
 * read-only values, malformed e-mail addresses and enumeration values outside the options.
 */
import { type PropertyIssue, propertyIssue } from './errors.ts';
import type { PropertyRegistry } from './property-registry.ts';

/** Input property values as clients send them; HubSpot coerces numbers and booleans to strings. */
export type PropertyInput = Record<string, unknown>;

/** Normalised values (null = clear the value) and the issues found. */
export interface ValidatedProperties {
  values: Record<string, string | null>;
  issues: PropertyIssue[];
}

// Close to what HubSpot accepts: a local part, an @, and a domain with a dot and a 2+ letter TLD.
const EMAIL_PATTERN = /^[^\s@]+@[^\s@]+\.[A-Za-z]{2,}$/;

/** Whether HubSpot would accept the string as an e-mail address. */
export function isValidEmail(value: string): boolean {
  return EMAIL_PATTERN.test(value);
}

/** The form in which a unique value is stored and compared (e-mail addresses ignore case). */
export function normaliseUnique(name: string, value: string): string {
  return name === 'email' ? value.trim().toLowerCase() : value;
}

function asString(value: unknown): string | null {
  if (value === null || value === undefined) return null;
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return JSON.stringify(value);
}

/** Validates and normalises the property values of one write. */
export function validateProperties(
  registry: PropertyRegistry,
  type: string,
  input: PropertyInput,
): ValidatedProperties {
  const values: Record<string, string | null> = {};
  const issues: PropertyIssue[] = [];
  for (const [name, raw] of Object.entries(input)) {
    const def = registry.get(type, name);
    if (!def) {
      issues.push(propertyIssue(name, 'PROPERTY_DOESNT_EXIST', `Property "${name}" does not exist`));
      continue;
    }
    if (def.modificationMetadata.readOnlyValue) {
      issues.push(
        propertyIssue(name, 'READ_ONLY_VALUE', `${name} is a read only property; its value cannot be set.`),
      );
      continue;
    }
    const value = asString(raw);
    // An empty string clears the value, as the spec states for updates.
    if (value === null || value === '') {
      values[name] = null;
      continue;
    }
    if (name === 'email') {
      const email = value.trim().toLowerCase();
      if (!isValidEmail(email)) {
        issues.push(propertyIssue(name, 'INVALID_EMAIL', `Email address ${value} is invalid`));
        continue;
      }
      values[name] = email;
      continue;
    }
    if (def.type === 'enumeration' && def.options.length > 0) {
      const allowed = new Set(def.options.map((o) => o.value));
      const bad = value.split(';').filter((v) => !allowed.has(v));
      if (bad.length > 0) {
        issues.push(
          propertyIssue(
            name,
            'INVALID_OPTION',
            `${bad.join(';')} was not one of the allowed options: ${[...allowed].map((v) => `[${v}]`).join(', ')}`,
          ),
        );
        continue;
      }
    }
    if (def.type === 'number' && !Number.isFinite(Number(value))) {
      issues.push(propertyIssue(name, 'INVALID_LONG', `${value} was not a valid number.`));
      continue;
    }
    values[name] = value;
  }
  return { values, issues };
}

import type { TextKey } from './i18n/index.tsx';
import type { SystemName } from './types.ts';

/** One input of a connection form: a config field (shown) or a secret field (write-only). */
export interface ConnectionField {
  key: string;
  part: 'config' | 'secret';
  type: 'text' | 'url' | 'number';
  label: TextKey;
  hint?: TextKey;
  required?: boolean;
  placeholder?: string;
}

/** The form of each system, after the connectors' config and secret schemas. */
export const CONNECTION_FIELDS: Partial<Record<SystemName, ConnectionField[]>> = {
  sql: [
    { key: 'url', part: 'config', type: 'text', label: 'conn.f.url', hint: 'conn.f.urlHint', required: true },
    { key: 'password', part: 'secret', type: 'text', label: 'conn.f.password' },
  ],
  hubspot: [
    {
      key: 'baseUrl',
      part: 'config',
      type: 'url',
      label: 'conn.f.baseUrl',
      placeholder: 'https://api.hubapi.com',
    },
    {
      key: 'requestsPer10s',
      part: 'config',
      type: 'number',
      label: 'conn.f.requestsPer10s',
      placeholder: '100',
    },
    { key: 'accessToken', part: 'secret', type: 'text', label: 'conn.f.accessToken', required: true },
  ],
  brevo: [
    {
      key: 'baseUrl',
      part: 'config',
      type: 'url',
      label: 'conn.f.baseUrl',
      placeholder: 'https://api.brevo.com/v3',
    },
    { key: 'apiKey', part: 'secret', type: 'text', label: 'conn.f.apiKey', required: true },
  ],
  abacus: [
    {
      key: 'baseUrl',
      part: 'config',
      type: 'url',
      label: 'conn.f.baseUrl',
      required: true,
      placeholder: 'https://abacus.example.ch',
    },
    { key: 'mandant', part: 'config', type: 'number', label: 'conn.f.mandant', required: true },
    { key: 'clientId', part: 'secret', type: 'text', label: 'conn.f.clientId', required: true },
    { key: 'clientSecret', part: 'secret', type: 'text', label: 'conn.f.clientSecret', required: true },
  ],
  moodle: [
    {
      key: 'baseUrl',
      part: 'config',
      type: 'url',
      label: 'conn.f.moodleUrl',
      required: true,
      placeholder: 'https://lms.example.ch',
    },
    {
      key: 'requestsPer10s',
      part: 'config',
      type: 'number',
      label: 'conn.f.requestsPer10s',
      placeholder: '200',
    },
    {
      key: 'token',
      part: 'secret',
      type: 'text',
      label: 'conn.f.wsToken',
      hint: 'conn.f.wsTokenHint',
      required: true,
    },
  ],
};

/** Systems that have a form (and a connector). */
export const FORM_SYSTEMS = Object.keys(CONNECTION_FIELDS) as SystemName[];

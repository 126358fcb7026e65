import type { ApiError } from './api.ts';
import { isTextKey, type TextKey } from './i18n/index.tsx';

type Translate = (key: TextKey, vars?: Record<string, string | number>) => string;

/**
 * An API error in the UI's language: the server's stable `code` picks the text (`error.<code>`), its
 * `details` fill the text's `{placeholders}`; a code without a text shows the server's (English) message.
 */
export function errorText(error: ApiError | Error, t: Translate): string {
  const api = error as Partial<ApiError>;
  const key = `error.${api.code ?? ''}`;
  if (api.code && isTextKey(key)) {
    const details = api.details && typeof api.details === 'object' ? api.details : {};
    const vars = Object.fromEntries(
      Object.entries(details as Record<string, unknown>)
        .filter(([, v]) => typeof v === 'string' || typeof v === 'number')
        .map(([k, v]) => [k, v as string | number]),
    );
    return t(key, { message: error.message, ...vars });
  }
  return error.message;
}

/** The form field an API error belongs to (`details.field`), if it names one. */
export function errorField(error: ApiError | Error | null | undefined): string | null {
  const details = (error as Partial<ApiError> | null | undefined)?.details;
  const field = details && typeof details === 'object' ? (details as { field?: unknown }).field : undefined;
  return typeof field === 'string' ? field : null;
}

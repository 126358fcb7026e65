import { createContext, type ReactNode, useCallback, useContext, useEffect, useMemo, useState } from 'react';
import { de } from './de.ts';
import { deWorkspaces } from './de-workspaces.ts';
import { en } from './en.ts';
import { enWorkspaces } from './en-workspaces.ts';

// A feature's texts may live in their own file per language; the dictionary is their union.
const EN = { ...en, ...enWorkspaces };
/** Every text the UI has; each language fills all of them. */
export type TextKey = keyof typeof EN;
export const LANGUAGES = ['de', 'en'] as const;
export type Language = (typeof LANGUAGES)[number];

const DICTIONARIES: Record<Language, Record<TextKey, string>> = { en: EN, de: { ...de, ...deWorkspaces } };
const STORAGE_KEY = 'junction.language';

/** The saved choice, else the browser's language (German for any de-*), else English. */
export function initialLanguage(): Language {
  const saved = typeof localStorage === 'undefined' ? null : localStorage.getItem(STORAGE_KEY);
  if (saved === 'de' || saved === 'en') return saved;
  const browser = typeof navigator === 'undefined' ? 'en' : navigator.language;
  return browser.toLowerCase().startsWith('de') ? 'de' : 'en';
}

/** Whether a key made at run time (from an error code) has a text. */
export const isTextKey = (key: string): key is TextKey => Object.hasOwn(EN, key);

/** Fills `{name}` placeholders. */
function fill(text: string, vars?: Record<string, string | number>): string {
  if (!vars) return text;
  return text.replace(/\{(\w+)\}/g, (all, name: string) => (name in vars ? String(vars[name]) : all));
}

// German dates follow Swiss usage, dd.MM.yyyy HH:mm; built from parts so no locale comma creeps in.
const DE_DATE = new Intl.DateTimeFormat('de-CH', {
  day: '2-digit',
  month: '2-digit',
  year: 'numeric',
  hour: '2-digit',
  minute: '2-digit',
});
const EN_DATE = new Intl.DateTimeFormat('en-GB', { dateStyle: 'medium', timeStyle: 'short' });

/** A date and time in the language's format ('05.03.2025 14:30' in German). */
export function formatDateTime(lang: Language, value: string | Date | null | undefined): string {
  if (!value) return '—';
  const d = typeof value === 'string' ? new Date(value) : value;
  if (Number.isNaN(d.getTime())) return '—';
  if (lang === 'en') return EN_DATE.format(d);
  const p = Object.fromEntries(DE_DATE.formatToParts(d).map((x) => [x.type, x.value]));
  return `${p.day}.${p.month}.${p.year} ${p.hour}:${p.minute}`;
}

/** A short day label for chart axes ('05.03.' / '5 Mar'). */
export function formatDay(lang: Language, d: Date): string {
  return lang === 'de'
    ? `${String(d.getDate()).padStart(2, '0')}.${String(d.getMonth() + 1).padStart(2, '0')}.`
    : d.toLocaleDateString('en-GB', { day: 'numeric', month: 'short' });
}

/** A duration from milliseconds: '850 ms', '12 s', '3 min 5 s'. */
export function formatDuration(ms: number | null): string {
  if (ms === null || ms < 0) return '—';
  if (ms < 1000) return `${ms} ms`;
  const s = Math.round(ms / 1000);
  if (s < 60) return `${s} s`;
  return `${Math.floor(s / 60)} min ${s % 60} s`;
}

interface I18n {
  lang: Language;
  setLang(lang: Language): void;
  t(key: TextKey, vars?: Record<string, string | number>): string;
  date(value: string | Date | null | undefined): string;
  number(n: number): string;
}

const I18nContext = createContext<I18n | null>(null);

/** Provides the language, its texts and formats to the app; remembers the choice. */
export function I18nProvider({ children }: { children: ReactNode }) {
  const [lang, setLangState] = useState<Language>(initialLanguage);
  useEffect(() => {
    document.documentElement.lang = lang === 'de' ? 'de-CH' : 'en';
  }, [lang]);
  const setLang = useCallback((l: Language) => {
    localStorage.setItem(STORAGE_KEY, l);
    setLangState(l);
  }, []);
  const value = useMemo<I18n>(() => {
    const numbers = new Intl.NumberFormat(lang === 'de' ? 'de-CH' : 'en-GB');
    return {
      lang,
      setLang,
      t: (key, vars) => fill(DICTIONARIES[lang][key] ?? EN[key], vars),
      date: (v) => formatDateTime(lang, v),
      number: (n) => numbers.format(n),
    };
  }, [lang, setLang]);
  return <I18nContext.Provider value={value}>{children}</I18nContext.Provider>;
}

/** The current language's texts and formats. */
export function useI18n(): I18n {
  const ctx = useContext(I18nContext);
  if (!ctx) throw new Error('useI18n outside I18nProvider');
  return ctx;
}

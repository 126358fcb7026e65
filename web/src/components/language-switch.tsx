import { LANGUAGES, useI18n } from '../i18n/index.tsx';

/** Language buttons; the current one is marked pressed. */
export function LanguageSwitch() {
  const { lang, setLang, t } = useI18n();
  return (
    <fieldset className="lang-switch" aria-label={t('app.language')}>
      {LANGUAGES.map((l) => (
        <button
          key={l}
          type="button"
          className="btn btn-small btn-ghost"
          aria-pressed={lang === l}
          onClick={() => setLang(l)}
          lang={l}
        >
          {l.toUpperCase()}
        </button>
      ))}
    </fieldset>
  );
}

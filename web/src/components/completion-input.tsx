import { type KeyboardEvent, useId, useLayoutEffect, useRef, useState } from 'react';
import type { Completion, Suggestion } from '../expression-completion.ts';
import { type TextKey, useI18n } from '../i18n/index.tsx';

type Control = HTMLInputElement | HTMLTextAreaElement;

const KIND_LABEL: Record<Suggestion['kind'], TextKey> = {
  field: 'complete.field',
  relation: 'complete.relation',
  function: 'complete.function',
  keyword: 'complete.keyword',
};

/**
 * A text input (or textarea) with a completion list under it, keyboard first: typing opens the list,
 * ↓/↑ move through it, Enter or Tab take the entry, Escape closes it, Ctrl+Space opens it at an empty
 * word. A single-line input is a `combobox`; a textarea stays a textbox that controls the list (ARIA
 * allows a textarea no other role), both pointing at the active entry with `aria-activedescendant`.
 */
export function CompletionInput({
  field,
  value,
  onValue,
  complete,
  multiline = false,
  listLabel,
  ...rest
}: {
  /** The props `Field` hands its control (id, description, invalid). */
  field: { id: string; 'aria-describedby'?: string; 'aria-invalid'?: boolean };
  value: string;
  onValue: (value: string) => void;
  /** What to offer for the text at the caret (`force`: asked for with Ctrl+Space or ↓). */
  complete: (text: string, caret: number, force: boolean) => Completion | null;
  multiline?: boolean;
  listLabel: string;
  name?: string;
  className?: string;
  rows?: number;
  required?: boolean;
  placeholder?: string;
}) {
  const { t } = useI18n();
  const listId = useId();
  const ref = useRef<Control>(null);
  const [offer, setOffer] = useState<Completion | null>(null);
  const [active, setActive] = useState(0);
  // Where the caret goes after an entry was taken (set once React has rendered the new text).
  const caretAfter = useRef<number | null>(null);
  useLayoutEffect(() => {
    const at = caretAfter.current;
    if (at === null || !ref.current) return;
    caretAfter.current = null;
    ref.current.setSelectionRange(at, at);
  });

  const ask = (text: string, caret: number, force = false) => {
    setOffer(complete(text, caret, force));
    setActive(0);
  };
  const take = (item: Suggestion) => {
    if (!offer) return;
    const next = value.slice(0, offer.start) + item.insert + value.slice(offer.end);
    caretAfter.current = offer.start + item.insert.length;
    setOffer(null);
    onValue(next);
  };
  const onKeyDown = (e: KeyboardEvent<Control>) => {
    const caret = e.currentTarget.selectionStart ?? value.length;
    if (!offer) {
      if ((e.key === ' ' && e.ctrlKey) || (e.key === 'ArrowDown' && !multiline)) {
        e.preventDefault();
        ask(value, caret, true);
      }
      return;
    }
    const n = offer.items.length;
    if (e.key === 'ArrowDown' || e.key === 'ArrowUp') {
      e.preventDefault();
      setActive((a) => (a + (e.key === 'ArrowDown' ? 1 : n - 1)) % n);
    } else if (e.key === 'Enter' || e.key === 'Tab') {
      const item = offer.items[active];
      if (!item) return;
      e.preventDefault();
      take(item);
    } else if (e.key === 'Escape') {
      // Closing the list must not also close whatever the input sits in.
      e.preventDefault();
      e.stopPropagation();
      setOffer(null);
    }
  };
  const open = offer !== null;
  const optionId = (i: number) => `${listId}-${i}`;
  const control = {
    ...field,
    ...rest,
    ref: ref as never,
    value,
    autoComplete: 'off',
    spellCheck: false,
    'aria-autocomplete': 'list' as const,
    'aria-controls': listId,
    'aria-activedescendant': open ? optionId(active) : undefined,
    onChange: (e: { target: Control }) => {
      onValue(e.target.value);
      ask(e.target.value, e.target.selectionStart ?? e.target.value.length);
    },
    onKeyDown,
    onBlur: () => setOffer(null),
  };
  return (
    <div className="completion">
      {multiline ? <textarea {...control} /> : <input {...control} role="combobox" aria-expanded={open} />}
      {/* The list stays in the page (hidden when closed), so aria-controls always names an element. */}
      <div id={listId} role="listbox" aria-label={listLabel} className="completion-list" hidden={!open}>
        {offer?.items.map((item, i) => (
          <div
            key={`${item.kind}-${item.label}`}
            id={optionId(i)}
            role="option"
            // Focus stays in the input (aria-activedescendant); -1 only makes the option focusable at all.
            tabIndex={-1}
            aria-selected={i === active}
            className={i === active ? 'active' : undefined}
            // Taken on mousedown, before the input's blur closes the list.
            onMouseDown={(e) => {
              e.preventDefault();
              take(item);
            }}
          >
            <code>{item.label}</code>
            <span className="completion-detail">
              {t(KIND_LABEL[item.kind])}
              {item.detail ? ` · ${item.detail}` : ''}
            </span>
          </div>
        ))}
      </div>
    </div>
  );
}

import { useId, useState, type KeyboardEvent } from 'react';
import { useI18n } from '../i18n/i18n.tsx';

/**
 * An editable list of words shown as chips: type a word and press Enter (not while the IME is
 * converting) or the add button; × removes a word. A word already in the list is not added
 * twice. Read only, it is the chips alone.
 */
export function WordList({
  label,
  hint,
  words,
  onChange,
  readOnly,
  problem,
  field,
}: {
  label: string;
  hint?: string;
  words: readonly string[];
  onChange(words: string[]): void;
  readOnly: boolean;
  /** The server's refusal of this list, in words, and the list's field path. */
  problem?: string;
  field?: string;
}) {
  const { t } = useI18n();
  const e = t.charter.editor;
  const id = useId();
  const [typed, setTyped] = useState('');
  const word = typed.trim();
  const duplicate = words.includes(word);
  const add = () => {
    if (word === '' || duplicate) return;
    onChange([...words, word]);
    setTyped('');
  };
  const onKeyDown = (event: KeyboardEvent<HTMLInputElement>) => {
    if (event.key !== 'Enter' || event.nativeEvent.isComposing) return;
    event.preventDefault();
    add();
  };
  const describedBy = [hint ? `${id}-hint` : '', problem ? `${id}-problem` : ''].filter(Boolean).join(' ') || undefined;
  return (
    <div className="word-list" role="group" aria-labelledby={`${id}-label`} aria-describedby={describedBy}>
      <span className="word-list-label" id={`${id}-label`}>
        {label}
      </span>
      {hint && (
        <span className="field-hint" id={`${id}-hint`}>
          {hint}
        </span>
      )}
      {words.length === 0 ? (
        <p className="muted small word-list-empty">{e.noWords}</p>
      ) : (
        <ul className="chips" aria-label={label}>
          {words.map((w, index) => (
            <li key={`${index}-${w}`} className="chip">
              <span>{w}</span>
              {!readOnly && (
                <button
                  type="button"
                  className="chip-remove"
                  aria-label={e.removeWord(w)}
                  title={e.removeWord(w)}
                  onClick={() => onChange(words.filter((_, i) => i !== index))}
                >
                  ×
                </button>
              )}
            </li>
          ))}
        </ul>
      )}
      {!readOnly && (
        <div className="word-list-add">
          <input
            type="text"
            value={typed}
            aria-label={e.addWord(label)}
            aria-invalid={problem ? true : undefined}
            aria-describedby={[duplicate && word !== '' ? `${id}-duplicate` : '', problem ? `${id}-problem` : ''].filter(Boolean).join(' ') || undefined}
            onChange={(event) => setTyped(event.target.value)}
            onKeyDown={onKeyDown}
          />
          <button type="button" className="button button-small" onClick={add} disabled={word === '' || duplicate}>
            {e.add}
          </button>
          {duplicate && word !== '' && (
            <span className="field-hint" id={`${id}-duplicate`}>
              {e.duplicateWord}
            </span>
          )}
        </div>
      )}
      {problem && (
        <p className="field-problem" id={`${id}-problem`} data-field={field}>
          {problem}
        </p>
      )}
    </div>
  );
}

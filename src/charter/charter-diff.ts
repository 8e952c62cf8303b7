import type { Charter } from './types.ts';

/** A field of the charter that changed between two versions, in words: `limits.emoji: few → none`. */
export interface CharterChange {
  field: string;
  summary: string;
}

/**
 * What changed from `before` to `after` (before undefined: the first version, every field
 * set). Scalars are shown old → new (long texts only as "rewritten"), lists of words by what
 * was added and removed, the dictionary, avoided words and pressure phrases by their key
 * (preferred term, word, phrase): added, removed, changed.
 */
export function diffCharters(before: Charter | undefined, after: Charter): CharterChange[] {
  if (!before) return [{ field: 'charter', summary: `first version: 「${after.relationship}」のような関係` }];
  const changes: CharterChange[] = [];
  const scalar = (field: string, a: unknown, b: unknown, shown = true) => {
    if (a !== b) changes.push({ field, summary: shown ? `${field}: ${show(a)} → ${show(b)}` : `${field}: rewritten` });
  };
  const words = (field: string, a: string[], b: string[]) => {
    const added = b.filter((w) => !a.includes(w));
    const removed = a.filter((w) => !b.includes(w));
    if (added.length + removed.length === 0 && a.join('\u0000') !== b.join('\u0000')) changes.push({ field, summary: `${field}: reordered` });
    else if (added.length + removed.length > 0) changes.push({ field, summary: `${field}: ${listed(added, removed)}` });
  };
  const keyed = <T>(field: string, a: T[], b: T[], key: (item: T) => string) => {
    const before = new Map(a.map((item) => [key(item), canonical(item)]));
    const after = new Map(b.map((item) => [key(item), canonical(item)]));
    const added = [...after.keys()].filter((k) => !before.has(k));
    const removed = [...before.keys()].filter((k) => !after.has(k));
    const changed = [...after.keys()].filter((k) => before.has(k) && before.get(k) !== after.get(k));
    if (added.length + removed.length + changed.length === 0) return;
    const parts = [listed(added, removed), changed.length > 0 ? `changed ${changed.join(', ')}` : ''].filter(Boolean);
    changes.push({ field, summary: `${field}: ${parts.join('; ')}` });
  };

  scalar('relationship', before.relationship, after.relationship);
  scalar('meaning', before.meaning, after.meaning, false);
  scalar('goal', before.goal, after.goal, false);
  scalar('register', before.register, after.register);
  words('address.use', before.address.use, after.address.use);
  words('address.avoid', before.address.avoid, after.address.avoid);
  keyed('dictionary', before.dictionary, after.dictionary, (entry) => entry.preferred);
  keyed('avoid', before.avoid, after.avoid, (entry) => entry.word);
  keyed('pressure', before.pressure, after.pressure, (entry) => entry.phrase);
  for (const limit of ['maxSentenceLength', 'maxCommasPerSentence', 'maxExclamations', 'emoji'] as const) {
    scalar(`limits.${limit}`, before.limits[limit], after.limits[limit]);
  }
  words('greetings', before.greetings, after.greetings);
  words('signOffs', before.signOffs, after.signOffs);
  words('claimsPacks', before.claimsPacks, after.claimsPacks);
  return changes;
}

function show(value: unknown): string {
  return value === null ? 'not fixed' : String(value);
}

function listed(added: string[], removed: string[]): string {
  return [added.length > 0 ? `added ${added.join(', ')}` : '', removed.length > 0 ? `removed ${removed.join(', ')}` : ''].filter(Boolean).join('; ');
}

/** JSON with the keys sorted: the stored charter (jsonb) comes back with its keys in another order. */
function canonical(value: unknown): string {
  return JSON.stringify(value, (_key, inner: unknown) =>
    inner && typeof inner === 'object' && !Array.isArray(inner)
      ? Object.fromEntries(Object.entries(inner).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
      : inner,
  );
}

import type pg from 'pg';
import { readCharter } from './charters.ts';
import { listTemplatesWithText, type MessageTemplate } from './templates.ts';
import { DEPARTMENTS, type Charter, type Department, type Severity } from './types.ts';

/**
 * The one-voice report: for each department, its templates and their scores, the rules its
 * findings come from most often, and how it addresses the customer (the address forms found
 * in its templates, with an example each), so the brand sees where its voice splits.
 */
export interface OneVoiceReport {
  charterVersion: number | null;
  departments: DepartmentVoice[];
  /** Address forms some department uses that the charter does not (its `address.use`), with who uses them. */
  splits: { form: string; departments: Department[] }[];
}

export interface DepartmentVoice {
  department: Department;
  templates: { id: string; name: string; channel: MessageTemplate['channel']; status: MessageTemplate['status']; score: number }[];
  /** Mean score of its templates; null without templates. */
  meanScore: number | null;
  /** Findings counted by rule, most common first (at most 5). */
  topFindings: { rule: string; severity: Severity; count: number; example: string }[];
  /** How it addresses the customer, most used first. */
  addressForms: AddressForm[];
}

export interface AddressForm {
  form: string;
  /** 'use': the charter's form; 'avoid': a form the charter does not use; 'other': not in the charter. */
  standing: 'use' | 'avoid' | 'other';
  count: number;
  /** A few characters around the first use, as written. */
  example: string;
  templateName: string;
}

/** Forms of address a Japanese brand's message may use beside the charter's own. */
const COMMON_ADDRESS_FORMS = [
  'お客様',
  'お客さま',
  'お客さん',
  'おきゃくさま',
  'あなた',
  '皆様',
  '皆さま',
  'みなさま',
  '皆さん',
  'みなさん',
  '会員様',
  '会員の皆様',
  'ユーザー様',
];
/** {{ customer.name }}様 and the like: the customer's name from a Liquid variable with an honorific. */
const NAMED_ADDRESS = /\{\{\s*customer\.[a-z_]+\s*\}\}\s*(様|さま|さん|殿)/g;

export async function oneVoiceReport(params: { pool: pg.Pool; workspaceId: string }): Promise<OneVoiceReport> {
  const stored = await readCharter(params);
  const templates = await listTemplatesWithText(params);
  const departments = DEPARTMENTS.map((department) =>
    departmentVoice(
      department,
      templates.filter((t) => t.department === department),
      stored?.charter,
    ),
  );
  const offCharter = new Map<string, Department[]>();
  for (const voice of departments) {
    for (const form of voice.addressForms) {
      if (form.standing === 'use') continue;
      offCharter.set(form.form, [...(offCharter.get(form.form) ?? []), voice.department]);
    }
  }
  return {
    charterVersion: stored?.version ?? null,
    departments,
    splits: [...offCharter].map(([form, users]) => ({ form, departments: users })),
  };
}

function departmentVoice(department: Department, templates: MessageTemplate[], charter: Charter | undefined): DepartmentVoice {
  const byRule = new Map<string, DepartmentVoice['topFindings'][number]>();
  for (const finding of templates.flatMap((t) => t.check.findings)) {
    const seen = byRule.get(finding.rule);
    if (seen) seen.count += 1;
    else byRule.set(finding.rule, { rule: finding.rule, severity: finding.severity, count: 1, example: finding.text });
  }
  return {
    department,
    templates: templates.map(({ id, name, channel, status, score }) => ({ id, name, channel, status, score })),
    meanScore: templates.length === 0 ? null : Math.round((templates.reduce((sum, t) => sum + t.score, 0) / templates.length) * 10) / 10,
    topFindings: [...byRule.values()].sort((a, b) => b.count - a.count || a.rule.localeCompare(b.rule)).slice(0, 5),
    addressForms: addressFormsIn(templates, charter),
  };
}

/**
 * A few characters either side of text[start, end), the way the reader sees them (HTML tags
 * and whitespace runs collapsed), with … where the text goes on.
 */
export function excerpt(text: string, start: number, end: number, around = 12): string {
  const from = widen(text, start, -1, around);
  const to = widen(text, end, 1, around);
  const inner = text
    .slice(from, to)
    .replace(/<[^>]*>/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();
  return `${from > 0 ? '…' : ''}${inner}${to < text.length ? '…' : ''}`;
}

/** The offset `around` visible characters away from `at` (step -1: to the left), tags skipped whole. */
function widen(text: string, at: number, step: 1 | -1, around: number): number {
  let i = at;
  for (let seen = 0; seen < around; ) {
    const next = step < 0 ? i - 1 : i;
    if (next < 0 || next >= text.length) break;
    const char = text[next];
    const tagEnd = step < 0 && char === '>' ? text.lastIndexOf('<', next) : step > 0 && char === '<' ? text.indexOf('>', next) : -2;
    if (tagEnd === -1) break;
    if (tagEnd >= 0) i = step < 0 ? tagEnd : tagEnd + 1;
    else {
      i += step;
      seen += 1;
    }
  }
  return i;
}

/** The address forms written in the templates' subjects and bodies, most used first. */
function addressFormsIn(templates: MessageTemplate[], charter: Charter | undefined): AddressForm[] {
  const known = [...new Set([...(charter?.address.use ?? []), ...(charter?.address.avoid ?? []), ...COMMON_ADDRESS_FORMS])]
    .filter((form) => !/\{\{/.test(form))
    .sort((a, b) => b.length - a.length);
  const forms = new Map<string, AddressForm>();
  const count = (form: string, text: string, at: number, templateName: string) => {
    const seen = forms.get(form);
    if (seen) {
      seen.count += 1;
      return;
    }
    forms.set(form, {
      form,
      standing: standingOf(form, charter),
      count: 1,
      templateName,
      example: excerpt(text, at, at + form.length),
    });
  };
  for (const template of templates) {
    for (const text of [template.subject ?? '', template.body]) {
      const taken = new Set<number>();
      for (const match of text.matchAll(NAMED_ADDRESS)) {
        count(`{{ customer.name }}${match[1]}`, text, match.index, template.name);
        for (let i = match.index; i < match.index + match[0].length; i += 1) taken.add(i);
      }
      // Longest forms first, so 会員の皆様 is not also counted as 皆様.
      for (const form of known) {
        for (let at = text.indexOf(form); at >= 0; at = text.indexOf(form, at + form.length)) {
          if (taken.has(at)) continue;
          for (let i = at; i < at + form.length; i += 1) taken.add(i);
          count(form, text, at, template.name);
        }
      }
    }
  }
  return [...forms.values()].sort((a, b) => b.count - a.count || a.form.localeCompare(b.form));
}

function standingOf(form: string, charter: Charter | undefined): AddressForm['standing'] {
  const normalized = (text: string) => text.replace(/\{\{\s*customer\.[a-z_]+\s*\}\}/g, '{{ customer.name }}');
  if (charter?.address.use.some((use) => normalized(use) === form)) return 'use';
  if (charter?.address.avoid.includes(form) || charter?.dictionary.some((entry) => entry.variants.includes(form))) return 'avoid';
  return 'other';
}

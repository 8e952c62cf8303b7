import path from 'node:path';
import type { FindingRange, MessageChannel, MessageFormat, MessageInput } from '../../../charter/types.ts';

/**
 * A message read from a file for `kizuna charter check`: the format from the extension
 * (.html/.htm → html, .mjml → mjml, else text) and, for email, an optional first line
 * `Subject: …` as the subject. `locate` turns a finding's range back into the file's line
 * and column (1-based, in characters), so an editor or CI can point at it.
 */
export interface MessageFile {
  message: MessageInput;
  locate(range: FindingRange): { line: number; column: number };
}

const SUBJECT_LINE = /^(Subject|件名)[:：][ \t]*/i;

export function formatOfFile(file: string): MessageFormat {
  const extension = path.extname(file).toLowerCase();
  if (extension === '.html' || extension === '.htm') return 'html';
  if (extension === '.mjml') return 'mjml';
  return 'text';
}

export function readMessageFile(params: { file: string; source: string; channel: MessageChannel; department: MessageInput['department'] }): MessageFile {
  const { file, channel, department } = params;
  const source = params.source.replace(/^\uFEFF/, '');
  const format = formatOfFile(file);
  const firstBreak = source.indexOf('\n');
  const firstLine = firstBreak < 0 ? source : source.slice(0, firstBreak);
  const prefix = channel === 'email' ? SUBJECT_LINE.exec(firstLine) : null;
  const subjectStart = prefix ? prefix[0].length : 0;
  const subject = prefix ? firstLine.slice(subjectStart).replace(/\r$/, '') : undefined;
  const bodyStart = prefix ? (firstBreak < 0 ? source.length : firstBreak + 1) : 0;
  const message: MessageInput = { body: source.slice(bodyStart), format, channel, department, ...(subject ? { subject } : {}) };
  return {
    message,
    locate: (range) => positionIn(source, (range.part === 'subject' ? subjectStart : bodyStart) + range.start),
  };
}

function positionIn(source: string, offset: number): { line: number; column: number } {
  const before = source.slice(0, offset);
  const lineStart = before.lastIndexOf('\n') + 1;
  return { line: before.split('\n').length, column: [...before.slice(lineStart)].length + 1 };
}

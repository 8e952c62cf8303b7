/**
 * Neutralises a CSV cell a spreadsheet would run as a formula (CSV injection): a text cell
 * starting with `=`, `+`, `-`, `@`, a tab or a carriage return gets a leading `'`, so Excel and
 * LibreOffice show `=cmd|' /C calc'!A0` as text instead of evaluating it. A plain number
 * (`-1200`, `+3.5`, `-1e3`) is left alone: it cannot hold a formula, and a spreadsheet must
 * still read it as a number. Pure: shared by the server, the CLI and the console.
 */
export function neutralizeFormula(text: string): string {
  if (!/^[=+\-@\t\r]/.test(text)) return text;
  return PLAIN_NUMBER.test(text) ? text : `'${text}`;
}

const PLAIN_NUMBER = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

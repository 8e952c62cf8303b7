import { describe, expect, it } from 'vitest';
import { CsvLineReader, type CsvRecord } from './csv-lines.ts';

function read(text: string, chunkSize = text.length): CsvRecord[] {
  const reader = new CsvLineReader();
  const out: CsvRecord[] = [];
  for (let at = 0; at < text.length; at += chunkSize) reader.push(text.slice(at, at + chunkSize), out);
  reader.end(out);
  return out;
}

const EXPORT = ['受注番号,商品名,備考', 'A-1,"美容液, 30mL","ギフト包装\r\n「のし」あり"', '', 'A-2,"He said ""hi""",', ',,', 'A-3,クリーム,最後'].join('\r\n');

describe('CsvLineReader', () => {
  it('reads quoted commas, doubled quotes and line breaks, and numbers records by their first file line', () => {
    expect(read(EXPORT)).toEqual([
      { line: 1, cells: ['受注番号', '商品名', '備考'] },
      { line: 2, cells: ['A-1', '美容液, 30mL', 'ギフト包装\r\n「のし」あり'] },
      { line: 5, cells: ['A-2', 'He said "hi"', ''] },
      { line: 7, cells: ['A-3', 'クリーム', '最後'] },
    ]);
  });

  it('gives the same records however the text is cut into chunks', () => {
    const whole = read(EXPORT);
    for (let size = 1; size <= EXPORT.length; size += 1) expect(read(EXPORT, size)).toEqual(whole);
  });

  it('reads LF-only and bare-CR files alike', () => {
    const expected = [
      { line: 1, cells: ['a', 'b'] },
      { line: 2, cells: ['1', '2'] },
    ];
    expect(read('a,b\n1,2\n')).toEqual(expected);
    expect(read('a,b\r1,2\r')).toEqual(expected);
    expect(read('a,b\r\n1,2')).toEqual(expected);
  });

  it('flags an unclosed quote and text after a closing quote', () => {
    expect(read('a,b\n1,"open\n2,3\n')).toEqual([
      { line: 1, cells: ['a', 'b'] },
      { line: 2, cells: ['1', 'open\n2,3\n'], malformed: 'a quoted field never ends (unclosed quote)', code: 'unclosed_quote' },
    ]);
    expect(read('a,b\n"x"y,2\n')[1]).toEqual({ line: 2, cells: ['xy', '2'], malformed: 'text after a closing quote' });
  });
});

import { XMLValidator } from 'fast-xml-parser';
import * as fontkit from 'fontkit';
import { describe, expect, it } from 'vitest';
import { KizunaError } from '../../shared/errors.ts';
import type { JourneyMap } from '../model.ts';
import { defaultPngWidth, exportDiagram, type Paper } from './export.ts';
import { DIAGRAM_LABELS_EN, DIAGRAM_LABELS_JA } from './labels.ts';
import type { DiagramInput } from './types.ts';

const STAGE_NAMES = ['認知', '初回購入', '実感', '定期継続', '日常化'];
const GOAL = 'ストレスがなく健康で、ブランドとの接点が日常化している状態';

function sampleInput(labels = DIAGRAM_LABELS_JA): DiagramInput {
  const map: JourneyMap = {
    name: 'みのり青汁本舗 CRM戦略',
    goal: GOAL,
    stages: STAGE_NAMES.map((name, i) => ({ key: `s${i}`, name })),
    levels: ['無関心', '関心', '信頼', '好意', 'ファン'].map((name, j) => ({ key: `l${j}`, name })),
    cells: [
      {
        stage: 's0',
        level: 'l0',
        feelings: '青汁は苦そう',
        measures: [{ name: 'お試しセット広告', department: 'marketing', solution: '広告', status: 'in_use' }],
      },
      { stage: 's4', level: 'l4', goal: true, feelings: '毎朝の習慣になった' },
    ],
  };
  return {
    map,
    cells: [
      { stage: 's0', level: 'l0', customers: 600 },
      { stage: 's4', level: 'l4', customers: 400 },
    ],
    profiles: 1000,
    flows: [{ from: { stage: 's0', level: 'l0' }, to: { stage: 's1', level: 'l1' }, customers: 80, kind: 'advance' }],
    period: { from: '2025-01-01', to: '2025-03-31' },
    labels,
  };
}

/** Width and height from a PNG's IHDR chunk (bytes 16–23). */
function pngSize(png: Buffer): { width: number; height: number } {
  expect(png.subarray(0, 8)).toEqual(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]));
  expect(png.toString('latin1', 12, 16)).toBe('IHDR');
  return { width: png.readUInt32BE(16), height: png.readUInt32BE(20) };
}

async function pdfText(pdf: Buffer): Promise<{ view: number[]; text: string; title: unknown; pages: number }> {
  const pdfjs = await import('pdfjs-dist/legacy/build/pdf.mjs');
  const document = await pdfjs.getDocument({ data: new Uint8Array(pdf) }).promise;
  const page = await document.getPage(1);
  const content = await page.getTextContent();
  const text = content.items.map((item) => ('str' in item ? item.str : '')).join('');
  const { info } = await document.getMetadata();
  return { view: page.view, text, title: (info as { Title?: unknown }).Title, pages: document.numPages };
}

describe('diagram exports', () => {
  it('SVG: well-formed XML with the stage names and a Noto Sans JP subset embedded that maps their characters', async () => {
    const result = await exportDiagram({ input: sampleInput(), format: 'svg', paper: 'a4' });
    expect(result.contentType).toBe('image/svg+xml');
    expect(result.filename).toBe('journey-map-2025-01-01_2025-03-31.svg');
    const svg = result.body.toString('utf8');
    expect(XMLValidator.validate(svg)).toBe(true);
    expect(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 1600 1131.37"')).toBe(true);
    for (const name of STAGE_NAMES) expect(svg).toContain(`>${name}</text>`);
    expect(svg).toContain(`>${GOAL}</text>`);
    const faces = [
      ...svg.matchAll(/@font-face\{font-family:'Noto Sans JP';font-style:normal;font-weight:(\d+);src:url\(data:font\/ttf;base64,([A-Za-z0-9+/=]+)\)/g),
    ];
    expect(faces.map((face) => face[1])).toEqual(['400', '700']);
    // The subsets are fonts a viewer can use: a cmap from each character to a drawn glyph.
    const bold = fontkit.create(Buffer.from(faces[1]![2]!, 'base64'));
    expect(bold.familyName).toBe('Noto Sans JP');
    for (const char of STAGE_NAMES.join('')) {
      const glyph = bold.glyphForCodePoint(char.codePointAt(0)!);
      expect(glyph.id, char).toBeGreaterThan(0);
      expect(glyph.advanceWidth, char).toBe(1000);
    }
    const regular = Buffer.from(faces[0]![2]!, 'base64');
    expect(fontkit.create(regular).glyphForCodePoint('標'.codePointAt(0)!).id).toBe(0);
    expect(fontkit.create(regular).glyphForCodePoint('ス'.codePointAt(0)!).id).toBeGreaterThan(0);
    // A subset, not the 5 MB font.
    expect(regular.length).toBeLessThan(200_000);
  });

  it('PNG: exactly the width asked, the paper’s √2 : 1 aspect (A4 and A3 at 200 dpi by default)', async () => {
    expect(defaultPngWidth('a4')).toBe(2339);
    expect(defaultPngWidth('a3')).toBe(3307);
    const cases: Array<{ paper: Paper; width?: number; expected: [number, number] }> = [
      { paper: 'a4', expected: [2339, 1654] },
      { paper: 'a3', expected: [3307, 2338] },
      { paper: 'a4', width: 1000, expected: [1000, 707] },
    ];
    for (const { paper, width, expected } of cases) {
      const result = await exportDiagram({ input: sampleInput(), format: 'png', paper, width });
      expect(result.contentType).toBe('image/png');
      const size = pngSize(result.body);
      expect([size.width, size.height]).toEqual(expected);
      expect(Math.abs(size.height - (size.width * 210) / 297)).toBeLessThan(1.5);
    }
  });

  it('PNG: refuses a width that is not a whole number of pixels in range', async () => {
    for (const width of [99, 1000.5, 20_000]) {
      await expect(exportDiagram({ input: sampleInput(), format: 'png', paper: 'a4', width })).rejects.toThrow(KizunaError);
    }
    await expect(exportDiagram({ input: sampleInput(), format: 'png', paper: 'a4', width: 99 })).rejects.toThrow(/^width: /);
  });

  it('PDF: one landscape A4 or A3 page whose text (not paths) holds the stage names and the goal, titled with the map', async () => {
    const pages: Array<[Paper, [number, number]]> = [
      ['a4', [841.89, 595.28]],
      ['a3', [1190.55, 841.89]],
    ];
    for (const [paper, [width, height]] of pages) {
      const result = await exportDiagram({ input: sampleInput(), format: 'pdf', paper });
      expect(result.contentType).toBe('application/pdf');
      expect(result.filename).toBe(`journey-map-2025-01-01_2025-03-31-${paper}.pdf`);
      const pdf = await pdfText(result.body);
      expect(pdf.pages).toBe(1);
      expect(pdf.view[0]).toBe(0);
      expect(pdf.view[1]).toBe(0);
      expect(pdf.view[2]).toBeCloseTo(width, 1);
      expect(pdf.view[3]).toBeCloseTo(height, 1);
      expect(pdf.title).toBe('みのり青汁本舗 CRM戦略');
      for (const name of STAGE_NAMES) expect(pdf.text).toContain(name);
      expect(pdf.text).toContain(GOAL);
      expect(pdf.text).toContain('600人 (60.0%)');
      expect(pdf.text).toContain('広告: お試しセット広告');
    }
  });

  it('PDF in English: the export’s English words', async () => {
    const pdf = await pdfText((await exportDiagram({ input: sampleInput(DIAGRAM_LABELS_EN), format: 'pdf', paper: 'a4' })).body);
    expect(pdf.text).toContain('CRM strategy diagram');
    expect(pdf.text).toContain('Step-down');
    // Too wide for one line of a 5 × 5 cell: the share goes on a second line.
    expect(pdf.text).toContain('600 customers(60.0%)');
  });
});

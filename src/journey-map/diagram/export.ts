import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Resvg } from '@resvg/resvg-js';
import PDFDocument from 'pdfkit';
import SVGtoPDF from 'svg-to-pdfkit';
import { KizunaError } from '../../shared/errors.ts';
import { subsetNotoSansJp } from './font-subset.ts';
import { layoutDiagram } from './layout.ts';
import { FONT_FAMILY } from './theme.ts';
import { diagramText, renderDiagramSvg } from './svg.ts';
import type { DiagramInput, DiagramLayout } from './types.ts';

export const DIAGRAM_FORMATS = ['svg', 'png', 'pdf'] as const;
export type DiagramFormat = (typeof DIAGRAM_FORMATS)[number];
export const PAPERS = ['a4', 'a3'] as const;
export type Paper = (typeof PAPERS)[number];

/** Landscape paper in PDF points (1/72 inch) and its long side in millimetres. */
const PAPER: Record<Paper, { size: 'A4' | 'A3'; millimetres: number }> = {
  a4: { size: 'A4', millimetres: 297 },
  a3: { size: 'A3', millimetres: 420 },
};
/** The PNG's default resolution: print quality without a huge file (A4 → 2339 px, A3 → 3307 px wide). */
export const PNG_DPI = 200;
export const PNG_MAX_WIDTH = 10_000;
const PDF_MARGIN = 24;
const PDF_FONTS = { regular: 'NotoSansJP-Regular', bold: 'NotoSansJP-Bold' } as const;

export interface DiagramExport {
  contentType: string;
  body: Buffer;
  filename: string;
}

/** The PNG's width by default: the paper's long side at PNG_DPI. */
export function defaultPngWidth(paper: Paper): number {
  return Math.round((PAPER[paper].millimetres / 25.4) * PNG_DPI);
}

/** A landscape A-series page is √2 : 1; the PNG's height for a width. */
export function pngHeight(width: number): number {
  return Math.round(width / Math.SQRT2);
}

function filename(input: DiagramInput, paper: Paper, format: DiagramFormat): string {
  const period = input.period ? `-${input.period.from}_${input.period.to}`.replace(/[^0-9A-Za-z_-]/g, '') : '';
  return `journey-map${period}${format === 'svg' ? '' : `-${paper}`}.${format}`;
}

/**
 * The CRM strategy diagram as the file a consultant hands over: an SVG with the Noto Sans JP
 * subset it uses embedded, a PNG of exactly `width` px (default: the paper at 200 dpi) and the
 * paper's √2 : 1 aspect, or a PDF on an A4/A3 landscape page whose text is real text (fonts
 * embedded as subsets, so it can be searched and copied), titled with the map's name.
 */
export async function exportDiagram(params: { input: DiagramInput; format: DiagramFormat; paper: Paper; width?: number }): Promise<DiagramExport> {
  const { input, format, paper } = params;
  const layout = layoutDiagram(input);
  const name = filename(input, paper, format);
  switch (format) {
    case 'svg':
      return { contentType: 'image/svg+xml', body: Buffer.from(renderDiagramSvg(layout, { embedFont: true }), 'utf8'), filename: name };
    case 'png': {
      const width = params.width ?? defaultPngWidth(paper);
      if (!Number.isInteger(width) || width < 200 || width > PNG_MAX_WIDTH) {
        throw new KizunaError('validation_failed', `width: a PNG is 200 to ${PNG_MAX_WIDTH} px wide (a whole number), not ${width}.`, {
          problems: [{ field: 'width', reason: `a whole number from 200 to ${PNG_MAX_WIDTH}` }],
        });
      }
      return { contentType: 'image/png', body: await renderPng(layout, width), filename: name };
    }
    case 'pdf':
      return { contentType: 'application/pdf', body: await renderPdf(layout, paper), filename: name };
  }
}

/** The Noto Sans JP subsets (400, 700) holding the glyphs the layout draws: 40 kB fonts instead of 5 MB ones. */
function fontSubsets(layout: DiagramLayout): [Buffer, Buffer] {
  return [subsetNotoSansJp(400, diagramText(layout, false)), subsetNotoSansJp(700, diagramText(layout, true))];
}

/**
 * resvg reads fonts from files only; given the 5 MB Noto Sans JP files it spends about a second
 * indexing them before drawing, given the subsets a few dozen milliseconds. The subsets are
 * written to a private temporary directory, removed when the PNG is made.
 */
async function renderPng(layout: DiagramLayout, width: number): Promise<Buffer> {
  const directory = await mkdtemp(path.join(tmpdir(), 'kizuna-diagram-'));
  try {
    const [regular, bold] = fontSubsets(layout);
    const files = [path.join(directory, 'regular.ttf'), path.join(directory, 'bold.ttf')];
    await Promise.all([writeFile(files[0]!, regular), writeFile(files[1]!, bold)]);
    const svg = renderDiagramSvg(layout, { width, height: pngHeight(width) });
    const resvg = new Resvg(svg, {
      font: { fontFiles: files, loadSystemFonts: false, defaultFontFamily: FONT_FAMILY },
      fitTo: { mode: 'width', value: width },
      background: '#ffffff',
    });
    return resvg.render().asPng();
  } finally {
    await rm(directory, { recursive: true, force: true });
  }
}

function renderPdf(layout: DiagramLayout, paper: Paper): Promise<Buffer> {
  const doc = new PDFDocument({
    size: PAPER[paper].size,
    layout: 'landscape',
    margin: PDF_MARGIN,
    info: { Title: layout.title, Creator: 'Kizuna' },
    displayTitle: true,
  });
  const chunks: Buffer[] = [];
  const done = new Promise<Buffer>((resolve, reject) => {
    doc.on('data', (chunk: Buffer) => chunks.push(chunk));
    doc.on('end', () => resolve(Buffer.concat(chunks)));
    doc.on('error', reject);
  });
  const [regular, bold] = fontSubsets(layout);
  doc.registerFont(PDF_FONTS.regular, regular);
  doc.registerFont(PDF_FONTS.bold, bold);
  SVGtoPDF(doc, renderDiagramSvg(layout), PDF_MARGIN, PDF_MARGIN, {
    width: doc.page.width - 2 * PDF_MARGIN,
    height: doc.page.height - 2 * PDF_MARGIN,
    preserveAspectRatio: 'xMidYMid meet',
    fontCallback: (_family, isBold) => (isBold ? PDF_FONTS.bold : PDF_FONTS.regular),
  });
  doc.end();
  return done;
}

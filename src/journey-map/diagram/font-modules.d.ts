// fontkit and svg-to-pdfkit ship without type declarations; these are the parts the diagram's exports use.
declare module 'fontkit' {
  export interface Glyph {
    id: number;
    advanceWidth: number;
    codePoints: number[];
  }
  export interface Subset {
    /** Adds a glyph (by id or glyph) and returns its id in the subset; glyph 0 (.notdef) is always first. */
    includeGlyph(glyph: number | Glyph): number;
    /** The subset as a TrueType file with head, hhea, loca, maxp, cvt, prep, glyf, hmtx and fpgm only. */
    encode(): Uint8Array;
  }
  export interface Font {
    unitsPerEm: number;
    familyName: string;
    glyphForCodePoint(codePoint: number): Glyph;
    hasGlyphForCodePoint(codePoint: number): boolean;
    layout(text: string): { glyphs: Glyph[] };
    createSubset(): Subset;
  }
  export function create(buffer: Uint8Array, postscriptName?: string): Font;
}

declare module 'svg-to-pdfkit' {
  export interface SvgToPdfOptions {
    width?: number;
    height?: number;
    preserveAspectRatio?: string;
    /** Maps an SVG font-family (with bold and italic) to a font registered on the document. */
    fontCallback?: (family: string, bold: boolean, italic: boolean, options: { fauxBold: boolean; fauxItalic: boolean }) => string;
    assumePt?: boolean;
    warningCallback?: (message: string) => void;
  }
  export default function SVGtoPDF(doc: PDFKit.PDFDocument, svg: string, x?: number, y?: number, options?: SvgToPdfOptions): void;
}

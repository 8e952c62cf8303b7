import { subsetNotoSansJp } from './font-subset.ts';
import { FONT_FAMILY } from './theme.ts';
import type { DiagramLayout, Shape } from './types.ts';

/** Characters XML 1.0 cannot carry at all (controls other than tab and newline, lone surrogates, U+FFFE/FFFF). */
// biome-ignore lint/suspicious/noControlCharactersInRegex: the control characters are what it removes
const NOT_XML = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;

/** Text for XML content or a double-quoted attribute: the map's words come from users. */
export function escapeXml(text: string): string {
  return text.replace(NOT_XML, '').replace(/[&<>"']/g, (char) => `&${{ '&': 'amp', '<': 'lt', '>': 'gt', '"': 'quot', "'": 'apos' }[char]};`);
}

const attribute = (name: string, value: string | number | undefined) => (value === undefined ? '' : ` ${name}="${escapeXml(String(value))}"`);

/** One shape as an SVG element (the console's React component draws the same attributes). */
export function shapeSvg(shape: Shape): string {
  switch (shape.kind) {
    case 'rect':
      return `<rect${attribute('x', shape.x)}${attribute('y', shape.y)}${attribute('width', shape.width)}${attribute('height', shape.height)}${attribute('rx', shape.radius)}${attribute('fill', shape.fill)}${attribute('stroke', shape.stroke)}${attribute('stroke-width', shape.strokeWidth)}${attribute('stroke-dasharray', shape.dash)}/>`;
    case 'circle':
      return `<circle${attribute('cx', shape.cx)}${attribute('cy', shape.cy)}${attribute('r', shape.r)}${attribute('fill', shape.fill)}${attribute('stroke', shape.stroke)}${attribute('stroke-width', shape.strokeWidth)}/>`;
    case 'path':
      return `<path${attribute('d', shape.d)}${attribute('fill', shape.fill)}${attribute('stroke', shape.stroke)}${attribute('stroke-width', shape.strokeWidth)}${attribute('stroke-dasharray', shape.dash)}${attribute('opacity', shape.opacity)}/>`;
    case 'text':
      return `<text${attribute('x', shape.x)}${attribute('y', shape.y)}${attribute('font-size', shape.size)}${shape.bold ? attribute('font-weight', 700) : ''}${attribute('fill', shape.fill)}${shape.anchor === 'start' ? '' : attribute('text-anchor', shape.anchor)}>${escapeXml(shape.text)}</text>`;
  }
}

/** Every shape of the layout, in drawing order. */
function allShapes(layout: DiagramLayout): Shape[] {
  return [
    ...layout.frame,
    ...layout.cells.flatMap((cell) => cell.shapes),
    ...layout.staircase,
    ...layout.arrows.flatMap((arrow) => arrow.shapes),
    ...layout.legend,
  ];
}

/** All the text the layout draws in regular (or bold) type: what a font subset must hold. */
export function diagramText(layout: DiagramLayout, bold: boolean): string {
  let text = '';
  for (const shape of allShapes(layout)) if (shape.kind === 'text' && shape.bold === bold) text += shape.text;
  return text;
}

/** @font-face rules with Noto Sans JP subsets (400 and 700) holding exactly the glyphs the drawing uses. */
function embeddedFonts(layout: DiagramLayout): string {
  return ([400, 700] as const)
    .map((weight) => {
      const font = subsetNotoSansJp(weight, diagramText(layout, weight === 700)).toString('base64');
      return `@font-face{font-family:'${FONT_FAMILY}';font-style:normal;font-weight:${weight};src:url(data:font/ttf;base64,${font}) format('truetype');}`;
    })
    .join('');
}

export interface SvgOptions {
  /** Embed the Noto Sans JP subset the drawing uses, so the file looks the same on any machine. */
  embedFont?: boolean;
  /** The width and height attributes (default: the layout's own size); the viewBox stays the layout's. */
  width?: number;
  height?: number;
}

/**
 * The diagram as a standalone SVG document: xmlns, viewBox, width and height, the map's name
 * as <title>, each cell a group titled with its stage, level and count. Every text is escaped.
 */
export function renderDiagramSvg(layout: DiagramLayout, options: SvgOptions = {}): string {
  const width = options.width ?? layout.width;
  const height = options.height ?? layout.height;
  const parts = [
    `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${layout.width} ${layout.height}" width="${width}" height="${height}" font-family="'${FONT_FAMILY}', sans-serif" role="img">`,
    `<title>${escapeXml(layout.title)}</title>`,
  ];
  if (options.embedFont) parts.push(`<style>${embeddedFonts(layout)}</style>`);
  parts.push(...layout.frame.map(shapeSvg));
  for (const cell of layout.cells) {
    parts.push(`<g><title>${escapeXml(cell.ariaLabel)}</title>${cell.shapes.map(shapeSvg).join('')}</g>`);
  }
  parts.push(...layout.staircase.map(shapeSvg));
  for (const arrow of layout.arrows) parts.push(`<g>${arrow.shapes.map(shapeSvg).join('')}</g>`);
  parts.push(...layout.legend.map(shapeSvg), '</svg>');
  return parts.join('\n');
}

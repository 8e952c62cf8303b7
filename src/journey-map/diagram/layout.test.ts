import { XMLValidator } from 'fast-xml-parser';
import { describe, expect, it } from 'vitest';
import type { Flow, JourneyMap, Measure } from '../model.ts';
import { PAIR_OFFSET } from './arrows.ts';
import { DIAGRAM_LABELS_EN, DIAGRAM_LABELS_JA } from './labels.ts';
import { DIAGRAM_HEIGHT, DIAGRAM_WIDTH, layoutDiagram, staircaseLevels } from './layout.ts';
import { renderDiagramSvg } from './svg.ts';
import { ARROW_COLORS } from './theme.ts';
import { textWidth, wrapText } from './text.ts';
import type { DiagramCell, DiagramInput, Shape } from './types.ts';

const STAGES = ['認知', '初回購入', '実感', '定期継続', '日常化'];
const LEVELS = ['無関心', '関心', '信頼', '好意', 'ファン'];

function mapOf(stages: number, levels: number, cells: JourneyMap['cells'] = []): JourneyMap {
  return {
    name: 'みのり青汁本舗のCRM戦略',
    goal: 'ストレスがなく健康で、ブランドとの接点が日常化している状態',
    stages: Array.from({ length: stages }, (_, i) => ({ key: `s${i}`, name: STAGES[i] ?? `ステージ${i}` })),
    levels: Array.from({ length: levels }, (_, j) => ({ key: `l${j}`, name: LEVELS[j] ?? `レベル${j}` })),
    cells,
  };
}

function inputOf(map: JourneyMap, extra: Partial<DiagramInput> = {}): DiagramInput {
  return { map, cells: [], profiles: 0, labels: DIAGRAM_LABELS_JA, ...extra };
}

const cellAt = (cells: DiagramCell[], stage: string, level: string) => cells.find((cell) => cell.stage === stage && cell.level === level)!;
const texts = (shapes: Shape[]) => shapes.flatMap((shape) => (shape.kind === 'text' ? [shape] : []));
const measure = (name: string, status: Measure['status'] = 'in_use'): Measure => ({ name, department: 'marketing', channel: 'email', status });

describe('the diagram layout', () => {
  it('lays stages out left to right and levels bottom to top on a √2 : 1 page', () => {
    const layout = layoutDiagram(inputOf(mapOf(5, 5)));
    expect(layout.width).toBe(1600);
    expect(layout.width / layout.height).toBeCloseTo(Math.SQRT2, 3);
    expect([DIAGRAM_WIDTH, DIAGRAM_HEIGHT]).toEqual([layout.width, layout.height]);
    expect(layout.cells).toHaveLength(25);
    for (let i = 1; i < 5; i++) expect(cellAt(layout.cells, `s${i}`, 'l0').x).toBeGreaterThan(cellAt(layout.cells, `s${i - 1}`, 'l0').x);
    for (let j = 1; j < 5; j++) expect(cellAt(layout.cells, 's0', `l${j}`).y).toBeLessThan(cellAt(layout.cells, 's0', `l${j - 1}`).y);
    const frameText = texts(layout.frame);
    const stageHeaders = STAGES.map((name) => frameText.find((text) => text.text === name)!);
    expect(stageHeaders.map((text) => text.x)).toEqual([...stageHeaders.map((text) => text.x)].sort((a, b) => a - b));
    // Stage names along the bottom, below every cell.
    for (const header of stageHeaders) expect(header.y).toBeGreaterThan(cellAt(layout.cells, 's0', 'l0').y + cellAt(layout.cells, 's0', 'l0').height);
    const levelHeaders = LEVELS.map((name) => frameText.find((text) => text.text === name)!);
    expect(levelHeaders.map((text) => text.y)).toEqual([...levelHeaders.map((text) => text.y)].sort((a, b) => b - a));
    for (const header of levelHeaders) expect(header.x).toBeLessThan(cellAt(layout.cells, 's0', 'l0').x);
  });

  it('emphasises the staircase from the bottom-left to the top-right, and every goal cell', () => {
    expect(staircaseLevels(4, 3)).toEqual([0, 1, 1, 2]);
    expect(staircaseLevels(5, 5)).toEqual([0, 1, 2, 3, 4]);
    expect(staircaseLevels(3, 5)).toEqual([0, 2, 4]);
    expect(staircaseLevels(1, 4)).toEqual([3]);
    const layout = layoutDiagram(inputOf(mapOf(4, 3, [{ stage: 's3', level: 'l1', goal: true }])));
    const onStairs = layout.cells.filter((cell) => cell.onStaircase).map((cell) => `${cell.stage}/${cell.level}`);
    expect(onStairs.sort()).toEqual(['s0/l0', 's1/l1', 's2/l1', 's3/l1', 's3/l2']);
    const fill = (cell: DiagramCell) => (cell.shapes[0]!.kind === 'rect' ? cell.shapes[0]!.fill : '');
    expect(fill(cellAt(layout.cells, 's1', 'l1'))).not.toBe(fill(cellAt(layout.cells, 's1', 'l0')));
    expect(layout.staircase).toHaveLength(1);
  });

  it('marks goal cells with a star and shows the goal in words', () => {
    const layout = layoutDiagram(inputOf(mapOf(3, 3, [{ stage: 's2', level: 'l2', goal: true }])));
    const goal = cellAt(layout.cells, 's2', 'l2');
    expect(goal.goal).toBe(true);
    expect(texts(goal.shapes).some((text) => text.text === '★')).toBe(true);
    expect(texts(cellAt(layout.cells, 's1', 'l1').shapes).some((text) => text.text === '★')).toBe(false);
    expect(goal.ariaLabel).toBe('実感 × 信頼 (ゴール): 0人');
    const frameText = texts(layout.frame).map((text) => text.text);
    expect(frameText).toContain('★ ゴール');
    expect(frameText).toContain('ストレスがなく健康で、ブランドとの接点が日常化している状態');
  });

  it('writes each cell’s count and share: 1,234 of 10,000 is 12.3 %', () => {
    const layout = layoutDiagram(
      inputOf(mapOf(2, 2), {
        cells: [
          { stage: 's0', level: 'l0', customers: 1234 },
          { stage: 's1', level: 'l1', customers: 8766 },
        ],
        profiles: 10_000,
      }),
    );
    expect(texts(cellAt(layout.cells, 's0', 'l0').shapes)[0]!.text).toBe('1,234人 (12.3%)');
    expect(texts(cellAt(layout.cells, 's1', 'l1').shapes)[0]!.text).toBe('8,766人 (87.7%)');
    expect(texts(cellAt(layout.cells, 's1', 'l0').shapes)[0]!.text).toBe('0人 (0.0%)');
    expect(cellAt(layout.cells, 's0', 'l0').ariaLabel).toBe('認知 × 無関心: 1,234人 (12.3%)');
    // Nobody placed yet: counts without a share (no division by zero).
    const empty = layoutDiagram(inputOf(mapOf(2, 2)));
    expect(texts(cellAt(empty.cells, 's0', 'l0').shapes)[0]!.text).toBe('0人');
  });

  it('writes counts in large type (≥ 20 px at 1600 px), shortened in the narrow cells of the largest map', () => {
    const countLines = (stages: number, levels: number) => {
      const cells = [{ stage: 's0', level: 'l0', customers: 123_456 }];
      const layout = layoutDiagram(inputOf(mapOf(stages, levels), { cells, profiles: 1_000_000 }));
      const cell = cellAt(layout.cells, 's0', 'l0');
      expect(cell.ariaLabel).toBe('認知 × 無関心: 123,456人 (12.3%)');
      return texts(cell.shapes)
        .filter((text) => text.bold)
        .map((text) => [text.text, text.size]);
    };
    expect(countLines(5, 5)).toEqual([['123,456人 (12.3%)', 22]]);
    expect(countLines(12, 10)).toEqual([
      ['12.3万人', 22],
      ['(12.3%)', 22],
    ]);
    expect(DIAGRAM_LABELS_JA.compactNumber(123_456_789)).toBe('1.2億');
    expect(DIAGRAM_LABELS_JA.compactNumber(9_999)).toBe('9999');
    expect(DIAGRAM_LABELS_EN.compactNumber(123_456)).toBe('123.5k');
    expect(DIAGRAM_LABELS_EN.compactNumber(2_000_000)).toBe('2M');
  });

  it('shows the measures that fit, one line each, and says how many are hidden', () => {
    const measures = Array.from({ length: 30 }, (_, k) => measure(`施策${k + 1}`, k % 2 === 0 ? 'in_use' : 'planned'));
    const layout = layoutDiagram(inputOf(mapOf(5, 5, [{ stage: 's0', level: 'l0', measures, feelings: 'まだ様子見' }])));
    const cell = cellAt(layout.cells, 's0', 'l0');
    const lines = texts(cell.shapes).map((text) => text.text);
    const shown = lines.filter((line) => line.startsWith('メール: 施策'));
    expect(shown.length).toBeGreaterThan(0);
    expect(cell.hiddenMeasures).toBe(30 - shown.length);
    expect(lines).toContain(`ほか${30 - shown.length}件`);
    expect(shown[0]).toBe('メール: 施策1');
    expect(lines).toContain('まだ様子見');
    // One status dot per measure shown.
    expect(cell.shapes.filter((shape) => shape.kind === 'circle')).toHaveLength(shown.length);
    const english = layoutDiagram({ ...inputOf(mapOf(5, 5, [{ stage: 's0', level: 'l0', measures }])), labels: DIAGRAM_LABELS_EN });
    const englishCell = cellAt(english.cells, 's0', 'l0');
    expect(texts(englishCell.shapes).map((text) => text.text)).toContain(`+${englishCell.hiddenMeasures} more`);
  });

  it('shows a decision not to contact with its reason, and a channel or an outside solution per measure', () => {
    const layout = layoutDiagram(
      inputOf(
        mapOf(3, 3, [
          { stage: 's1', level: 'l0', noContact: { reason: '解約直後は連絡しない' } },
          { stage: 's1', level: 'l1', measures: [{ name: '続け方ガイド', department: 'marketing', solution: '同梱物', status: 'not_introduced' }] },
        ]),
      ),
    );
    expect(texts(cellAt(layout.cells, 's1', 'l0').shapes).map((text) => text.text)).toContain('接触しない: 解約直後は連絡しない');
    expect(texts(cellAt(layout.cells, 's1', 'l1').shapes).map((text) => text.text)).toContain('同梱物: 続け方ガイド');
  });

  it('keeps every text inside its cell, cutting long words with …', () => {
    const feelings = '疲れや不安で埋まっていたお客様のキャパシティに余裕が生まれ、自分や周りに優しさを向けられるようになる。'.repeat(6);
    const measures = [measure('とても長い名前の施策、同梱物とメールとLINEを組み合わせた三か月のフォロープログラム')];
    for (const [stages, levels] of [
      [5, 5],
      [12, 10],
    ] as const) {
      const cells = Array.from({ length: stages }, (_, i) => ({ stage: `s${i}`, level: 'l0', feelings, measures }));
      const layout = layoutDiagram(inputOf(mapOf(stages, levels, cells), { cells: [{ stage: 's0', level: 'l0', customers: 9_999_999 }], profiles: 9_999_999 }));
      for (const cell of layout.cells) {
        for (const text of texts(cell.shapes)) {
          const left = text.anchor === 'end' ? text.x - textWidth(text.text, text.size, text.bold) : text.x;
          expect(left).toBeGreaterThanOrEqual(cell.x);
          expect(left + textWidth(text.text, text.size, text.bold)).toBeLessThanOrEqual(cell.x + cell.width + 0.01);
          expect(text.y).toBeLessThanOrEqual(cell.y + cell.height);
        }
      }
      const first = cellAt(layout.cells, 's0', 'l0');
      if (stages === 5) expect(texts(first.shapes).some((text) => text.text.endsWith('…'))).toBe(true);
      else expect(first.hiddenMeasures).toBe(1);
    }
  });
});

describe('text wrapping without a font engine', () => {
  it('counts CJK and full-width characters as 1 em and others as 0.55 em', () => {
    expect(textWidth('あいう', 20)).toBe(60);
    expect(textWidth('ＡＢ', 10)).toBe(20);
    expect(textWidth('abcd', 20)).toBeCloseTo(44);
    expect(textWidth('★→…', 10)).toBe(30);
  });

  it('breaks CJK text anywhere but never before closing punctuation, Latin text between words, and cuts with …', () => {
    expect(wrapText('あいうえおか', { maxWidth: 30, size: 10, maxLines: 5 }).lines).toEqual(['あいう', 'えおか']);
    expect(wrapText('あいう、えお', { maxWidth: 30, size: 10, maxLines: 5 }).lines).toEqual(['あいう、', 'えお']);
    expect(wrapText('step mail flow', { maxWidth: 50, size: 10, maxLines: 5 }).lines).toEqual(['step mail', 'flow']);
    expect(wrapText('一行目\n二行目', { maxWidth: 100, size: 10, maxLines: 5 }).lines).toEqual(['一行目', '二行目']);
    expect(wrapText('あいうえおかきくけ', { maxWidth: 30, size: 10, maxLines: 2 })).toEqual({ lines: ['あいう', 'えお…'], truncated: true });
  });
});

describe('flow arrows', () => {
  const map = mapOf(4, 4);
  const flow = (from: [number, number], to: [number, number], customers: number, kind: Flow['kind']): Flow => ({
    from: { stage: `s${from[0]}`, level: `l${from[1]}` },
    to: { stage: `s${to[0]}`, level: `l${to[1]}` },
    customers,
    kind,
  });

  it('keeps the 12 largest moves between cells, leaving out entries and unknown cells', () => {
    const flows: Flow[] = [];
    for (let k = 0; k < 15; k++) flows.push(flow([k % 3, 0], [k % 3, 1 + (k % 3)], 0, 'rise'));
    const moves: Flow[] = Array.from({ length: 15 }, (_, k) =>
      flow([Math.floor(k / 4), k % 4], [Math.floor(k / 4) + 1, k % 4], 100 + k * 10, 'advance'),
    ).filter((move) => move.to.stage !== 's4');
    const layout = layoutDiagram(
      inputOf(map, {
        flows: [
          ...moves,
          { from: null, to: { stage: 's0', level: 'l0' }, customers: 99_999, kind: 'enter' },
          { from: { stage: 's0', level: 'gone' }, to: { stage: 's1', level: 'l0' }, customers: 88_888, kind: 'advance' },
        ],
      }),
    );
    expect(moves).toHaveLength(12);
    const counts = moves.map((move) => move.customers).sort((a, b) => b - a);
    expect(layout.arrows.map((arrow) => arrow.customers)).toEqual(counts);
    const fewer = layoutDiagram(inputOf(map, { flows: moves, maxArrows: 3 }));
    expect(fewer.arrows.map((arrow) => arrow.customers)).toEqual([210, 200, 190]);
    expect(texts(fewer.arrows[0]!.shapes)[0]!.text).toBe('210');
    const labelled = layoutDiagram(inputOf(map, { flows: [flow([0, 0], [1, 0], 12_345, 'advance')] }));
    expect(texts(labelled.arrows[0]!.shapes)[0]!.text).toBe('12,345');
  });

  it('draws step-downs in their own colour, dashed', () => {
    const layout = layoutDiagram(
      inputOf(map, { flows: [flow([1, 2], [1, 1], 40, 'step_down'), flow([0, 0], [1, 1], 90, 'advance'), flow([1, 1], [1, 2], 30, 'rise')] }),
    );
    const byKind = Object.fromEntries(layout.arrows.map((arrow) => [arrow.kind, arrow]));
    const shaft = (kind: string) => byKind[kind]!.shapes[0]!;
    expect(shaft('step_down')).toMatchObject({ kind: 'path', stroke: ARROW_COLORS.step_down, dash: '10 6' });
    expect(shaft('advance')).toMatchObject({ kind: 'path', stroke: ARROW_COLORS.advance });
    expect((shaft('advance') as { dash?: string }).dash).toBeUndefined();
    expect(ARROW_COLORS.step_down).not.toBe(ARROW_COLORS.advance);
    expect(ARROW_COLORS.step_down).not.toBe(ARROW_COLORS.rise);
    // A step-down points down the page.
    expect(byKind.step_down!.end.y).toBeGreaterThan(byKind.step_down!.start.y);
    expect(byKind.rise!.end.y).toBeLessThan(byKind.rise!.start.y);
  });

  it('offsets the two arrows between the same cells so they and their counts do not overlap', () => {
    const layout = layoutDiagram(
      inputOf(map, { flows: [flow([1, 1], [1, 2], 30, 'rise'), flow([1, 2], [1, 1], 40, 'step_down'), flow([2, 0], [3, 0], 5, 'advance')] }),
    );
    const [down, up, alone] = layout.arrows;
    expect([down!.kind, up!.kind, alone!.kind]).toEqual(['step_down', 'rise', 'advance']);
    expect(down!.offset && up!.offset).toBe(true);
    expect(alone!.offset).toBe(false);
    // Vertical arrows: apart in x by twice the offset.
    expect(Math.abs(down!.start.x - up!.end.x)).toBeCloseTo(2 * PAIR_OFFSET, 5);
    const box = (arrow: typeof down) => arrow!.shapes.find((shape) => shape.kind === 'rect') as Extract<Shape, { kind: 'rect' }>;
    const [a, b] = [box(down), box(up)];
    const overlap = a.x < b.x + b.width && b.x < a.x + a.width && a.y < b.y + b.height && b.y < a.y + a.height;
    expect(overlap).toBe(false);
  });
});

describe('the SVG', () => {
  it('escapes the map’s words, which come from users', () => {
    const map = mapOf(2, 2, [{ stage: 's0', level: 'l0', feelings: '<b>"安心" & \'納得\'</b>' }]);
    map.name = '<script>alert("x")</script> & co';
    map.stages[0]!.name = 'A<B>&"C"';
    const svg = renderDiagramSvg(layoutDiagram(inputOf(map)));
    expect(XMLValidator.validate(svg)).toBe(true);
    expect(svg).not.toContain('<script>');
    expect(svg).not.toContain('<b>');
    expect(svg).toContain('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; co');
    expect(svg).toContain('A&lt;B&gt;&amp;&quot;C&quot;');
    expect(svg).toContain('&lt;b&gt;&quot;安心&quot; &amp; &apos;納得&apos;&lt;/b&gt;');
  });

  it('drops characters XML cannot carry', () => {
    const map = mapOf(1, 1);
    map.name = 'bad\u0001name\uffff';
    const svg = renderDiagramSvg(layoutDiagram(inputOf(map)));
    expect(XMLValidator.validate(svg)).toBe(true);
    expect(svg).toContain('<title>badname</title>');
  });
});

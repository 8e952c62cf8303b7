import { describe, expect, it } from 'vitest';
import {
  connectOutput,
  insertStepAfter,
  newScenarioDocument,
  newStep,
  type Point,
  placeSteps,
  type ScenarioDocument,
  stepEdges,
} from '../../web/src/scenarios/scenario-draft.ts';
import { scheduleOfKind, zonedInput, zonedIso } from '../../web/src/scenarios/schedule.ts';

function flow(): ScenarioDocument {
  return {
    ...newScenarioDocument(),
    key: 'flow',
    name: 'flow',
    start: 'branch',
    steps: [
      newStep('branch', 'branch', undefined),
      newStep('send', 'send', '1'),
      newStep('wait_for_event', 'wait_for_event', undefined),
      newStep('split', 'split', undefined),
      newStep('exit', 'exit', undefined),
    ],
  };
}
const ways = (document: ScenarioDocument) =>
  Object.fromEntries(document.steps.map((step) => [step.id, stepEdges(step).map((way) => `${way.handle}=${way.target}`)]));

describe("the flow editor's edges (connectOutput, insertStepAfter)", () => {
  it('leads each way out by its handle: next, thenNext / elseNext, next / timeoutNext, arm:N; null disconnects', () => {
    let document = flow();
    document = connectOutput(document, 'branch', 'thenNext', 'send');
    document = connectOutput(document, 'branch', 'elseNext', 'wait_for_event');
    document = connectOutput(document, 'wait_for_event', 'timeoutNext', 'exit');
    document = connectOutput(document, 'split', 'arm:1', 'exit');
    document = connectOutput(document, 'send', 'next', 'split');
    expect(ways(document)).toEqual({
      branch: ['thenNext=send', 'elseNext=wait_for_event'],
      send: ['next=split'],
      wait_for_event: ['next=null', 'timeoutNext=exit'],
      split: ['arm:0=null', 'arm:1=exit'],
      exit: [],
    });
    document = connectOutput(document, 'branch', 'elseNext', null);
    document = connectOutput(document, 'split', 'arm:1', null);
    expect(ways(document).branch).toEqual(['thenNext=send', 'elseNext=null']);
    expect(ways(document).split).toEqual(['arm:0=null', 'arm:1=null']);
    // A handle the step has not: nothing changes.
    expect(connectOutput(document, 'send', 'thenNext', 'exit')).toEqual(document);
    expect(connectOutput(document, 'split', 'arm:5', 'exit')).toEqual(document);
  });

  it('inserts a step in between: the way out leads to it, and its first way out to where the way led before', () => {
    const document = connectOutput(flow(), 'branch', 'thenNext', 'send');
    const inserted = insertStepAfter(document, 'branch', 'thenNext', newStep('wait', 'wait', undefined));
    expect(ways(inserted).branch).toEqual(['thenNext=wait', 'elseNext=null']);
    expect(ways(inserted).wait).toEqual(['next=send']);
    const split = insertStepAfter(document, 'branch', 'thenNext', newStep('split', 'split_2', undefined));
    expect(ways(split).split_2).toEqual(['arm:0=send', 'arm:1=null']);
    const ended = insertStepAfter(document, 'branch', 'elseNext', newStep('wait', 'wait', undefined));
    expect(ways(ended).wait).toEqual(['next=null']);
  });
});

describe('the stable node places (placeSteps)', () => {
  it('keeps every placed node where it is when edges change, and places a new one on a free spot', () => {
    const remembered = new Map<string, Point>();
    const first = placeSteps(flow(), remembered);
    expect(new Set([...first.values()].map((point) => `${point.x},${point.y}`)).size).toBe(5);
    const rewired = connectOutput(connectOutput(flow(), 'branch', 'thenNext', 'send'), 'send', 'next', 'exit');
    expect(placeSteps(rewired, remembered)).toEqual(first);
    const grown = { ...rewired, steps: [...rewired.steps, newStep('wait', 'wait', undefined)] };
    const placed = placeSteps(grown, remembered);
    for (const [id, point] of first) expect(placed.get(id)).toEqual(point);
    const added = placed.get('wait')!;
    for (const point of first.values()) expect(Math.abs(point.x - added.x) >= 230 || Math.abs(point.y - added.y) >= 120).toBe(true);
  });
});

describe("the audience schedule's times (zonedIso, zonedInput, scheduleOfKind)", () => {
  it("writes a local date-time with the offset of the workspace's zone at that instant, and reads it back", () => {
    expect(zonedIso('2026-07-01T10:00', 'Asia/Tokyo')).toBe('2026-07-01T10:00:00+09:00');
    expect(zonedIso('2026-01-15T10:00', 'America/New_York')).toBe('2026-01-15T10:00:00-05:00');
    expect(zonedIso('2026-07-15T10:00', 'America/New_York')).toBe('2026-07-15T10:00:00-04:00');
    expect(zonedIso('2026-07-15', 'Asia/Tokyo')).toBeNull();
    expect(zonedInput('2026-07-01T01:00:00Z', 'Asia/Tokyo')).toBe('2026-07-01T10:00');
    expect(zonedInput('2026-07-15T10:00:00-04:00', 'America/New_York')).toBe('2026-07-15T10:00');
    expect(zonedInput('not a date', 'Asia/Tokyo')).toBeNull();
  });

  it('changes the kind keeping the time of day', () => {
    const now = new Date('2026-05-10T00:00:00Z');
    expect(scheduleOfKind('weekly', { kind: 'daily', at: '07:15' }, 'Asia/Tokyo', now)).toEqual({ kind: 'weekly', weekdays: ['mon'], at: '07:15' });
    expect(scheduleOfKind('monthly', { kind: 'weekly', weekdays: ['fri'], at: '08:30' }, 'Asia/Tokyo', now)).toEqual({
      kind: 'monthly',
      dayOfMonth: 1,
      at: '08:30',
    });
    expect(scheduleOfKind('once', { kind: 'daily', at: '07:15' }, 'Asia/Tokyo', now)).toEqual({ kind: 'once', at: '2026-05-11T07:15:00+09:00' });
    expect(scheduleOfKind('daily', { kind: 'once', at: '2026-05-11T07:15:00+09:00' }, 'Asia/Tokyo', now)).toEqual({ kind: 'daily', at: '07:15' });
    expect(scheduleOfKind('daily', undefined, 'Asia/Tokyo', now)).toEqual({ kind: 'daily', at: '10:00' });
  });
});

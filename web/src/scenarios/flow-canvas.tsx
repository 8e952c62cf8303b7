import { Background, Controls, type Edge, Handle, type Node, type NodeProps, Position, ReactFlow } from '@xyflow/react';
import '@xyflow/react/dist/style.css';
import { useMemo } from 'react';
import type { Schemas } from '../api/client.ts';
import { useI18n } from '../i18n/i18n.tsx';
import { useCurrentWorkspace } from '../workspaces/workspaces.tsx';
import { layoutSteps, type Problem, placeProblem, type ScenarioDocument, stepEdges } from './scenario-draft.ts';

type StepCounter = Schemas['ScenarioStepCounter'];

/** What the canvas has selected: the scenario's settings (the trigger node) or a step by id. */
export type Selection = { on: 'settings' } | { on: 'step'; id: string };

const COLUMN = 250;
/** The label of each way out of a step (a plain `next` has none). */
const EDGE_WORDS = new Map([
  ['then', 'yes'],
  ['else', 'no'],
  ['event', 'event'],
  ['timeout', 'timeout'],
] as const);
const ROW = 130;

type StepNodeData = {
  title: string;
  kind: string;
  id: string;
  isStart: boolean;
  selected: boolean;
  problems: number;
  counter: StepCounter | undefined;
};
type TriggerNodeData = { title: string; trigger: string; selected: boolean; problems: number };

/**
 * The scenario drawn as a flow (React Flow): the trigger on top, an edge to the first step,
 * and every step's ways on (next, yes/no, event/timeout, split arms) as labelled edges. Each
 * node shows its step's counters (entered / waiting / passed / exited) and its problems;
 * clicking a node opens its side panel.
 */
export function FlowCanvas(props: {
  document: ScenarioDocument;
  problems: readonly Problem[];
  counters: readonly StepCounter[];
  selection: Selection;
  onSelect(selection: Selection): void;
}) {
  const { t } = useI18n();
  const c = t.scenarios.canvas;
  const { document, problems, selection } = props;
  const { nodes, edges } = useMemo(() => {
    const placed = layoutSteps(document);
    const counters = new Map(props.counters.map((counter) => [counter.stepId, counter]));
    const stepProblems = new Map<number, number>();
    let settingsProblems = 0;
    for (const problem of problems) {
      const place = placeProblem(problem.path);
      if (place.on === 'step') stepProblems.set(place.index, (stepProblems.get(place.index) ?? 0) + 1);
      else settingsProblems++;
    }
    const nodes: Node[] = [
      {
        id: '__trigger',
        type: 'trigger',
        position: { x: 0, y: 0 },
        data: {
          title: c.trigger,
          trigger: t.scenarios.triggers[document.trigger.kind] ?? document.trigger.kind,
          selected: selection.on === 'settings',
          problems: settingsProblems,
        } satisfies TriggerNodeData,
      },
      ...document.steps.map((step, index): Node => {
        const place = placed.get(step.id) ?? { row: 1, column: 0 };
        return {
          id: `step:${step.id}`,
          type: 'step',
          position: { x: place.column * COLUMN, y: place.row * ROW },
          data: {
            title: step.name ?? step.id,
            kind: t.scenarios.kinds[step.kind] ?? step.kind,
            id: step.id,
            isStart: document.start === step.id,
            selected: selection.on === 'step' && selection.id === step.id,
            problems: stepProblems.get(index) ?? 0,
            counter: counters.get(step.id),
          } satisfies StepNodeData,
        };
      }),
    ];
    const ids = new Set(document.steps.map((step) => step.id));
    const edges: Edge[] = [];
    if (ids.has(document.start)) edges.push({ id: 'start', source: '__trigger', target: `step:${document.start}`, label: c.start, className: 'edge-start' });
    for (const step of document.steps) {
      for (const edge of stepEdges(step)) {
        if (!edge.target || !ids.has(edge.target)) continue;
        const label =
          edge.kind === 'arm'
            ? c.edge.arm(String((edge.arm ?? 0) + 1), String(edge.weight ?? ''))
            : edge.kind === 'next'
              ? undefined
              : c.edge[EDGE_WORDS.get(edge.kind) ?? 'next'];
        edges.push({
          id: `${step.id}:${edge.kind}:${edge.arm ?? 0}`,
          source: `step:${step.id}`,
          target: `step:${edge.target}`,
          ...(label ? { label } : {}),
          className: `edge-${edge.kind}`,
          data: { kind: edge.kind },
        });
      }
    }
    return { nodes, edges };
  }, [document, problems, props.counters, selection, t]);
  return (
    <div className="flow-canvas" role="region" aria-label={c.label}>
      <ReactFlow
        nodes={nodes}
        edges={edges}
        nodeTypes={NODE_TYPES}
        fitView
        fitViewOptions={{ maxZoom: 1 }}
        nodesDraggable={false}
        nodesConnectable={false}
        onNodeClick={(_, node) => props.onSelect(node.id === '__trigger' ? { on: 'settings' } : { on: 'step', id: node.id.slice('step:'.length) })}
        proOptions={{ hideAttribution: true }}
      >
        <Background />
        <Controls showInteractive={false} />
      </ReactFlow>
    </div>
  );
}

function TriggerNode({ data }: NodeProps<Node<TriggerNodeData>>) {
  const { t } = useI18n();
  return (
    <div className={`flow-node flow-node-trigger${data.selected ? ' is-selected' : ''}${data.problems ? ' has-problems' : ''}`} data-testid="flow-trigger">
      <strong>{data.title}</strong>
      <span>{data.trigger}</span>
      {data.problems > 0 && <span className="flow-node-problems">{t.scenarios.canvas.problemBadge(String(data.problems))}</span>}
      <Handle type="source" position={Position.Bottom} />
    </div>
  );
}

function StepNode({ data }: NodeProps<Node<StepNodeData>>) {
  const { t } = useI18n();
  const { format } = useCurrentWorkspace();
  const c = t.scenarios.canvas;
  const counter = data.counter;
  const n = (value: number | undefined) => format.integer(value ?? 0);
  return (
    <div
      className={`flow-node flow-node-step${data.selected ? ' is-selected' : ''}${data.problems ? ' has-problems' : ''}${data.isStart ? ' is-start' : ''}`}
      data-testid={`flow-step-${data.id}`}
    >
      <Handle type="target" position={Position.Top} />
      <span className="flow-node-kind">{data.kind}</span>
      <strong>{data.title}</strong>
      {data.title !== data.id && <code className="small">{data.id}</code>}
      <span className="flow-node-counters" title={c.countersLegend} data-testid={`flow-counters-${data.id}`}>
        <span aria-hidden="true">{c.counters(n(counter?.entered), n(counter?.waiting), n(counter?.passed), n(counter?.exited))}</span>
        <span className="visually-hidden">{c.countersLabel(n(counter?.entered), n(counter?.waiting), n(counter?.passed), n(counter?.exited))}</span>
      </span>
      {data.problems > 0 && <span className="flow-node-problems">{c.problemBadge(String(data.problems))}</span>}
      <Handle type="source" position={Position.Bottom} />
    </div>
  );
}

const NODE_TYPES = { trigger: TriggerNode, step: StepNode };

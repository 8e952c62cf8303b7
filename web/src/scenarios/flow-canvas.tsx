import {
  Background,
  type Connection,
  Controls,
  type Edge,
  type EdgeChange,
  type FinalConnectionState,
  Handle,
  type Node,
  type NodeChange,
  type NodeProps,
  Panel,
  Position,
  ReactFlow,
  ReactFlowProvider,
  useReactFlow,
} from '@xyflow/react';
import '@xyflow/react/dist/style.css';
import { createContext, type KeyboardEvent, useContext, useEffect, useMemo, useReducer, useRef, useState } from 'react';
import type { Schemas } from '../api/client.ts';
import { useI18n } from '../i18n/i18n.tsx';
import type { Messages } from '../i18n/ja.ts';
import { useCurrentWorkspace } from '../workspaces/workspaces.tsx';
import {
  freeSpot,
  type OutputHandle,
  type Point,
  placeSteps,
  type Problem,
  placeProblem,
  ROW_HEIGHT,
  type ScenarioDocument,
  type StepKind,
  type StepOutput,
  stepEdges,
} from './scenario-draft.ts';
import { StepKindOptions } from './fields.tsx';

type StepCounter = Schemas['ScenarioStepCounter'];

/** What the canvas has selected: the scenario's settings (the trigger node) or a step by id. */
export type Selection = { on: 'settings' } | { on: 'step'; id: string };

/** Where an edge starts: a step's way out, or the trigger (its edge names the first step). */
export type From = { step: string; handle: OutputHandle } | 'start';

/** About how much room a step node takes (px at zoom 1), to keep a new one in view. */
const NODE_BOX = { width: 220, height: 120 };

/** The trigger node's id, and the key its place is remembered under. */
export const TRIGGER_NODE = '__trigger';

type OutputData = { handle: OutputHandle; label: string; connected: boolean };
type StepNodeData = {
  title: string;
  kind: string;
  id: string;
  isStart: boolean;
  selected: boolean;
  problems: number;
  counter: StepCounter | undefined;
  outputs: OutputData[];
};
type TriggerNodeData = { title: string; trigger: string; selected: boolean; problems: number };

/** The label of a way out: its word (next, yes/no, event/timeout) or, for a split arm, its number and weight. */
function outputLabel(c: Messages['scenarios']['canvas'], output: StepOutput, short: boolean): string {
  switch (output.kind) {
    case 'arm':
      return short ? String((output.arm ?? 0) + 1) : c.edge.arm(String((output.arm ?? 0) + 1), String(output.weight ?? ''));
    case 'then':
      return c.edge.yes;
    case 'else':
      return c.edge.no;
    case 'event':
      return c.edge.event;
    case 'timeout':
      return c.edge.timeout;
    case 'next':
      return c.edge.next;
  }
}

/** The menu that adds a step and connects it: where it is shown (px in the canvas box), where the node goes, and from which way out. */
type AddMenu = { left: number; top: number; at: Point; from: From; mode: 'connect' | 'insert'; choices: Array<{ handle: OutputHandle; label: string }> };

interface CanvasActions {
  editable: boolean;
  openAddAfter(stepId: string, anchor: HTMLElement): void;
}
const CanvasActionsContext = createContext<CanvasActions>({ editable: false, openAddAfter: () => undefined });

export interface FlowCanvasProps {
  document: ScenarioDocument;
  problems: readonly Problem[];
  counters: readonly StepCounter[];
  selection: Selection;
  onSelect(selection: Selection): void;
  editable: boolean;
  /** Where each node stands, by step id (and TRIGGER_NODE): kept by the editor so nodes stay put as edges change. */
  positions: Map<string, Point>;
  /** Leads a way out (or the trigger: the first step) to a step. */
  onConnect(from: From, target: string): void;
  /** Ends a way out there (its field null). */
  onDisconnect(from: { step: string; handle: OutputHandle }): void;
  /**
   * Adds a step of `kind` and connects it from `from`: `connect` leads that way out to it,
   * `insert` puts it in between (it continues to where the way led). Answers its id.
   */
  onAdd(kind: StepKind, from: From, mode: 'connect' | 'insert'): string;
}

/**
 * The scenario drawn as a flow (React Flow): the trigger on top, an edge to the first step,
 * and every step's ways on (next, yes/no, event/timeout, split arms) as labelled edges, each
 * from its own labelled handle under the node. Each node shows its step's counters (entered /
 * waiting / passed / exited) and its problems; clicking a node opens its side panel.
 *
 * Editing (admins and marketing): drag a handle onto another step to connect (onto the
 * trigger's handle: the first step), release on the empty canvas to add a step of a chosen
 * kind there, connected; select an edge and press Delete (or the button) to disconnect it; the
 * + under a node adds a step after it. Nodes may be dragged; they otherwise stay where the
 * layered layout first put them, so connecting never moves them.
 */
export function FlowCanvas(props: FlowCanvasProps) {
  return (
    <ReactFlowProvider>
      <Canvas {...props} />
    </ReactFlowProvider>
  );
}

function Canvas(props: FlowCanvasProps) {
  const { t } = useI18n();
  const c = t.scenarios.canvas;
  const { document: scenario, problems, selection, positions, editable } = props;
  const flow = useReactFlow();
  const box = useRef<HTMLDivElement>(null);
  const [moved, bump] = useReducer((n: number) => n + 1, 0);
  // The sizes React Flow measured, kept with the nodes it is given (a controlled flow): a node
  // rebuilt without them (new counters, a new selection) would be hidden until measured again,
  // and its size does not change, so it would not be measured again.
  const sizes = useRef(new Map<string, { width: number; height: number }>()).current;
  const [selectedEdge, setSelectedEdge] = useState<string | null>(null);
  const [menu, setMenu] = useState<AddMenu | null>(null);

  const { nodes, edges, outputsById } = useMemo(() => {
    const measured = (id: string) => {
      const size = sizes.get(id);
      return size ? { measured: size } : {};
    };
    const placed = placeSteps(scenario, positions);
    const counters = new Map(props.counters.map((counter) => [counter.stepId, counter]));
    const stepProblems = new Map<number, number>();
    let settingsProblems = 0;
    for (const problem of problems) {
      const place = placeProblem(problem.path);
      if (place.on === 'step') stepProblems.set(place.index, (stepProblems.get(place.index) ?? 0) + 1);
      else settingsProblems++;
    }
    const outputsById = new Map(scenario.steps.map((step) => [step.id, stepEdges(step)]));
    const nodes: Node[] = [
      {
        id: TRIGGER_NODE,
        type: 'trigger',
        position: positions.get(TRIGGER_NODE) ?? { x: 0, y: 0 },
        ...measured(TRIGGER_NODE),
        deletable: false,
        data: {
          title: c.trigger,
          trigger: t.scenarios.triggers[scenario.trigger.kind] ?? scenario.trigger.kind,
          selected: selection.on === 'settings',
          problems: settingsProblems,
        } satisfies TriggerNodeData,
      },
      ...scenario.steps.map(
        (step, index): Node => ({
          id: `step:${step.id}`,
          type: 'step',
          position: placed.get(step.id) ?? { x: 0, y: ROW_HEIGHT },
          ...measured(`step:${step.id}`),
          deletable: false,
          data: {
            title: step.name ?? step.id,
            kind: t.scenarios.kinds[step.kind] ?? step.kind,
            id: step.id,
            isStart: scenario.start === step.id,
            selected: selection.on === 'step' && selection.id === step.id,
            problems: stepProblems.get(index) ?? 0,
            counter: counters.get(step.id),
            outputs: (outputsById.get(step.id) ?? []).map((output) => ({
              handle: output.handle,
              label: outputLabel(c, output, true),
              connected: output.target !== null,
            })),
          } satisfies StepNodeData,
        }),
      ),
    ];
    const ids = new Set(scenario.steps.map((step) => step.id));
    const edges: Edge[] = [];
    if (ids.has(scenario.start))
      edges.push({
        id: 'start',
        source: TRIGGER_NODE,
        sourceHandle: 'start',
        target: `step:${scenario.start}`,
        label: c.start,
        className: 'edge-start',
        selectable: false,
        deletable: false,
      });
    for (const step of scenario.steps) {
      for (const output of outputsById.get(step.id) ?? []) {
        if (!output.target || !ids.has(output.target)) continue;
        const id = `${step.id}:${output.handle}`;
        edges.push({
          id,
          source: `step:${step.id}`,
          sourceHandle: output.handle,
          target: `step:${output.target}`,
          ...(output.kind === 'next' ? {} : { label: outputLabel(c, output, false) }),
          className: `edge-${output.kind}`,
          selected: id === selectedEdge,
          deletable: false,
          ariaLabel: c.edgeLabel(step.id, outputLabel(c, output, false), output.target),
          data: { step: step.id, handle: output.handle, kind: output.kind },
        });
      }
    }
    return { nodes, edges, outputsById };
  }, [scenario, problems, props.counters, selection, t, selectedEdge, moved]);

  const chosenEdge = edges.find((edge) => edge.id === selectedEdge && edge.id !== 'start');
  // An edge that is gone (disconnected, its step removed) is no longer selected.
  useEffect(() => {
    if (selectedEdge && !chosenEdge) setSelectedEdge(null);
  }, [selectedEdge, chosenEdge]);

  // A step added: when it lies outside the visible canvas, the view pans (same zoom) just enough to show it; edges alone never move anything.
  const stepIds = scenario.steps.map((step) => step.id);
  const shownIds = useRef(new Set(stepIds));
  useEffect(() => {
    const added = stepIds.filter((id) => !shownIds.current.has(id));
    shownIds.current = new Set(stepIds);
    const rect = box.current?.getBoundingClientRect();
    if (added.length === 0 || !rect) return;
    const { x, y, zoom } = flow.getViewport();
    const margin = 16;
    let dx = 0;
    let dy = 0;
    for (const id of added) {
      const point = positions.get(id);
      if (!point) continue;
      const [left, top] = [point.x * zoom + x + dx, point.y * zoom + y + dy];
      const [right, bottom] = [left + NODE_BOX.width * zoom, top + NODE_BOX.height * zoom];
      if (right > rect.width - margin) dx -= right - (rect.width - margin);
      if (left + dx < margin) dx += margin - (left + dx);
      if (bottom > rect.height - margin) dy -= bottom - (rect.height - margin);
      if (top + dy < margin) dy += margin - (top + dy);
    }
    if (dx !== 0 || dy !== 0) void flow.setViewport({ x: x + dx, y: y + dy, zoom });
  }, [stepIds.join(' ')]);

  const disconnect = () => {
    if (!editable || !chosenEdge) return;
    const data = chosenEdge.data as { step: string; handle: OutputHandle };
    props.onDisconnect({ step: data.step, handle: data.handle });
    setSelectedEdge(null);
  };

  const fromOf = (node: string, handle: string | null | undefined): From | null => {
    if (node === TRIGGER_NODE) return 'start';
    if (!node.startsWith('step:') || !handle) return null;
    return { step: node.slice('step:'.length), handle: handle as OutputHandle };
  };

  const connect = (connection: Connection) => {
    const from = fromOf(connection.source, connection.sourceHandle);
    if (!editable || !from || !connection.target.startsWith('step:')) return;
    props.onConnect(from, connection.target.slice('step:'.length));
  };

  const openMenu = (from: From, mode: AddMenu['mode'], at: Point, screen: { x: number; y: number }, choices: AddMenu['choices'] = []) => {
    const rect = box.current?.getBoundingClientRect();
    const left = Math.max(8, Math.min(screen.x - (rect?.left ?? 0), (rect?.width ?? 600) - 260));
    const top = Math.max(8, Math.min(screen.y - (rect?.top ?? 0), (rect?.height ?? 560) - 180));
    setMenu({ left, top, at, from, mode, choices });
  };

  /** A drag released off a handle: onto a step's body it connects there; onto the empty canvas it offers to add a step there. */
  const connectEnd = (event: MouseEvent | TouchEvent, state: FinalConnectionState) => {
    if (!editable || state.isValid === true || !state.fromNode) return;
    const from = fromOf(state.fromNode.id, state.fromHandle?.id);
    if (!from) return;
    const point = 'changedTouches' in event ? event.changedTouches[0] : event;
    if (!point) return;
    const under = window.document.elementFromPoint(point.clientX, point.clientY);
    const node = under?.closest<HTMLElement>('.react-flow__node')?.dataset.id;
    if (node) {
      if (node.startsWith('step:') && node !== state.fromNode.id) props.onConnect(from, node.slice('step:'.length));
      return;
    }
    if (!under || !box.current?.contains(under) || under.closest('.react-flow__panel, .flow-add-menu')) return;
    const at = flow.screenToFlowPosition({ x: point.clientX, y: point.clientY });
    openMenu(from, 'connect', { x: at.x - 100, y: at.y }, { x: point.clientX, y: point.clientY });
  };

  const actions: CanvasActions = {
    editable,
    openAddAfter: (stepId, anchor) => {
      const outputs = outputsById.get(stepId) ?? [];
      const first = outputs[0];
      if (!first) return;
      const source = positions.get(stepId) ?? { x: 0, y: 0 };
      const rect = anchor.getBoundingClientRect();
      openMenu(
        { step: stepId, handle: first.handle },
        'insert',
        { x: source.x, y: source.y + ROW_HEIGHT },
        { x: rect.left, y: rect.bottom + 4 },
        outputs.length > 1 ? outputs.map((output) => ({ handle: output.handle, label: outputLabel(c, output, false) })) : [],
      );
    },
  };

  const nodesChange = (changes: NodeChange[]) => {
    let changed = false;
    for (const change of changes) {
      if (change.type === 'dimensions' && change.dimensions) {
        const known = sizes.get(change.id);
        if (known?.width !== change.dimensions.width || known?.height !== change.dimensions.height) {
          sizes.set(change.id, change.dimensions);
          changed = true;
        }
        continue;
      }
      if (change.type !== 'position' || !change.position) continue;
      positions.set(change.id === TRIGGER_NODE ? TRIGGER_NODE : change.id.slice('step:'.length), change.position);
      changed = true;
    }
    if (changed) bump();
  };
  const edgesChange = (changes: EdgeChange[]) => {
    for (const change of changes)
      if (change.type === 'select') setSelectedEdge(change.selected ? change.id : (current) => (current === change.id ? null : current));
  };
  // While an edge is selected, Delete (or Backspace) disconnects it and Escape lets it go — anywhere but in a form control, as React Flow's own keys.
  useEffect(() => {
    if (!chosenEdge) return undefined;
    const onKey = (event: globalThis.KeyboardEvent) => {
      const target = event.target instanceof HTMLElement ? event.target : null;
      if (target?.closest('input, select, textarea, [contenteditable="true"]')) return;
      if (event.key === 'Delete' || event.key === 'Backspace') {
        event.preventDefault();
        disconnect();
      } else if (event.key === 'Escape') setSelectedEdge(null);
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  });
  const keyDown = (event: KeyboardEvent<HTMLDivElement>) => {
    if (event.key === 'Escape') setMenu(null);
  };

  return (
    <CanvasActionsContext.Provider value={actions}>
      <div className="flow-canvas" role="region" aria-label={c.label} ref={box} onKeyDown={keyDown}>
        <ReactFlow
          nodes={nodes}
          edges={edges}
          nodeTypes={NODE_TYPES}
          fitView
          fitViewOptions={{ maxZoom: 1 }}
          nodesDraggable={editable}
          nodesConnectable={editable}
          edgesReconnectable={false}
          deleteKeyCode={null}
          onNodesChange={nodesChange}
          onEdgesChange={edgesChange}
          onEdgeClick={(_, edge) => edge.id !== 'start' && setSelectedEdge(edge.id)}
          onPaneClick={() => {
            setSelectedEdge(null);
            setMenu(null);
          }}
          onConnect={connect}
          onConnectEnd={connectEnd}
          isValidConnection={(connection) => connection.source !== connection.target && connection.target.startsWith('step:')}
          onNodeClick={(_, node) => props.onSelect(node.id === TRIGGER_NODE ? { on: 'settings' } : { on: 'step', id: node.id.slice('step:'.length) })}
          proOptions={{ hideAttribution: true }}
          ariaLabelConfig={{
            'node.a11yDescription.default': c.a11y.node,
            'node.a11yDescription.keyboardDisabled': c.a11y.nodeMove,
            'node.a11yDescription.ariaLiveMessage': ({ direction, x, y }) => c.a11y.moved(direction, String(x), String(y)),
            'edge.a11yDescription.default': c.a11y.edge,
            'controls.ariaLabel': c.a11y.controls,
            'controls.zoomIn.ariaLabel': c.a11y.zoomIn,
            'controls.zoomOut.ariaLabel': c.a11y.zoomOut,
            'controls.fitView.ariaLabel': c.a11y.fitView,
            'controls.interactive.ariaLabel': c.a11y.interactive,
            'minimap.ariaLabel': c.a11y.minimap,
            'handle.ariaLabel': c.a11y.handle,
          }}
        >
          <Background />
          <Controls showInteractive={false} />
          {editable && (
            <Panel position="top-right">
              <button
                type="button"
                className="button button-small"
                onClick={() => {
                  positions.clear();
                  bump();
                  requestAnimationFrame(() => void flow.fitView({ maxZoom: 1 }));
                }}
              >
                {c.relayout}
              </button>
            </Panel>
          )}
          {chosenEdge && (
            <Panel position="top-left" className="flow-edge-panel" data-testid="flow-edge-panel">
              <span>{c.edgeSelected(chosenEdge.ariaLabel ?? '')}</span>
              {editable && (
                <button type="button" className="button button-small button-danger" onClick={disconnect}>
                  {c.disconnect}
                </button>
              )}
            </Panel>
          )}
        </ReactFlow>
        {menu && (
          <AddStepMenu
            menu={menu}
            onCancel={() => setMenu(null)}
            onAdd={(kind, handle) => {
              const from = menu.from === 'start' ? 'start' : { step: menu.from.step, handle: handle ?? menu.from.handle };
              const id = props.onAdd(kind, from, menu.mode);
              positions.set(
                id,
                freeSpot(
                  [...positions.entries()].filter(([key]) => key !== id).map(([, point]) => point),
                  menu.at,
                ),
              );
              setMenu(null);
              bump();
            }}
          />
        )}
      </div>
      {editable && <p className="muted small">{c.dragHint}</p>}
    </CanvasActionsContext.Provider>
  );
}

/** The small dialog that adds a step and connects it: the kind (and, after a node with several ways out, which way). */
function AddStepMenu({ menu, onAdd, onCancel }: { menu: AddMenu; onAdd(kind: StepKind, handle: OutputHandle | undefined): void; onCancel(): void }) {
  const { t } = useI18n();
  const c = t.scenarios.canvas;
  const [kind, setKind] = useState<StepKind>('send');
  const [handle, setHandle] = useState<OutputHandle | undefined>(menu.choices[0]?.handle);
  const first = useRef<HTMLSelectElement>(null);
  useEffect(() => first.current?.focus(), []);
  return (
    <div
      className="flow-add-menu"
      role="dialog"
      aria-label={c.addMenu}
      style={{ left: menu.left, top: menu.top }}
      onKeyDown={(event) => {
        if (event.key === 'Escape') onCancel();
      }}
    >
      <strong>{c.addMenu}</strong>
      <label className="field">
        <span>{c.addMenuKind}</span>
        <select ref={first} value={kind} onChange={(event) => setKind(event.target.value as StepKind)}>
          <StepKindOptions />
        </select>
      </label>
      {menu.choices.length > 0 && (
        <label className="field">
          <span>{c.addMenuOutput}</span>
          <select value={handle} onChange={(event) => setHandle(event.target.value as OutputHandle)}>
            {menu.choices.map((choice) => (
              <option key={choice.handle} value={choice.handle}>
                {choice.label}
              </option>
            ))}
          </select>
        </label>
      )}
      <div className="toolbar">
        <button type="button" className="button button-small" onClick={() => onAdd(kind, handle)}>
          {c.addConfirm}
        </button>
        <button type="button" className="button button-small button-quiet" onClick={onCancel}>
          {c.cancel}
        </button>
      </div>
    </div>
  );
}

function TriggerNode({ data }: NodeProps<Node<TriggerNodeData>>) {
  const { t } = useI18n();
  const { editable } = useContext(CanvasActionsContext);
  return (
    <div className={`flow-node flow-node-trigger${data.selected ? ' is-selected' : ''}${data.problems ? ' has-problems' : ''}`} data-testid="flow-trigger">
      <strong>{data.title}</strong>
      <span>{data.trigger}</span>
      {data.problems > 0 && <span className="flow-node-problems">{t.scenarios.canvas.problemBadge(String(data.problems))}</span>}
      <Handle
        type="source"
        id="start"
        position={Position.Bottom}
        isConnectable={editable}
        className="flow-handle"
        title={t.scenarios.canvas.startOutput}
        aria-label={t.scenarios.canvas.startOutput}
        data-testid="flow-handle-trigger"
      />
    </div>
  );
}

function StepNode({ data }: NodeProps<Node<StepNodeData>>) {
  const { t } = useI18n();
  const { format } = useCurrentWorkspace();
  const { editable, openAddAfter } = useContext(CanvasActionsContext);
  const c = t.scenarios.canvas;
  const counter = data.counter;
  const n = (value: number | undefined) => format.integer(value ?? 0);
  const at = (index: number) => `${((index + 1) / (data.outputs.length + 1)) * 100}%`;
  return (
    <div
      className={`flow-node flow-node-step${data.selected ? ' is-selected' : ''}${data.problems ? ' has-problems' : ''}${data.isStart ? ' is-start' : ''}${data.outputs.length > 0 ? ' has-outputs' : ''}`}
      data-testid={`flow-step-${data.id}`}
    >
      <Handle type="target" position={Position.Top} isConnectable={editable} />
      <span className="flow-node-kind">{data.kind}</span>
      <strong>{data.title}</strong>
      {data.title !== data.id && <code className="small">{data.id}</code>}
      <span className="flow-node-counters" title={c.countersLegend} data-testid={`flow-counters-${data.id}`}>
        <span aria-hidden="true">{c.counters(n(counter?.entered), n(counter?.waiting), n(counter?.passed), n(counter?.exited))}</span>
        <span className="visually-hidden">{c.countersLabel(n(counter?.entered), n(counter?.waiting), n(counter?.passed), n(counter?.exited))}</span>
      </span>
      {data.problems > 0 && <span className="flow-node-problems">{c.problemBadge(String(data.problems))}</span>}
      {editable && data.outputs.length > 0 && (
        <button
          type="button"
          className="flow-node-add nodrag"
          aria-label={c.addAfter(data.id)}
          title={c.addAfter(data.id)}
          onClick={(event) => {
            event.stopPropagation();
            openAddAfter(data.id, event.currentTarget);
          }}
        >
          +
        </button>
      )}
      {data.outputs.map((output, index) => (
        <span key={output.handle} className="flow-output-label" style={{ left: at(index) }} aria-hidden="true">
          {output.label}
        </span>
      ))}
      {data.outputs.map((output, index) => (
        <Handle
          key={output.handle}
          type="source"
          id={output.handle}
          position={Position.Bottom}
          isConnectable={editable}
          className={`flow-handle${output.connected ? ' is-connected' : ''}`}
          style={{ left: at(index) }}
          title={c.output(data.id, output.label)}
          aria-label={c.output(data.id, output.label)}
          data-testid={`flow-handle-${data.id}-${output.handle}`}
        />
      ))}
    </div>
  );
}

const NODE_TYPES = { trigger: TriggerNode, step: StepNode };

import { BarChart, HeatmapChart, LineChart, type BarSeriesOption, type HeatmapSeriesOption, type LineSeriesOption } from 'echarts/charts';
import {
  GridComponent,
  LegendComponent,
  MarkLineComponent,
  TooltipComponent,
  VisualMapComponent,
  type GridComponentOption,
  type LegendComponentOption,
  type MarkLineComponentOption,
  type TooltipComponentOption,
  type VisualMapComponentOption,
} from 'echarts/components';
import { init, use, type ComposeOption, type ECharts } from 'echarts/core';
import { CanvasRenderer } from 'echarts/renderers';
import { useEffect, useRef } from 'react';

// Only what the console draws, so the bundle carries these charts and not all of ECharts.
use([BarChart, LineChart, HeatmapChart, GridComponent, TooltipComponent, LegendComponent, VisualMapComponent, MarkLineComponent, CanvasRenderer]);

export type ChartOption = ComposeOption<
  | BarSeriesOption
  | LineSeriesOption
  | HeatmapSeriesOption
  | GridComponentOption
  | TooltipComponentOption
  | LegendComponentOption
  | VisualMapComponentOption
  | MarkLineComponentOption
>;

/** The console's palette for series: 絆 red, indigo, then quieter tones. */
const CHART_COLORS = ['#b4463c', '#2f4f7f', '#1f7a4d', '#c08a2d', '#7a5c99', '#5b8a9a', '#8a929c'];

/** A heatmap's scale, paper to deep 絆 red (the cohort and R × F grids). */
export const HEATMAP_COLORS = ['#f7f3ee', '#e8b9b2', '#b4463c', '#6e231c'];

// The canvas does not inherit CSS fonts: name the console's stack so Japanese labels match the page.
const FONT = '"Noto Sans JP", "Noto Sans CJK JP", "Hiragino Sans", "Yu Gothic UI", Meiryo, system-ui, sans-serif';

/**
 * One ECharts chart in a div: created on mount, given each new `option` whole (notMerge, so
 * a series that went away goes away), resized with its box, disposed on unmount. `label`
 * names the chart for screen readers; the numbers themselves are in the card's table view.
 */
export function EChart({ option, height = 320, label }: { option: ChartOption; height?: number; label: string }) {
  const box = useRef<HTMLDivElement>(null);
  const chart = useRef<ECharts | undefined>(undefined);

  useEffect(() => {
    const element = box.current!;
    const instance = init(element, undefined, { renderer: 'canvas' });
    chart.current = instance;
    const observer = new ResizeObserver(() => instance.resize());
    observer.observe(element);
    return () => {
      observer.disconnect();
      instance.dispose();
      chart.current = undefined;
    };
  }, []);

  useEffect(() => {
    chart.current?.setOption({ color: CHART_COLORS, textStyle: { fontFamily: FONT }, animationDuration: 300, ...option }, { notMerge: true });
  }, [option]);

  return <div ref={box} className="echart" role="img" aria-label={label} style={{ height }} />;
}

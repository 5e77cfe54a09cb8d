/**
 * Findings by severity over time, drawn with uPlot (a ~50 kB canvas chart library, ~22 kB gzipped). It is
 * loaded on first use, as its own file, so pages without a chart do not download it. The same numbers are
 * in a table below the chart for screen readers and keyboard users.
 */
import { useEffect, useRef, useState } from 'preact/hooks';
import type uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import type { Severity } from '../api';

const SERIES: { s: Severity; color: string }[] = [
  { s: 'critical', color: '#b3261e' },
  { s: 'high', color: '#e8710a' },
  { s: 'medium', color: '#c99a00' },
  { s: 'low', color: '#3f7dd1' },
];

/** The current theme (`data-theme` of the page), updated when the user switches it. */
function useTheme(): string | undefined {
  const [theme, setTheme] = useState(document.documentElement.dataset.theme);
  useEffect(() => {
    const o = new MutationObserver(() => setTheme(document.documentElement.dataset.theme));
    o.observe(document.documentElement, { attributes: true, attributeFilter: ['data-theme'] });
    return () => o.disconnect();
  }, []);
  return theme;
}

export function SeverityTrend({
  points,
}: {
  points: { day: string; counts: Partial<Record<Severity, number>> }[];
}) {
  const el = useRef<HTMLDivElement>(null);
  const theme = useTheme();
  useEffect(() => {
    const host = el.current;
    if (!host || points.length === 0) return;
    let plot: uPlot | undefined;
    let gone = false;
    const resize = (): void => plot?.setSize({ width: Math.max(320, host.clientWidth), height: 220 });
    void import('uplot').then(({ default: UPlot }) => {
      if (gone) return;
      const xs = points.map((p) => Date.parse(`${p.day}T00:00:00Z`) / 1000);
      const data: uPlot.AlignedData = [xs, ...SERIES.map(({ s }) => points.map((p) => p.counts[s] ?? 0))];
      const dark = theme === 'dark';
      const axis = { stroke: dark ? '#c8ccd4' : '#333', grid: { stroke: dark ? '#333a44' : '#e3e6ea' } };
      plot = new UPlot(
        {
          width: Math.max(320, host.clientWidth),
          height: 220,
          scales: { x: { time: true } },
          axes: [axis, axis],
          series: [
            {},
            ...SERIES.map(({ s, color }) => ({ label: s, stroke: color, width: 2, points: { show: true } })),
          ],
          legend: { show: true },
        },
        data,
        host,
      );
      window.addEventListener('resize', resize);
    });
    return () => {
      gone = true;
      window.removeEventListener('resize', resize);
      plot?.destroy();
    };
  }, [points, theme]);

  if (points.length === 0) return <p class="muted">No scans yet.</p>;
  return (
    <figure class="chart">
      <div
        ref={el}
        role="img"
        aria-label="Open findings by severity over time (the table below has the numbers)"
      />
      <details>
        <summary>Numbers</summary>
        <table class="compact">
          <thead>
            <tr>
              <th scope="col">Day</th>
              {SERIES.map(({ s }) => (
                <th scope="col" key={s}>
                  {s}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {points.map((p) => (
              <tr key={p.day}>
                <td>{p.day}</td>
                {SERIES.map(({ s }) => (
                  <td key={s}>{p.counts[s] ?? 0}</td>
                ))}
              </tr>
            ))}
          </tbody>
        </table>
      </details>
    </figure>
  );
}

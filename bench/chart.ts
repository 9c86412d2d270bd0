/** bench/results/chart.svg: throughput and latency per scenario as plain SVG bars (no native deps). */
import type { BenchResults, Measured } from './report';

const SHORT: Record<string, string> = {
  A: 'A  bare node:http (ceiling)',
  B: 'B  gateway GET /v1/roles',
  C: 'C  stand-in PUT (ceiling)',
  D: 'D  gateway PATCH /v1/me',
  E: 'E  Express + Frontegg SDK',
  F: 'F  minimal NestJS (ceiling)',
  G: 'G  minimal NestJS proxy (ceiling)',
};

const COLOR: Record<string, string> = { ceiling: '#9aa5b1', gateway: '#2563eb', warn: '#60a5fa', alternative: '#f97316' };

const escape = (text: string) => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

interface Row {
  label: string;
  color: string;
  m: Measured;
}

function rows(r: BenchResults): Row[] {
  const s = r.scenarios;
  const list: Row[] = [
    { label: SHORT.A, color: COLOR.ceiling, m: s.A },
    ...(s.F ? [{ label: SHORT.F, color: COLOR.ceiling, m: s.F }] : []),
    { label: SHORT.B, color: COLOR.gateway, m: s.B },
    ...(r.warn ? [{ label: 'B  same, LOG_LEVEL=warn', color: COLOR.warn, m: r.warn.B }] : []),
    { label: SHORT.E, color: COLOR.alternative, m: s.E },
    { label: SHORT.C, color: COLOR.ceiling, m: s.C },
    ...(s.G ? [{ label: SHORT.G, color: COLOR.ceiling, m: s.G }] : []),
    { label: SHORT.D, color: COLOR.gateway, m: s.D },
    ...(r.warn ? [{ label: 'D  same, LOG_LEVEL=warn', color: COLOR.warn, m: r.warn.D }] : []),
  ];
  return list;
}

/** A round axis maximum at or above `value`. */
function niceMax(value: number): number {
  if (!(value > 0)) return 1;
  const magnitude = 10 ** Math.floor(Math.log10(value));
  return [1, 2, 2.5, 5, 10].map((k) => k * magnitude).find((candidate) => candidate >= value) ?? 10 * magnitude;
}

export function renderChart(r: BenchResults): string {
  const list = rows(r);
  const rowH = 34;
  const top = 70;
  const labelW = 230;
  const panelW = 300;
  const gap = 90;
  const p1 = labelW;
  const p2 = labelW + panelW + gap;
  const width = p2 + panelW + 80;
  const height = top + list.length * rowH + 70;
  const rpsMax = niceMax(Math.max(...list.map((row) => row.m.rps)));
  const latMax = niceMax(Math.max(...list.map((row) => row.m.latency.p99)));
  const m = r.machine;

  const out: string[] = [];
  out.push(`<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="Helvetica, Arial, sans-serif" font-size="12">`);
  out.push(`<rect width="100%" height="100%" fill="#ffffff"/>`);
  out.push(`<text x="16" y="24" font-size="16" font-weight="bold">Gateway benchmark: throughput and latency at ${r.settings.connections} connections</text>`);
  out.push(`<text x="16" y="44" fill="#555">${escape(`${m.cores} x ${m.cpu}, Node ${m.node}, ${r.settings.durationS} s per scenario, ${r.generatedAt}`)}</text>`);
  out.push(`<text x="${p1}" y="${top - 8}" font-weight="bold">requests per second (higher is better)</text>`);
  out.push(`<text x="${p2}" y="${top - 8}" font-weight="bold">latency ms, p50 / p99 (lower is better)</text>`);

  // Grid lines with their values.
  for (let i = 0; i <= 4; i++) {
    const y2 = top + list.length * rowH;
    const x1 = p1 + (panelW * i) / 4;
    const x2 = p2 + (panelW * i) / 4;
    out.push(`<line x1="${x1}" y1="${top}" x2="${x1}" y2="${y2}" stroke="#e5e7eb"/>`);
    out.push(`<text x="${x1}" y="${y2 + 16}" text-anchor="middle" fill="#777">${Math.round((rpsMax * i) / 4)}</text>`);
    out.push(`<line x1="${x2}" y1="${top}" x2="${x2}" y2="${y2}" stroke="#e5e7eb"/>`);
    out.push(`<text x="${x2}" y="${y2 + 16}" text-anchor="middle" fill="#777">${+((latMax * i) / 4).toFixed(2)}</text>`);
  }

  list.forEach((row, index) => {
    const y = top + index * rowH;
    const rpsW = (row.m.rps / rpsMax) * panelW;
    const p50W = (row.m.latency.p50 / latMax) * panelW;
    const p99W = (row.m.latency.p99 / latMax) * panelW;
    out.push(`<text x="16" y="${y + 21}">${escape(row.label)}</text>`);
    out.push(`<rect x="${p1}" y="${y + 6}" width="${rpsW.toFixed(1)}" height="${rowH - 12}" fill="${row.color}"/>`);
    out.push(`<text x="${(p1 + rpsW + 6).toFixed(1)}" y="${y + 21}">${row.m.rps.toFixed(0)}</text>`);
    out.push(`<rect x="${p2}" y="${y + 5}" width="${p99W.toFixed(1)}" height="${rowH - 10}" fill="${row.color}" fill-opacity="0.45"/>`);
    out.push(`<rect x="${p2}" y="${y + 11}" width="${p50W.toFixed(1)}" height="${rowH - 22}" fill="${row.color}"/>`);
    out.push(`<text x="${(p2 + p99W + 6).toFixed(1)}" y="${y + 21}">${row.m.latency.p50.toFixed(1)} / ${row.m.latency.p99.toFixed(1)}</text>`);
  });

  const legendY = height - 18;
  const legend: Array<[string, string]> = [
    ['ceiling (bare node:http)', COLOR.ceiling],
    ['gateway, LOG_LEVEL=info', COLOR.gateway],
    ...(r.warn ? ([['gateway, LOG_LEVEL=warn', COLOR.warn]] as Array<[string, string]>) : []),
    ['Express + @frontegg/client', COLOR.alternative],
  ];
  let x = 16;
  for (const [text, color] of legend) {
    out.push(`<rect x="${x}" y="${legendY - 10}" width="12" height="12" fill="${color}"/>`);
    out.push(`<text x="${x + 18}" y="${legendY}">${escape(text)}</text>`);
    x += 36 + text.length * 6.5;
  }
  out.push('</svg>');
  return out.join('\n') + '\n';
}

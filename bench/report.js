// What both runners print and parse: the command line, the table of cases, the summary of
// the ratios and the .wasm sizes.
import { geomean } from './stats.js';

/** --quick and --json, nothing else (exit 2 on anything else). */
export function parseArgs(script) {
  const args = process.argv.slice(2);
  const unknown = args.filter((a) => a !== '--json' && a !== '--quick');
  if (unknown.length) {
    console.error(`usage: node ${script} [--quick] [--json] (unknown: ${unknown.join(' ')})`);
    process.exit(2);
  }
  return { json: args.includes('--json'), quick: args.includes('--quick') };
}

/** The ratios of the rows both libraries ran: their geometric mean and their minimum. */
export function summarize(cases) {
  const ratios = cases.filter((r) => r.shared && r.ratio).map((r) => r.ratio);
  return {
    geomeanRatio: ratios.length ? geomean(ratios) : null,
    minRatio: ratios.length ? Math.min(...ratios) : null,
  };
}

const num = (v) => (v === null ? '—' : Math.round(v).toLocaleString('en-US'));
const kb = (bytes) => `${(bytes / 1000).toFixed(1)} KB`;
export const formatRatio = (ratio) => (ratio === null ? '—' : `${ratio.toFixed(2)}×`);

const micros = (us) => (us === null ? '—' : us < 100 ? us.toFixed(1) : Math.round(us).toLocaleString('en-US'));

/**
 * The table of cases (libraries `a` and `b`) and the geometric mean line; with the floor
 * columns (`floor µs`, and `overhead` = `a`'s time over it) when the rows have a floor.
 */
export function printCases(cases, a, b, geomeanRatio) {
  const floors = cases.some((r) => 'floorUs' in r);
  const header = ['case', `${a} ops/s`, `${b} ops/s`, 'ratio', 'interop', ...(floors ? ['floor µs', 'overhead'] : [])];
  const lines = cases.map((r) => [
    r.case, num(r[a]), num(r[b]), formatRatio(r.ratio), r.interop === null ? '—' : r.interop ? '✓' : '✗',
    ...(floors ? [micros(r.floorUs), formatRatio(r.overhead)] : []),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...lines.map((l) => l[i].length)));
  const format = (cells) => cells.map((cell, i) => (i === 0 ? cell.padEnd(widths[i]) : cell.padStart(widths[i]))).join('  ');
  console.log(format(header));
  for (const l of lines) console.log(format(l));
  const shared = cases.filter((r) => r.shared && r.ratio).length;
  console.log(`\ngeometric mean of the ratios (${shared} shared rows): ${formatRatio(geomeanRatio)}`);
}

export function printWasmSizes(sizes) {
  console.log('wasm size (raw, gzip -9):');
  for (const s of sizes) console.log(`  ${s.build.padEnd(22)} ${kb(s.raw).padStart(9)}  ${kb(s.gzip).padStart(9)}`);
}

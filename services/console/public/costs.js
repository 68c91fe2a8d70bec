// The costs page's charts, drawn with uPlot from the numbers the server put in #cost-data (the
// cost report over the ledger). Money arrives as integer micro-USD and is drawn in USD.
(() => {
  const source = document.getElementById('cost-data');
  if (!source || !window.uPlot) return;
  const data = JSON.parse(source.textContent);
  const uPlot = window.uPlot;
  const usd = (micros) => micros / 1e6;
  const money = (v) => (v == null ? '' : `$${v.toFixed(v !== 0 && Math.abs(v) < 0.01 ? 4 : 2)}`);
  const dark = matchMedia('(prefers-color-scheme: dark)').matches;
  const axisStroke = dark ? '#bbb' : '#333';
  const grid = { stroke: dark ? '#333' : '#e5e5e5' };
  const axes = [
    { stroke: axisStroke, grid },
    { stroke: axisStroke, grid, size: 64, values: (_, ticks) => ticks.map((v) => money(v)) },
  ];
  const width = (el) => Math.max(280, el.clientWidth);
  const charts = {};
  const tierColors = { tool: '#7f7f7f', small: '#2a9d8f', mid: '#e9c46a', frontier: '#e76f51' };
  const tiers = Object.keys(data.spendByTier);

  // Stacked bars: each series is the running sum of the tiers up to it, drawn top-down so every
  // tier's band shows; the legend reads each tier's own value (the raw series, kept beside).
  const spendEl = document.getElementById('spend-chart');
  if (spendEl) {
    const raw = tiers.map((t) => data.spendByTier[t].map(usd));
    const stacked = [];
    for (const [i, values] of raw.entries()) {
      stacked.push(values.map((v, j) => v + (i > 0 ? stacked[i - 1][j] : 0)));
    }
    const bars = uPlot.paths.bars({ size: [0.7, 48] });
    const order = tiers.map((_, i) => i).reverse();
    charts.spend = new uPlot(
      {
        width: width(spendEl),
        height: 240,
        axes,
        scales: { x: { time: true }, y: { range: (_u, _min, max) => [0, Math.max(max, 0.0001) * 1.1] } },
        series: [
          {},
          ...order.map((i) => ({
            label: tiers[i],
            fill: tierColors[tiers[i]],
            stroke: tierColors[tiers[i]],
            paths: bars,
            points: { show: false },
            value: (_, __, idx) => money(idx == null ? null : raw[i][idx]),
          })),
        ],
      },
      [data.x, ...order.map((i) => stacked[i])],
      spendEl,
    );
    charts.spend.forge = { tiers, raw };
  }

  const monthEl = document.getElementById('month-chart');
  if (monthEl) {
    const m = data.month;
    const lastX = m.x[m.x.length - 1];
    const [year, month] = m.month.split('-').map(Number);
    const endX = Date.UTC(year, month, 0) / 1000;
    const xs = [...m.x, ...(endX > lastX ? [endX] : [])];
    const spent = [...m.cumulative.map(usd), ...(endX > lastX ? [null] : [])];
    const projection = xs.map((x, i) =>
      i === m.x.length - 1 ? usd(m.cumulative[i]) : x === endX ? usd(m.projectedMicros) : null,
    );
    const budget = xs.map(() => (m.budgetMicros == null ? null : usd(m.budgetMicros)));
    charts.month = new uPlot(
      {
        width: width(monthEl),
        height: 220,
        axes,
        scales: { x: { time: true }, y: { range: (_u, _min, max) => [0, Math.max(max, 0.0001) * 1.1] } },
        series: [
          {},
          { label: 'spent so far', stroke: '#0b57d0', width: 2, value: (_, v) => money(v) },
          { label: 'projection', stroke: '#0b57d0', dash: [6, 6], spanGaps: true, value: (_, v) => money(v) },
          { label: 'budget', stroke: '#a50e0e', width: 2, value: (_, v) => money(v) },
        ],
      },
      [xs, spent, projection, budget],
      monthEl,
    );
  }

  const shadowEl = document.getElementById('shadow-chart');
  if (shadowEl) {
    charts.shadow = new uPlot(
      {
        width: width(shadowEl),
        height: 160,
        axes,
        scales: { x: { time: true }, y: { range: (_u, _min, max) => [0, Math.max(max, 0.0001) * 1.1] } },
        series: [
          {},
          {
            label: 'shadow (offline, not charged)',
            fill: '#9e9e9e',
            stroke: '#757575',
            paths: uPlot.paths.bars({ size: [0.7, 48] }),
            points: { show: false },
            value: (_, v) => money(v),
          },
        ],
      },
      [data.x, data.shadow.map(usd)],
      shadowEl,
    );
  }

  window.forgeCharts = charts;
  performance.mark('forge:charts');
  let pending = 0;
  addEventListener('resize', () => {
    cancelAnimationFrame(pending);
    pending = requestAnimationFrame(() => {
      for (const [id, chart] of Object.entries(charts)) {
        const el = document.getElementById(`${id}-chart`);
        if (el) chart.setSize({ width: width(el), height: chart.height });
      }
    });
  });
})();

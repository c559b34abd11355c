// Charts (Features/Shared/_Chart.cshtml). Loads Chart.js only on pages that have a chart, draws every
// canvas[data-chart-source] from its JSON block, and makes each canvas keyboard-explorable: arrow keys, Home and
// End move between points, the tooltip follows and a polite live region reads the values. The partial may appear
// several times on a page, so this file guards against running twice. No inline script and no eval: CSP-safe.
(function () {
  'use strict';
  if (window.civicdeskCharts) { window.civicdeskCharts.drawAll(document); return; }

  var me = document.currentScript;
  // GOV.UK palette; dashes as well as colours so series differ without colour vision.
  var colours = ['#1d70b8', '#d4351c', '#00703c', '#4c2c92', '#f47738', '#28a197', '#d53880', '#505a5f'];
  var dashes = { solid: [], dashed: [8, 4], dotted: [2, 3] };
  var patterns = [[], [6, 3], [2, 2], [10, 3, 2, 3]];
  var loading = null;

  function load(src) {
    return new Promise(function (resolve, reject) {
      var s = document.createElement('script');
      s.src = src; s.onload = resolve; s.onerror = reject;
      document.head.appendChild(s);
    });
  }

  // One promise for the library and its date adapter. Not "window.Chart exists": that is true between the two
  // loads, and a time axis drawn then throws for want of the adapter (seen under load when htmx:load raced the
  // page's own drawAll), leaving a blank canvas that ignores the keyboard.
  function ready() {
    if (!loading) {
      loading = load(me.dataset.chartjs).then(function () { return load(me.dataset.chartjsAdapter); });
    }
    return loading;
  }

  function format(v) { return v === null || v === undefined ? 'no data' : v.toLocaleString('en-GB'); }

  function draw(canvas) {
    if (canvas.dataset.chartDrawn) return;
    canvas.dataset.chartDrawn = 'true';
    var data = JSON.parse(document.getElementById(canvas.dataset.chartSource).textContent);
    var live = document.getElementById(canvas.id.replace(/-canvas$/, '-live'));
    var stacked = data.kind === 'stacked';
    var type = data.kind === 'line' ? 'line' : 'bar';
    var datasets = data.series.map(function (s, i) {
      var colour = /^#[0-9a-f]{6}$/i.test(s.colour || '') ? s.colour : colours[i % colours.length];
      return {
        label: s.name,
        data: s.values,
        borderColor: colour,
        backgroundColor: type === 'line' ? colour : colour + 'cc',
        borderDash: s.style !== 'solid' ? dashes[s.style] : patterns[i % patterns.length],
        borderWidth: 2,
        pointRadius: data.labels.length > 60 ? 0 : 2,
        spanGaps: false,
        tension: 0
      };
    });
    var x = data.timeUnit
      ? { type: 'time', time: { unit: data.timeUnit === 'hour' ? 'day' : data.timeUnit, tooltipFormat: data.timeUnit === 'hour' ? 'd MMM yyyy HH:mm' : 'd MMM yyyy' }, stacked: stacked }
      : { type: 'category', stacked: stacked };
    var chart = new window.Chart(canvas, {
      type: type,
      data: { labels: data.labels, datasets: datasets },
      options: {
        responsive: true,
        maintainAspectRatio: false,
        animation: window.matchMedia('(prefers-reduced-motion: reduce)').matches ? false : { duration: 300 },
        interaction: { mode: 'index', intersect: false },
        plugins: { legend: { position: 'bottom', labels: { usePointStyle: false, boxWidth: 24 } } },
        scales: {
          x: x,
          y: { beginAtZero: true, stacked: stacked, title: { display: !!data.valueHeading, text: data.valueHeading || '' } }
        }
      }
    });

    var index = -1;
    function show(i) {
      var n = data.labels.length;
      if (n === 0) return;
      index = Math.max(0, Math.min(n - 1, i));
      var active = datasets.map(function (_, d) { return { datasetIndex: d, index: index }; })
        .filter(function (a) { return datasets[a.datasetIndex].data[index] !== null; });
      chart.setActiveElements(active);
      var meta = chart.getDatasetMeta(0).data[index];
      chart.tooltip.setActiveElements(active, meta ? { x: meta.x, y: meta.y } : { x: 0, y: 0 });
      chart.update();
      if (live) {
        live.textContent = (chart.tooltip.title || [data.labels[index]]).join(' ') + ': ' +
          data.series.map(function (s) { return s.name + ' ' + format(s.values[index]); }).join(', ') +
          ' (' + (index + 1) + ' of ' + n + ')';
      }
    }
    canvas.addEventListener('keydown', function (e) {
      var step = { ArrowRight: 1, ArrowDown: 1, ArrowLeft: -1, ArrowUp: -1 }[e.key];
      if (step) { show(index < 0 ? 0 : index + step); e.preventDefault(); }
      else if (e.key === 'Home') { show(0); e.preventDefault(); }
      else if (e.key === 'End') { show(data.labels.length - 1); e.preventDefault(); }
      else if (e.key === 'Escape') { index = -1; chart.setActiveElements([]); chart.tooltip.setActiveElements([], { x: 0, y: 0 }); chart.update(); }
    });
    canvas.addEventListener('blur', function () { chart.tooltip.setActiveElements([], { x: 0, y: 0 }); chart.update(); });
  }

  function drawAll(root) {
    var canvases = root.querySelectorAll('canvas[data-chart-source]:not([data-chart-drawn])');
    if (canvases.length === 0) return;
    ready().then(function () { canvases.forEach(draw); });
  }

  window.civicdeskCharts = { drawAll: drawAll };
  // htmx swaps in new fragments (filters, period changes): draw charts that arrive later too.
  document.addEventListener('htmx:load', function (e) { drawAll(e.target); });
  if (document.readyState === 'loading') {
    document.addEventListener('DOMContentLoaded', function () { drawAll(document); });
  } else {
    drawAll(document);
  }
})();

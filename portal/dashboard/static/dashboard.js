// The readiness dashboard's chart: completions per week against the plan's line.
// The numbers and the translated axis titles come from a <script type="application/json">
// block (data, not code), so the page needs no inline script under the Content Security
// Policy. Bars and lines have scales of their own, each titled and tinted like its data.
(function () {
  "use strict";

  function drawCompletions(canvas) {
    var source = document.getElementById(canvas.getAttribute("data-chart-source"));
    if (!source || typeof Chart === "undefined") { return null; }
    var data = JSON.parse(source.textContent);
    var sets = data.datasets;
    var barColour = "rgba(13, 110, 253, 0.35)", barText = "#0a58ca", lineColour = "#198754";
    // Right to left (Urdu) the weeks run from the right and the two scales swap sides.
    var rtl = document.documentElement.getAttribute("dir") === "rtl";
    function titled(text, colour) {
      return { display: true, text: text, color: colour, font: { size: 11, weight: "bold" } };
    }
    return new Chart(canvas, {
      data: {
        labels: data.labels,
        datasets: [
          { type: "bar", label: sets.weekly.label, data: sets.weekly.data,
            backgroundColor: barColour, yAxisID: "weekly", order: 3 },
          { type: "line", label: sets.cumulative.label, data: sets.cumulative.data,
            borderColor: lineColour, backgroundColor: lineColour, tension: 0.2, spanGaps: false,
            yAxisID: "total", order: 1 },
          { type: "line", label: sets.planned.label, data: sets.planned.data,
            borderColor: "#6c757d", borderDash: [6, 4], pointRadius: 0, tension: 0,
            yAxisID: "total", order: 2 }
        ]
      },
      options: {
        responsive: true,
        maintainAspectRatio: false,
        animation: false,
        interaction: { mode: "index", intersect: false },
        scales: {
          x: { reverse: rtl },
          weekly: { type: "linear", position: rtl ? "left" : "right", beginAtZero: true, grid: { drawOnChartArea: false },
                    title: titled(data.axes.weekly, barText), ticks: { color: barText, precision: 0 } },
          total: { type: "linear", position: rtl ? "right" : "left", beginAtZero: true,
                   title: titled(data.axes.total, lineColour), ticks: { color: lineColour, precision: 0 } }
        },
        plugins: { legend: { position: "bottom", rtl: rtl }, tooltip: { rtl: rtl } }
      }
    });
  }

  function start() {
    var charts = [];
    document.querySelectorAll("canvas[data-chart-source]").forEach(function (canvas) {
      var chart = drawCompletions(canvas);
      if (chart) { charts.push(chart); }
    });
    // Printing changes the chart's box (print.css gives it a column and a height of its
    // own): draw the charts again at the printed size as soon as print styles apply.
    function resizeAll() { charts.forEach(function (chart) { chart.resize(); }); }
    window.addEventListener("beforeprint", resizeAll);
    window.addEventListener("afterprint", resizeAll);
    var printing = window.matchMedia("print");
    if (printing.addEventListener) { printing.addEventListener("change", resizeAll); }
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();

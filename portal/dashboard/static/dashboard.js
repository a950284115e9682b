// The readiness dashboard's chart: completions per week against the plan's line.
// The numbers come from a <script type="application/json"> block (data, not code),
// so the page needs no inline script under the Content Security Policy.
(function () {
  "use strict";

  function drawCompletions(canvas) {
    var source = document.getElementById(canvas.getAttribute("data-chart-source"));
    if (!source || typeof Chart === "undefined") { return null; }
    var data = JSON.parse(source.textContent);
    var sets = data.datasets;
    return new Chart(canvas, {
      data: {
        labels: data.labels,
        datasets: [
          { type: "bar", label: sets.weekly.label, data: sets.weekly.data,
            backgroundColor: "rgba(13, 110, 253, 0.35)", yAxisID: "weekly", order: 3 },
          { type: "line", label: sets.cumulative.label, data: sets.cumulative.data,
            borderColor: "#198754", backgroundColor: "#198754", tension: 0.2, spanGaps: false,
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
          weekly: { type: "linear", position: "right", beginAtZero: true, grid: { drawOnChartArea: false } },
          total: { type: "linear", position: "left", beginAtZero: true }
        },
        plugins: { legend: { position: "bottom" } }
      }
    });
  }

  function start() {
    var charts = [];
    document.querySelectorAll("canvas[data-chart-source]").forEach(function (canvas) {
      var chart = drawCompletions(canvas);
      if (chart) { charts.push(chart); }
    });
    // Printing changes the page's width: draw the charts again at the printed size.
    function resizeAll() { charts.forEach(function (chart) { chart.resize(); }); }
    window.addEventListener("beforeprint", resizeAll);
    window.addEventListener("afterprint", resizeAll);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();

// Owner dashboard: draws the trend charts from the JSON the page carries, and keeps the window picker honest
// (typing a date switches the period to "Date range"; choosing a preset shows it at once).
(function () {
  "use strict";
  const form = document.getElementById("kpi-window");
  if (form) {
    const preset = form.querySelector("#kpi-preset");
    form.querySelectorAll("input[type=date]").forEach((input) => {
      input.addEventListener("change", () => { preset.value = "custom"; });
    });
    preset.addEventListener("change", () => { if (preset.value !== "custom") form.requestSubmit(); });
  }
  const source = document.getElementById("kpi-trend");
  if (!source || typeof Chart === "undefined") return;
  const trend = JSON.parse(source.textContent);
  const common = { responsive: true, maintainAspectRatio: false, animation: false, spanGaps: true };
  window.kpiCharts = [
    new Chart(document.getElementById("kpi-chart-revenue"), {
      type: "bar",
      data: { labels: trend.labels, datasets: [
        { label: "Earned revenue ($)", data: trend.revenue, backgroundColor: "#0d6efd" },
        { label: "Jobs completed", data: trend.jobs, type: "line", yAxisID: "jobs", borderColor: "#198754" },
      ] },
      options: { ...common, scales: { y: { beginAtZero: true }, jobs: { position: "right", beginAtZero: true } } },
    }),
    new Chart(document.getElementById("kpi-chart-rates"), {
      type: "line",
      data: { labels: trend.labels, datasets: [
        { label: "Utilization (%)", data: trend.utilization, borderColor: "#6f42c1" },
        { label: "Cancellation rate (%)", data: trend.cancellation, borderColor: "#dc3545" },
      ] },
      options: { ...common, scales: { y: { beginAtZero: true, suggestedMax: 100 } } },
    }),
  ];
})();

// The alarm worklist refreshes its rows when an alarm notification arrives on the live feed.
document.addEventListener("anyun:notification", (event) => {
  if (!event.detail || event.detail.kind !== "alarm") return;
  const rows = document.getElementById("alarm-rows");
  if (!rows) return;
  fetch(rows.dataset.refreshUrl, { headers: { "HX-Request": "true" }, credentials: "same-origin" })
    .then((response) => (response.ok ? response.text() : null))
    .then((html) => {
      if (html !== null) {
        rows.innerHTML = html;
        rows.dataset.refreshed = String(Date.now());
      }
    });
});

// The alarm worklist refreshes its rows when an alarm notification arrives on the live feed.
// A clinician tabbing through the rows keeps her place: the link of the row she was on gets
// focus back after the swap. New rows are announced through the polite live region.
function focusedAlarm(rows) {
  const active = document.activeElement;
  if (!active || !rows.contains(active)) return null;
  const row = active.closest("[data-alarm]");
  return row ? row.dataset.alarm : null;
}

function announceNew(rows, before) {
  const region = document.getElementById("alarm-announce");
  if (!region) return;
  const added = [...rows.querySelectorAll("[data-alarm]")].filter(
    (row) => !before.has(row.dataset.alarm),
  );
  if (added.length === 0) return;
  region.textContent = added
    .map((row) => `${region.dataset.newAlarm} ${row.dataset.announce}`)
    .join("; ");
}

document.addEventListener("anyun:notification", (event) => {
  if (!event.detail || event.detail.kind !== "alarm") return;
  const rows = document.getElementById("alarm-rows");
  if (!rows) return;
  fetch(rows.dataset.refreshUrl, { headers: { "HX-Request": "true" }, credentials: "same-origin" })
    .then((response) => (response.ok ? response.text() : null))
    .then((html) => {
      if (html === null) return;
      const before = new Set([...rows.querySelectorAll("[data-alarm]")].map((r) => r.dataset.alarm));
      const focused = focusedAlarm(rows);
      rows.innerHTML = html;
      if (focused) {
        const link = rows.querySelector(`[data-alarm="${CSS.escape(focused)}"] a`);
        if (link) link.focus();
      }
      announceNew(rows, before);
      rows.dataset.refreshed = String(Date.now());
    });
});

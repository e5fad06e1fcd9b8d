// Keyboard and screen-reader help; every page works without it (docs/accessibility.md).

// After a validation error, focus goes to the first field in error (Django marks it
// aria-invalid and ties its error text to it), or to the error summary when only the
// form as a whole is refused.
function focusFirstError() {
  const target =
    document.querySelector("[aria-invalid=true]") || document.querySelector("[data-error-summary]");
  if (target) target.focus();
}

// A link of the error summary moves focus to its field, not only the scroll position.
document.addEventListener("click", (event) => {
  const link = event.target.closest && event.target.closest("[data-error-summary] a[href^='#']");
  if (!link) return;
  const field = document.getElementById(decodeURIComponent(link.hash.slice(1)));
  if (!field) return;
  event.preventDefault();
  field.focus();
});

// An htmx form marked data-keep-focus="#row" that replaces its own row (the inbox's "mark as
// read") gives focus back to that row: its link, or the row itself.
let keepFocus = null;
document.addEventListener("htmx:beforeRequest", (event) => {
  const form = event.detail.elt;
  const selector = form && form.getAttribute && form.getAttribute("data-keep-focus");
  keepFocus = selector && form.contains(document.activeElement) ? selector : null;
});
document.addEventListener("htmx:afterSettle", () => {
  if (!keepFocus) return;
  const row = document.querySelector(keepFocus);
  keepFocus = null;
  if (row) (row.querySelector("a[href]") || row).focus();
});

if (document.readyState === "loading") {
  document.addEventListener("DOMContentLoaded", focusFirstError);
} else {
  focusFirstError();
}

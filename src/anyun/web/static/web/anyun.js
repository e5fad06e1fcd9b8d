// Small progressive enhancements; every page works without scripts.
document.addEventListener("submit", (event) => {
  const form = event.target;
  const button = form.querySelector("button[type=submit], button:not([type])");
  if (button && !form.hasAttribute("data-no-disable")) {
    // Prevent double submission while the request is on its way.
    setTimeout(() => { button.disabled = true; }, 0);
  }
});

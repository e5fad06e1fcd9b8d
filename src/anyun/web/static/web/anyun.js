// Small progressive enhancements; every page works without scripts.
document.addEventListener("submit", (event) => {
  const form = event.target;
  const button = form.querySelector("button[type=submit], button:not([type])");
  if (button && !form.hasAttribute("data-no-disable")) {
    // Prevent double submission while the request is on its way.
    setTimeout(() => { button.disabled = true; }, 0);
  }
});

// The phone's fixed tab bar: --tabbar-height follows its real height (larger text, a label on
// two lines, the safe area), so the page's bottom padding keeps the end of a page above it.
{
  const tabbar = document.querySelector(".tabbar");
  if (tabbar) {
    const root = document.documentElement;
    const track = () => {
      root.style.setProperty("--tabbar-height", `${tabbar.getBoundingClientRect().height}px`);
    };
    track();
    if ("ResizeObserver" in window) new ResizeObserver(track).observe(tabbar);
  }
}

// The sign-in page's resend button: disabled, with a countdown, until the server will send
// another code. Without this script the button stays usable and the server says when to wait.
{
  const button = document.querySelector("[data-resend]");
  if (button) {
    const note = document.querySelector("[data-resend-countdown]");
    const template = button.dataset.countdownText || "{seconds}";
    const deadline = Date.now() + Number.parseInt(button.dataset.wait || "0", 10) * 1000;
    const tick = () => {
      const left = Math.ceil((deadline - Date.now()) / 1000);
      if (left <= 0) {
        button.disabled = false;
        button.removeAttribute("aria-disabled");
        if (note) note.textContent = "";
        return;
      }
      button.disabled = true;
      button.setAttribute("aria-disabled", "true");
      if (note) note.textContent = template.replace("{seconds}", String(left));
      setTimeout(tick, 250);
    };
    tick();
  }
}

// Live feed: keeps every [data-unread-count] badge current and shows a toast in #toasts
// for each new notification. Loaded as an ES module (CSP: script-src 'self').
// Other scripts can listen for the "anyun:notification" event on document.

// A toast of an ordinary message goes after a while; an alarm's stays until it is closed
// (WCAG 2.2.1: nobody has to read an urgent alarm against a clock).
const TOAST_MS = 6000;
const MIN_DELAY_MS = 1000;
const MAX_DELAY_MS = 30000;

function feedUrl() {
  const scheme = window.location.protocol === "https:" ? "wss:" : "ws:";
  return `${scheme}//${window.location.host}/ws/feed/`;
}

export function setUnread(count) {
  const text = count > 0 ? String(count) : "";
  for (const el of document.querySelectorAll("[data-unread-count]")) {
    el.textContent = text;
  }
  // The inbox link's name carries the count (its badge is hidden from screen readers).
  for (const el of document.querySelectorAll("[data-unread-label]")) {
    const label = count > 0 ? el.dataset.labelSome.replace("{n}", String(count)) : el.dataset.labelNone;
    el.setAttribute("aria-label", label);
  }
}

function safeLink(link) {
  // Same rule as the server: site paths and http(s) addresses only.
  if (!link) return "";
  if (link.startsWith("/") && !link.startsWith("//")) return link;
  if (link.startsWith("https://") || link.startsWith("http://")) return link;
  return "";
}

export function showToast(message) {
  const box = document.getElementById("toasts");
  if (!box) return;
  const toast = document.createElement("div");
  const isAlarm = message.kind === "alarm";
  toast.className = isAlarm ? "toast toast-alarm" : "toast";
  toast.setAttribute("role", "status");
  toast.dataset.testid = "toast";
  const title = document.createElement(safeLink(message.link) ? "a" : "strong");
  title.className = "toast-title";
  title.textContent = message.title || message.kind || "";
  if (title.tagName === "A") title.href = safeLink(message.link);
  toast.append(title);
  if (message.body) {
    const body = document.createElement("p");
    body.className = "toast-body";
    body.textContent = message.body;
    toast.append(body);
  }
  const close = document.createElement("button");
  close.type = "button";
  close.className = "toast-close link";
  close.setAttribute("aria-label", box.dataset.closeLabel || "Close");
  close.dataset.testid = "toast-close";
  const cross = document.createElement("span");
  cross.setAttribute("aria-hidden", "true");
  cross.textContent = "×";
  close.append(cross);
  close.addEventListener("click", () => toast.remove());
  toast.append(close);
  box.append(toast);
  if (!isAlarm) window.setTimeout(() => toast.remove(), TOAST_MS);
}

function handle(message) {
  if (!message || message.type !== "notification") return;
  if (typeof message.unread === "number") setUnread(message.unread);
  showToast(message);
  document.dispatchEvent(new CustomEvent("anyun:notification", { detail: message }));
}

export function connect() {
  let delay = MIN_DELAY_MS;
  let socket = null;
  let timer = null;

  const open = () => {
    timer = null;
    socket = new WebSocket(feedUrl());
    socket.addEventListener("open", () => {
      delay = MIN_DELAY_MS;
    });
    socket.addEventListener("message", (event) => {
      try {
        handle(JSON.parse(event.data));
      } catch (error) {
        console.warn("anyun feed: bad message", error);
      }
    });
    socket.addEventListener("close", () => {
      socket = null;
      // Exponential back-off with jitter, so a restarted server is not stormed.
      const wait = delay / 2 + Math.random() * (delay / 2);
      delay = Math.min(delay * 2, MAX_DELAY_MS);
      timer = window.setTimeout(open, wait);
    });
  };

  // Reconnect at once when the page comes back to the foreground.
  document.addEventListener("visibilitychange", () => {
    if (document.visibilityState === "visible" && socket === null && timer !== null) {
      window.clearTimeout(timer);
      open();
    }
  });
  // Inbox actions answer with HX-Trigger {"anyun:unread": n}.
  document.body.addEventListener("anyun:unread", (event) => {
    const count = event.detail && typeof event.detail.value === "number" ? event.detail.value : null;
    if (count !== null) setUnread(count);
  });
  open();
}

// Only signed-in frames render an unread badge; anonymous pages would be refused anyway.
if (!window.anyunFeed && document.querySelector("[data-unread-count]")) {
  window.anyunFeed = true;
  connect();
}

// The consultation room: live chat over the consultation's WebSocket, resumed after the last
// message id on every reconnect (nothing lost, nothing doubled), read receipts, images, and
// the video call's signalling (WebRTC offer/answer/ICE relayed by our server).
// Loaded as an ES module (CSP: script-src 'self'). Without it the form posts as usual.

const MIN_DELAY_MS = 500;
const MAX_DELAY_MS = 15000;

const root = document.querySelector("[data-chat]");

function newClientId() {
  if (window.crypto && window.crypto.randomUUID) return window.crypto.randomUUID().replace(/-/g, "");
  return `${Date.now().toString(16)}${Math.random().toString(16).slice(2)}`;
}

function lastId(list) {
  let max = 0;
  for (const li of list.querySelectorAll("[data-id]")) max = Math.max(max, Number(li.dataset.id));
  return max;
}

function timeOf(iso) {
  const d = new Date(iso);
  return `${String(d.getHours()).padStart(2, "0")}:${String(d.getMinutes()).padStart(2, "0")}`;
}

function render(list, message, me) {
  if (list.querySelector(`[data-id="${message.id}"]`)) return false; // already shown
  const li = document.createElement("li");
  li.className = message.sender === me ? "chat-msg mine" : "chat-msg";
  li.dataset.id = String(message.id);
  li.dataset.testid = "message";
  const who = document.createElement("span");
  who.className = "chat-who small muted";
  who.textContent = `${message.sender_name} · ${timeOf(message.sent_at)}`;
  li.append(who);
  if (message.kind === "image") {
    const img = document.createElement("img");
    img.className = "chat-img";
    img.src = message.image;
    img.alt = "";
    li.append(img);
  } else {
    const text = document.createElement("span");
    text.className = "chat-text";
    text.textContent = message.text;
    li.append(text);
  }
  // Keep the list in id order even if a message arrives late.
  const later = [...list.querySelectorAll("[data-id]")].find((el) => Number(el.dataset.id) > message.id);
  if (later) list.insertBefore(li, later);
  else list.append(li);
  li.scrollIntoView({ block: "nearest" });
  return true;
}

function markRead(list, upto, label, receipt) {
  let any = false;
  for (const li of list.querySelectorAll(".chat-msg.mine")) {
    if (Number(li.dataset.id) <= upto) {
      li.classList.add("read");
      any = true;
    }
  }
  if (any && receipt) receipt.textContent = label;
}

function start() {
  if (!root) return;
  const id = root.dataset.consultation;
  const me = root.dataset.me;
  const list = root.querySelector("#messages");
  const status = root.querySelector("#chat-status");
  const errorBox = root.querySelector("#chat-error");
  const receipt = root.querySelector("#read-receipt");
  const form = root.querySelector("#chat-form");
  const iceServers = JSON.parse(root.dataset.ice || "[]");
  const outbox = new Map(); // client_id -> payload, until it comes back stored
  let socket = null;
  let delay = MIN_DELAY_MS;
  let readSent = 0;
  markRead(list, Number(root.dataset.readUpto || 0), root.dataset.labelRead, receipt);

  const send = (payload) => {
    if (socket && socket.readyState === WebSocket.OPEN) {
      socket.send(JSON.stringify(payload));
      return true;
    }
    return false;
  };

  const sendRead = () => {
    const upto = lastId(list);
    if (upto > readSent && document.visibilityState === "visible" && send({ type: "read", upto })) {
      readSent = upto;
    }
  };

  const call = videoCall({ root, iceServers, send });

  const handle = (data) => {
    if (data.type === "message") {
      const m = data.message;
      outbox.delete(m.client_id);
      render(list, m, me);
      if (m.sender !== me) sendRead();
    } else if (data.type === "read") {
      if (data.side !== root.dataset.side) markRead(list, data.upto, root.dataset.labelRead, receipt);
    } else if (data.type === "signal") {
      call.onSignal(data.data);
    } else if (data.type === "ended") {
      window.location.reload();
    } else if (data.type === "error") {
      if (data.client_id) outbox.delete(data.client_id);
      errorBox.textContent = data.message || "";
    }
  };

  const connect = () => {
    const scheme = window.location.protocol === "https:" ? "wss:" : "ws:";
    socket = new WebSocket(`${scheme}//${window.location.host}/ws/consultation/${id}/`);
    socket.addEventListener("open", () => {
      delay = MIN_DELAY_MS;
      status.textContent = "";
      root.dataset.connected = "1";
      send({ type: "resume", after: lastId(list) });
      for (const payload of outbox.values()) send(payload); // stored once: same client_id
      sendRead();
    });
    socket.addEventListener("message", (event) => {
      try {
        handle(JSON.parse(event.data));
      } catch (err) {
        console.error(err);
      }
    });
    socket.addEventListener("close", (event) => {
      root.dataset.connected = "0";
      if (event.code === 4401 || event.code === 4404) return; // signed out or not allowed
      status.textContent = root.dataset.labelOffline;
      window.setTimeout(connect, delay);
      delay = Math.min(delay * 2, MAX_DELAY_MS);
    });
  };

  if (form) {
    form.addEventListener("submit", (event) => {
      const text = form.querySelector("textarea");
      const file = form.querySelector('input[type="file"]');
      if (!socket || socket.readyState !== WebSocket.OPEN) return; // the form posts instead
      event.preventDefault();
      errorBox.textContent = "";
      if (file && file.files.length) {
        const reader = new FileReader();
        reader.addEventListener("load", () => {
          const payload = { type: "image", data: String(reader.result), client_id: newClientId() };
          outbox.set(payload.client_id, payload);
          send(payload);
          file.value = "";
        });
        reader.readAsDataURL(file.files[0]);
      }
      const body = text ? text.value.trim() : "";
      if (body) {
        const payload = { type: "message", text: body, client_id: newClientId() };
        outbox.set(payload.client_id, payload);
        send(payload);
        text.value = "";
      }
    });
  }
  document.addEventListener("visibilitychange", sendRead);
  connect();
}

function videoCall({ root, iceServers, send }) {
  const state = root.querySelector("#call-state");
  const startBtn = root.querySelector("#call-start");
  const answerBtn = root.querySelector("#call-answer");
  const hangupBtn = root.querySelector("#call-hangup");
  const localVideo = root.querySelector("#local-video");
  const remoteVideo = root.querySelector("#remote-video");
  let pc = null;
  let pendingOffer = null;
  const pendingCandidates = [];

  const show = (text) => {
    if (state) {
      state.textContent = text;
      state.dataset.state = text;
    }
  };

  const media = async () => {
    const stream = await navigator.mediaDevices.getUserMedia({ video: true, audio: true });
    if (localVideo) localVideo.srcObject = stream;
    return stream;
  };

  const peer = async () => {
    // data-ice-policy="relay" forces the TURN relay (used to check a TURN server end to end).
    pc = new RTCPeerConnection({ iceServers, iceTransportPolicy: root.dataset.icePolicy || "all" });
    window.anyunPeer = pc; // for the browser tests
    pc.addEventListener("icecandidate", (event) => {
      if (event.candidate) send({ type: "signal", data: { kind: "candidate", candidate: event.candidate.toJSON() } });
    });
    pc.addEventListener("track", (event) => {
      if (remoteVideo && event.streams[0]) remoteVideo.srcObject = event.streams[0];
    });
    pc.addEventListener("connectionstatechange", () => show(pc.connectionState));
    const stream = await media();
    const videos = root.querySelector("#call-videos");
    if (videos) videos.hidden = false;
    for (const track of stream.getTracks()) pc.addTrack(track, stream);
    if (startBtn) startBtn.hidden = true;
    if (hangupBtn) hangupBtn.hidden = false;
    return pc;
  };

  const flushCandidates = async () => {
    while (pendingCandidates.length) await pc.addIceCandidate(pendingCandidates.shift());
  };

  const hangup = (tell) => {
    if (tell) {
      send({ type: "signal", data: { kind: "hangup" } });
      send({ type: "call", action: "end" });
    }
    if (pc) {
      for (const sender of pc.getSenders()) if (sender.track) sender.track.stop();
      pc.close();
    }
    pc = null;
    pendingOffer = null;
    show("closed");
    const videos = root.querySelector("#call-videos");
    if (videos) videos.hidden = true;
    if (startBtn) startBtn.hidden = false;
    if (answerBtn) answerBtn.hidden = true;
    if (hangupBtn) hangupBtn.hidden = true;
  };

  if (startBtn) {
    startBtn.addEventListener("click", async () => {
      await peer();
      const offer = await pc.createOffer();
      await pc.setLocalDescription(offer);
      send({ type: "call", action: "start" });
      send({ type: "signal", data: { kind: "offer", sdp: offer.sdp } });
      show("calling");
    });
  }
  if (answerBtn) {
    answerBtn.addEventListener("click", async () => {
      if (!pendingOffer) return;
      answerBtn.hidden = true;
      await peer();
      await pc.setRemoteDescription({ type: "offer", sdp: pendingOffer });
      await flushCandidates();
      const answer = await pc.createAnswer();
      await pc.setLocalDescription(answer);
      send({ type: "signal", data: { kind: "answer", sdp: answer.sdp } });
    });
  }
  if (hangupBtn) hangupBtn.addEventListener("click", () => hangup(true));

  return {
    async onSignal(data) {
      if (!data || typeof data !== "object") return;
      if (data.kind === "offer") {
        pendingOffer = data.sdp;
        show(root.dataset.labelCalling);
        if (answerBtn) answerBtn.hidden = false;
      } else if (data.kind === "answer" && pc) {
        await pc.setRemoteDescription({ type: "answer", sdp: data.sdp });
        await flushCandidates();
      } else if (data.kind === "candidate") {
        if (pc && pc.remoteDescription) await pc.addIceCandidate(data.candidate);
        else pendingCandidates.push(data.candidate);
      } else if (data.kind === "hangup") {
        hangup(false);
      }
    },
  };
}

start();

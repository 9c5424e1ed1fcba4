// 码上巡视: a villager reports a problem from a village's QR code, then follows it by its receipt
// code. No framework, no external asset; every text from the server is shown with textContent.
"use strict";
const API = "/public/v1";
const $ = (sel) => document.querySelector(sel);
const params = new URLSearchParams(location.search);
const qr = { c: params.get("c"), t: params.get("t") };
let position = null;

function fail(message) { $("#error").textContent = message || "出错了，请稍后再试。"; }

async function api(path, options = {}) {
  // The page is in Chinese, so are its messages, whatever the phone's language.
  const headers = Object.assign({ "Accept-Language": "zh-CN" }, options.headers || {});
  const response = await fetch(API + path, Object.assign({}, options, { headers }));
  let body = null;
  try { body = await response.json(); } catch (e) { /* not JSON */ }
  if (!response.ok) {
    let message = (body && body.message) || "网络错误（" + response.status + "）";
    const wait = response.headers.get("Retry-After");
    if (response.status === 429 && wait) message += "（约 " + wait + " 秒后可再试）";
    throw new Error(message);
  }
  return body;
}

// ---------------------------------------------------------------- SHA-256 for the anti-spam check
// Plain JavaScript: crypto.subtle exists only on https pages, and a county may serve plain http.
const K = new Uint32Array([
  0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
  0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
  0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
  0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
  0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
  0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
  0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
  0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2]);
const W = new Uint32Array(64);
const ror = (x, n) => (x >>> n) | (x << (32 - n));

function sha256(bytes) {
  const blocks = (bytes.length + 9 + 63) >> 6;
  const buf = new Uint8Array(blocks * 64);
  buf.set(bytes);
  buf[bytes.length] = 0x80;
  const view = new DataView(buf.buffer);
  view.setUint32(buf.length - 4, bytes.length * 8);
  const H = new Uint32Array([0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19]);
  for (let off = 0; off < buf.length; off += 64) {
    for (let i = 0; i < 16; i++) W[i] = view.getUint32(off + i * 4);
    for (let i = 16; i < 64; i++) {
      const a = W[i - 15], b = W[i - 2];
      W[i] = W[i - 16] + (ror(a, 7) ^ ror(a, 18) ^ (a >>> 3)) + W[i - 7] + (ror(b, 17) ^ ror(b, 19) ^ (b >>> 10));
    }
    let [a, b, c, d, e, f, g, h] = H;
    for (let i = 0; i < 64; i++) {
      const t1 = (h + (ror(e, 6) ^ ror(e, 11) ^ ror(e, 25)) + ((e & f) ^ (~e & g)) + K[i] + W[i]) | 0;
      const t2 = ((ror(a, 2) ^ ror(a, 13) ^ ror(a, 22)) + ((a & b) ^ (a & c) ^ (b & c))) | 0;
      h = g; g = f; f = e; e = (d + t1) | 0; d = c; c = b; b = a; a = (t1 + t2) | 0;
    }
    H[0] += a; H[1] += b; H[2] += c; H[3] += d; H[4] += e; H[5] += f; H[6] += g; H[7] += h;
  }
  return H;
}

function zeroBits(H) {
  let bits = 0;
  for (const word of H) { const z = Math.clz32(word); bits += z; if (z < 32) break; }
  return bits;
}

async function solve(challenge, bits) {
  const prefix = new TextEncoder().encode(challenge + ":");
  for (let n = 0; ; n++) {
    const digits = new TextEncoder().encode(String(n));
    const message = new Uint8Array(prefix.length + digits.length);
    message.set(prefix); message.set(digits, prefix.length);
    if (zeroBits(sha256(message)) >= bits) return String(n);
    if (n % 20000 === 19999) await new Promise((r) => setTimeout(r, 0));  // keep the page alive
  }
}

// ---------------------------------------------------------------- photos: smaller before sending
async function shrink(file) {
  try {
    const bitmap = await createImageBitmap(file, { imageOrientation: "from-image" });
    const scale = Math.min(1, 1600 / Math.max(bitmap.width, bitmap.height));
    const canvas = document.createElement("canvas");
    canvas.width = Math.round(bitmap.width * scale); canvas.height = Math.round(bitmap.height * scale);
    canvas.getContext("2d").drawImage(bitmap, 0, 0, canvas.width, canvas.height);
    const blob = await new Promise((resolve) => canvas.toBlob(resolve, "image/jpeg", 0.8));
    return blob && blob.size < file.size ? new File([blob], "photo.jpg", { type: "image/jpeg" }) : file;
  } catch (e) {
    return file;  // a format the browser cannot draw (HEIC): the server checks it
  }
}

// ---------------------------------------------------------------- the report
async function showPlace() {
  const place = await api("/place?" + new URLSearchParams(qr));
  $("#place").textContent = place.village_name + (place.task_name ? " · " + place.task_name : "");
  $("#photo-hint").textContent = "（选填，最多" + place.max_photos + "张）";
  $("#photos").dataset.max = place.max_photos;
  $("#report-view").hidden = false;
}

$("#anonymous").addEventListener("change", (event) => {
  $("#contact").hidden = event.target.checked;
});

$("#locate").addEventListener("click", () => {
  if (!navigator.geolocation) { $("#location").textContent = "此手机不支持定位"; return; }
  $("#location").textContent = "正在定位…";
  navigator.geolocation.getCurrentPosition((p) => {
    // The browser's position is WGS-84 (a Chinese map app's would be gcj02).
    position = { lat: p.coords.latitude, lon: p.coords.longitude, accuracy_m: p.coords.accuracy, crs: "wgs84" };
    $("#location").textContent = "已添加位置（精度约" + Math.round(p.coords.accuracy) + "米）";
  }, () => { $("#location").textContent = "未能定位，可不填"; }, { enableHighAccuracy: true, timeout: 15000 });
});

$("#report-form").addEventListener("submit", async (event) => {
  event.preventDefault();
  fail(""); $("#error").textContent = "";
  const button = $("#submit");
  button.disabled = true;
  try {
    const files = Array.from($("#photos").files);
    const max = Number($("#photos").dataset.max || 3);
    if (files.length > max) throw new Error("最多上传" + max + "张照片。");
    $("#progress").textContent = "正在准备…";
    const { challenge, bits } = await api("/challenge");
    const solution = await solve(challenge, bits);
    const form = new FormData();
    form.set("text", $("#text").value);
    const anonymous = $("#anonymous").checked;
    form.set("anonymous", anonymous ? "true" : "false");
    if (!anonymous && $("#name").value.trim()) form.set("name", $("#name").value.trim());
    if (!anonymous && $("#phone").value.trim()) form.set("phone", $("#phone").value.trim());
    if (position) for (const [k, v] of Object.entries(position)) form.set(k, String(v));
    form.set("challenge", challenge);
    form.set("solution", solution);
    $("#progress").textContent = "正在上传…";
    for (const file of files) form.append("photo", await shrink(file));
    const receipt = await api("/reports?" + new URLSearchParams(qr), { method: "POST", body: form });
    remember(receipt.receipt_code);
    $("#report-view").hidden = true;
    history.replaceState(null, "", "?r=" + encodeURIComponent(receipt.receipt_code));
    showReceipt(receipt);
  } catch (e) {
    fail(e.message);
  } finally {
    button.disabled = false; $("#progress").textContent = "";
  }
});

function remember(code) {
  try {
    const codes = JSON.parse(localStorage.getItem("receipts") || "[]").filter((c) => c !== code);
    localStorage.setItem("receipts", JSON.stringify([code, ...codes].slice(0, 10)));
  } catch (e) { /* private mode */ }
}

// ---------------------------------------------------------------- the receipt and 回访
function when(iso) {
  return iso ? new Date(iso).toLocaleString("zh-CN", { timeZone: "Asia/Shanghai", hour12: false }) : "—";
}

function showReceipt(r) {
  $("#receipt-view").hidden = false;
  $("#receipt-code").textContent = r.receipt_code;
  $("#receipt-status").textContent = r.status_label;
  $("#receipt-status").dataset.status = r.status;
  $("#receipt-time").textContent = when(r.submitted_at);
  $("#receipt-village").textContent = r.village_name || "—";
  $("#receipt-text").textContent = r.text;
  $("#receipt-reply").textContent = [r.reason, r.public_reply].filter(Boolean).join("；") || "—";
  const returnVisit = r.return_visit;
  $("#return-visit").hidden = !(returnVisit && returnVisit.can_rate);
  const done = $("#return-visit-done");
  done.hidden = !(returnVisit && returnVisit.rating);
  if (returnVisit && returnVisit.rating) done.textContent = "您的评价：" + returnVisit.rating_label + (returnVisit.comment ? "（" + returnVisit.comment + "）" : "");
}

async function lookup(code) {
  fail("");
  try { showReceipt(await api("/receipts/" + encodeURIComponent(code))); } catch (e) { fail(e.message); }
}

$("#lookup-form").addEventListener("submit", (event) => {
  event.preventDefault();
  const code = new FormData(event.target).get("code").trim();
  history.replaceState(null, "", "?r=" + encodeURIComponent(code));
  $("#report-view").hidden = true;
  lookup(code);
});

$("#rating-form").addEventListener("submit", async (event) => {
  event.preventDefault();
  const form = new FormData(event.target);
  const body = { rating: form.get("rating") };
  if (form.get("comment").trim()) body.comment = form.get("comment").trim();
  try {
    showReceipt(await api("/receipts/" + encodeURIComponent($("#receipt-code").textContent) + "/return-visit", {
      method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(body) }));
  } catch (e) { fail(e.message); }
});

if (params.get("r")) lookup(params.get("r"));
else if (qr.c && qr.t) showPlace().catch((e) => fail(e.message));
document.body.dataset.ready = "1";

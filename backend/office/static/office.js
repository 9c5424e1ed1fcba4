// The office dashboard: a few fetches over /api/v1/stats, no framework, no build step.
"use strict";
const API = "/api/v1";
const $ = (sel) => document.querySelector(sel);
const state = { department: null, departmentName: null };

function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (k === "class") node.className = v;
    else if (k.startsWith("data-")) node.setAttribute(k, v);
    else node[k] = v;
  }
  for (const child of children) node.append(child);
  return node;
}

const pct = (rate) => (rate === null || rate === undefined ? "—" : (rate * 100).toFixed(1) + "%");

async function call(path, options = {}) {
  const token = sessionStorage.getItem("token");
  const headers = Object.assign({}, options.headers || {}, token ? { Authorization: "Bearer " + token } : {});
  const response = await fetch(API + path, Object.assign({}, options, { headers }));
  if (response.status === 401) { logout(); throw new Error("请重新登录"); }
  if (!response.ok) {
    let message = response.statusText;
    try { message = (await response.json()).message; } catch (e) { /* not JSON */ }
    throw new Error(message);
  }
  return response;
}
const json = async (path, options) => (await call(path, options)).json();

function query(extra = {}) {
  const form = new FormData($("#window"));
  const params = new URLSearchParams();
  for (const key of ["from", "to"]) if (form.get(key)) params.set(key, form.get(key));
  if (state.department) params.set("department", state.department);
  for (const [k, v] of Object.entries(extra)) {
    if (v === "" || v === null) params.delete(k); else params.set(k, v);
  }
  return params;
}

function showLogin() {
  $("#login-view").hidden = false; $("#dashboard").hidden = true; $("#logout").hidden = true; $("#who").textContent = "";
}

function logout() { sessionStorage.removeItem("token"); showLogin(); }

async function start() {
  if (!sessionStorage.getItem("token")) return showLogin();
  const me = await json("/me");
  if (me.role !== "office") { logout(); $("#login-error").textContent = "看板只对巡察办账号开放。"; return; }
  $("#who").textContent = me.username; $("#logout").hidden = false;
  $("#login-view").hidden = true; $("#dashboard").hidden = false;
  const today = new Date(Date.now() + 8 * 3600 * 1000).toISOString().slice(0, 10);
  const form = $("#window");
  if (!form.elements.to.value) form.elements.to.value = today;
  if (!form.elements.from.value) form.elements.from.value = today.slice(0, 4) + "-01-01";
  await refresh();
}

async function refresh() {
  $("#error").textContent = "";
  $("#scope").textContent = state.department ? "部门：" + state.departmentName : "全县";
  $("#all-departments").hidden = !state.department;
  try {
    const [summary, byDepartment, trend, overdue, problems, rounds] = await Promise.all([
      json("/stats/resolution?" + query({ group_by: "department" })),
      json("/stats/resolution?" + query({ group_by: "department", department: "", rank_by: $("#rank-by").value })),
      json("/stats/trend?" + query()),
      json("/stats/overdue?" + query({ limit: 50 })),
      json("/stats/common-problems?" + query()),
      json("/oversight/figures"),
    ]);
    tiles(summary.total);
    departments(byDepartment);
    months(trend.months);
    overdueList(overdue);
    problemList(problems.problems);
    roundFigures(rounds);
    document.body.dataset.loaded = String(Date.now());
  } catch (e) {
    $("#error").textContent = e.message;
  }
}

function tiles(total) {
  for (const node of document.querySelectorAll("[data-kpi]")) {
    const key = node.dataset.kpi;
    node.textContent = key.endsWith("_rate") ? pct(total[key]) : String(total[key]);
  }
}

function departments(body) {
  $("#min-tickets").textContent = body.min_tickets_to_rank;
  for (const [part, weight] of Object.entries(body.score_weights || {})) $("#w-" + part).textContent = String(weight);
  const byScore = body.rank_by === "composite_score";
  const box = $("#departments");
  box.replaceChildren();
  for (const group of body.groups.filter((g) => g.key !== "(none)")) {
    const width = Math.round(byScore ? group.composite_score || 0 : (group.resolution_rate || 0) * 100);
    const button = el("button", { type: "button", class: group.rank ? "ranked" : "unranked", "data-department": group.key,
                                  title: group.rank ? "第 " + group.rank + " 名" : "工单不足，不排名" },
      el("span", {}, (group.rank ? group.rank + ". " : "") + group.label),
      el("span", { class: "track" }, el("span", { class: "fill", style: "display:block;width:" + width + "%" })),
      el("span", {}, (byScore ? (group.composite_score === null ? "—" : group.composite_score.toFixed(1) + "分")
                              : pct(group.resolution_rate)) + " / " + group.tickets),
      el("span", { class: "satisfaction", "data-satisfaction": group.key }, "满意率 " + pct(group.satisfaction_rate)));
    button.querySelector(".fill").style.width = width + "%";
    button.addEventListener("click", () => { state.department = group.key; state.departmentName = group.label; refresh(); });
    if (state.department === group.key) button.style.outline = "2px solid #b71c1c";
    box.append(button);
  }
  if (!box.children.length) box.append(el("p", {}, "本期没有工单。"));
}

function months(rows) {
  const box = $("#trend");
  box.replaceChildren();
  const most = Math.max(1, ...rows.map((r) => r.tickets));
  for (const row of rows) {
    const height = Math.round((row.tickets / most) * 100);
    const col = el("div", { class: "col", title: row.key + "：" + row.tickets + " 件，办结率 " + pct(row.resolution_rate) },
      el("i", {}));
    col.style.height = height + "px";
    col.querySelector("i").style.height = Math.round(height * (row.resolution_rate || 0)) + "px";
    box.append(el("div", { class: "month", "data-month": row.key }, el("span", {}, pct(row.resolution_rate)), col,
      el("span", {}, row.key.slice(2)), el("span", {}, row.tickets + "件")));
  }
  if (!rows.length) box.append(el("p", {}, "本期没有工单。"));
}

function overdueList(body) {
  const tbody = $("#overdue tbody");
  tbody.replaceChildren();
  for (const t of body.tickets) {
    tbody.append(el("tr", { "data-ticket": t.id }, el("td", {}, t.number), el("td", { class: "title" }, t.title),
      el("td", {}, t.department_name || "—"), el("td", {}, t.village_name || t.village_code),
      el("td", {}, String(t.overdue_days)), el("td", {}, String(t.age_days))));
  }
  if (!body.tickets.length) tbody.append(el("tr", {}, el("td", { colSpan: 6 }, "没有超期工单。")));
}

function problemList(problems) {
  const list = $("#problems");
  list.replaceChildren();
  for (const p of problems) {
    list.append(el("li", { "data-problem": p.kind + ":" + p.key },
      el("b", {}, (p.kind === "category" ? "类别：" : "关键词：") + p.label),
      " — " + p.villages.length + " 个村、" + p.townships.length + " 个乡镇、" + p.ticket_count + " 件工单" +
        (p.department_name ? "，建议统一交办 " + p.department_name : ""),
      el("div", { class: "villages" }, p.villages.map((v) => v.name).join("、"))));
  }
  if (!problems.length) list.append(el("li", {}, "本期没有共性问题。"));
}

const CLASS = { immediate: "立行立改", deadline: "限期", long_term: "长期" };

function roundFigures(body) {
  // 巡察整改: each round's units with 整改完成率, problems by class, overdue and 销号
  const box = $("#rounds");
  box.replaceChildren();
  const rounds = body.counties.flatMap((c) => c.rounds);
  for (const r of rounds) {
    const t = r.total;
    const byClass = Object.entries(t.by_class).map(([k, n]) => CLASS[k] + " " + n).join("，");
    const table = el("table", { "data-round": r.round_id },
      el("thead", {}, el("tr", {}, ...["被巡察单位", "已反馈", "已销号", "整改完成率", "整改中", "超期"]
        .map((h) => el("th", {}, h)))),
      el("tbody", {}, ...r.units.map((u) => el("tr", { "data-unit": u.unit_key },
        el("td", { class: "title" }, u.unit_name), el("td", {}, String(u.fed_back)), el("td", {}, String(u.closed)),
        el("td", {}, pct(u.completion_rate)), el("td", {}, String(u.by_state.rectifying + u.by_state.closure_requested)),
        el("td", {}, String(u.overdue))))));
    box.append(el("h3", {}, r.name),
      el("p", { class: "round-total", "data-round-total": r.round_id },
        "问题 " + t.problems + " 个（" + byClass + "），已反馈 " + t.fed_back + "，已销号 " + t.closed +
        "，整改完成率 " + pct(t.completion_rate) + "，超期 " + t.overdue),
      el("div", { class: "scroll" }, table));
  }
  if (!rounds.length) box.append(el("p", {}, "暂无巡察轮次。"));
}

async function save(response, fallbackName) {
  const disposition = response.headers.get("Content-Disposition") || "";
  const match = disposition.match(/filename="([^"]+)"/);
  const blob = await response.blob();
  const link = el("a", { href: URL.createObjectURL(blob), download: match ? match[1] : fallbackName });
  document.body.append(link);
  link.click();
  setTimeout(() => { URL.revokeObjectURL(link.href); link.remove(); }, 1000);
}

async function exportCsv() {
  $("#export-status").textContent = "正在导出 CSV…";
  try {
    await save(await call("/stats/ledger.csv?" + query()), "ledger.csv");
    $("#export-status").textContent = "CSV 已下载。";
  } catch (e) { $("#export-status").textContent = "导出失败：" + e.message; }
}

async function exportXlsx() {
  $("#export-status").textContent = "正在生成 Excel…";
  try {
    const body = Object.fromEntries(query());
    body.format = "xlsx";
    let job = await json("/stats/exports", { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(body) });
    while (job.status === "queued" || job.status === "running") {
      await new Promise((resolve) => setTimeout(resolve, 1000));
      job = await json("/stats/exports/" + job.id);
    }
    if (job.status !== "done") throw new Error(job.error || job.status);
    await save(await call("/stats/exports/" + job.id + "/file"), "ledger.xlsx");
    $("#export-status").textContent = "Excel 已下载（" + job.rows + " 件）。";
  } catch (e) { $("#export-status").textContent = "导出失败：" + e.message; }
}

$("#login-form").addEventListener("submit", async (event) => {
  event.preventDefault();
  $("#login-error").textContent = "";
  const form = new FormData(event.target);
  const response = await fetch(API + "/auth/token", { method: "POST", headers: { "Content-Type": "application/json" },
    body: JSON.stringify({ username: form.get("username"), password: form.get("password") }) });
  const body = await response.json();
  if (!response.ok) { $("#login-error").textContent = body.message; return; }
  sessionStorage.setItem("token", body.access_token);
  start().catch((e) => { $("#login-error").textContent = e.message; });
});
$("#window").addEventListener("submit", (event) => { event.preventDefault(); refresh(); });
$("#all-departments").addEventListener("click", () => { state.department = null; state.departmentName = null; refresh(); });
$("#logout").addEventListener("click", logout);
$("#rank-by").addEventListener("change", refresh);
$("#export-csv").addEventListener("click", exportCsv);
$("#export-xlsx").addEventListener("click", exportXlsx);
start().catch((e) => { $("#login-error").textContent = e.message; showLogin(); });

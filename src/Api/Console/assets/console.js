// The operator console: reads the service's own endpoints every 5 s and draws them. No library:
// the charts are a few SVG polylines, so the page has nothing to load but itself.
"use strict";

const REFRESH_MS = 5000;

const sources = {
  status: { url: "/resources/status?history=2880", render: renderStatus },
  trends: { url: "/resources/trends?days=30", render: renderTrends },
  telegram: { url: "/telegram/status", render: renderTelegram },
  restarts: { url: "/restart/status", render: renderRestarts },
  tasks: { url: "/tasks?limit=10", render: renderTasks },
  sessions: { url: "/sessions/report?largest=0", render: renderSessions }, // aggregates only: no session keys (chat ids) at all
  usage: { url: "/usage", render: renderUsage }, // the service's figures only: no spender (a Telegram user id)
};

const $ = (selector, root = document) => root.querySelector(selector);
const field = (name) => $(`[data-field="${name}"]`);
const text = (value) => (value === null || value === undefined ? "—" : String(value));
const number = (value, digits = 1) => (typeof value === "number" ? value.toFixed(digits).replace(/\.0+$/, "") : "—");
const bytes = (n) => (n >= 1048576 ? `${number(n / 1048576)} MB` : `${number(n / 1024)} KB`);
const time = (iso) => (iso ? new Date(iso).toLocaleTimeString() : "—");

function element(tag, attributes = {}, children = []) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attributes)) {
    if (key === "text") node.textContent = value; else node.setAttribute(key, value);
  }
  for (const child of children) node.append(child);
  return node;
}

function rows(table, pairs) {
  table.replaceChildren(...pairs.map(([name, value]) => element("tr", {}, [element("th", { text: name }), element("td", { text: text(value) })])));
}

function age(iso) {
  if (!iso) return "—";
  const seconds = Math.max(0, (Date.now() - new Date(iso).getTime()) / 1000);
  if (seconds < 90) return `${Math.round(seconds)} s ago`;
  if (seconds < 5400) return `${Math.round(seconds / 60)} min ago`;
  return `${(seconds / 3600).toFixed(1)} h ago`;
}

/** A line chart of [time, value] points: one polyline vertex per point, its count in data-points. */
function chart(container, points, { min = 0, max } = {}) {
  const ns = "http://www.w3.org/2000/svg";
  const svg = document.createElementNS(ns, "svg");
  svg.setAttribute("viewBox", "0 0 300 110");
  svg.setAttribute("preserveAspectRatio", "none");
  svg.dataset.points = String(points.length);
  const values = points.map((p) => p[1]);
  const top = max ?? Math.max(1, ...values) * 1.1;
  const first = points.length ? points[0][0] : 0;
  const span = points.length > 1 ? points[points.length - 1][0] - first : 1;
  const x = (t) => 30 + (points.length > 1 ? ((t - first) / span) * 265 : 132);
  const y = (v) => 100 - ((v - min) / (top - min || 1)) * 95;
  const axis = document.createElementNS(ns, "path");
  axis.setAttribute("class", "axis");
  axis.setAttribute("d", "M30 5 V100 H295");
  svg.append(axis);
  for (const [label, at] of [[number(top, 0), 9], [number(min, 0), 100]]) {
    const tick = document.createElementNS(ns, "text");
    tick.setAttribute("x", "0");
    tick.setAttribute("y", String(at));
    tick.textContent = label;
    svg.append(tick);
  }
  const line = document.createElementNS(ns, "polyline");
  line.setAttribute("class", "line");
  line.setAttribute("points", points.map(([t, v]) => `${x(t).toFixed(1)},${y(v).toFixed(1)}`).join(" "));
  svg.append(line);
  if (points.length <= 60) {
    // Few points (a few days of baselines, a fresh silo): each is marked, so one alone still shows.
    for (const [t, v] of points) {
      const dot = document.createElementNS(ns, "circle");
      dot.setAttribute("class", "dot");
      dot.setAttribute("cx", x(t).toFixed(1));
      dot.setAttribute("cy", y(v).toFixed(1));
      dot.setAttribute("r", "2");
      svg.append(dot);
    }
  }
  if (points.length) {
    const last = document.createElementNS(ns, "text");
    last.setAttribute("x", "240");
    last.setAttribute("y", "9");
    last.textContent = `now ${number(values[values.length - 1])}`;
    svg.append(last);
  }
  container.replaceChildren(svg);
}

function renderStatus(s) {
  const health = s.health;
  field("score").textContent = number(health.health_score);
  field("memory-health").textContent = number(health.components.memory_health);
  field("cpu-health").textContent = number(health.components.cpu_health);
  field("session-health").textContent = number(health.components.session_health);
  for (const [name, on] of [["emergency", s.emergency.emergency_mode], ["throttling", s.emergency.cpu_throttling]]) {
    const cell = field(name);
    cell.textContent = on ? "ON" : "off";
    cell.className = on ? "on" : "";
  }
  field("waiting").textContent = text(s.emergency.waiting_turns);

  const history = [...s.history].sort((a, b) => new Date(a.timestamp) - new Date(b.timestamp));
  const series = (pick) => history.map((h) => [new Date(h.timestamp).getTime(), pick(h)]);
  chart($('[data-chart="score"]'), series((h) => h.health_score), { max: 100 });
  chart($('[data-chart="memory"]'), series((h) => h.memory_mb));
  chart($('[data-chart="cpu"]'), series((h) => h.cpu_percent), { max: 100 });
  chart($('[data-chart="sessions"]'), series((h) => h.active_sessions));

  const alerts = field("alerts");
  alerts.replaceChildren(...(health.alerts.length
    ? health.alerts.map((a) => element("li", { "data-alert": a.alert_type }, [
      element("span", { class: `sev sev-${a.severity}`, text: a.severity }),
      element("span", { text: ` ${a.alert_type} (${a.silo}, ${age(a.timestamp)}): ${a.message}` }),
    ]))
    : [element("li", { class: "empty", text: "No alert is open." })]));

  field("baselines").replaceChildren(...s.guide_baselines.map((b) => element("tr", { "data-baseline": b.figure }, [
    element("td", { text: b.figure }),
    element("td", { text: b.guide }),
    element("td", { text: b.measured === undefined || b.measured === null ? "—" : `${number(b.measured)} ${b.unit}` }),
    element("td", { class: b.within === false ? "on" : "", text: b.within === true ? "yes" : b.within === false ? "NO" : "not yet" }),
    element("td", { text: b.note }),
  ])));

  field("silos").replaceChildren(...s.silos.map((silo) => element("tr", {}, [
    element("td", { text: silo.silo }),
    element("td", { text: number(silo.health_score) }),
    element("td", { text: number(silo.snapshot.memory_mb) }),
    element("td", { text: number(silo.snapshot.cpu_percent) }),
    element("td", { text: text(silo.snapshot.active_sessions) }),
    element("td", { text: number(silo.session_load_percent) }),
  ])));
  return s.last_cycle_at;
}

function renderTrends(t) {
  const days = [...t.daily].sort((a, b) => (a.day < b.day ? -1 : 1));
  const since = (n) => days.slice(-n);
  const series = (list, pick) => list.map((d) => [new Date(d.day).getTime(), pick(d)]);
  chart($('[data-chart="score30"]'), series(since(30), (d) => d.score.p50), { max: 100 });
  chart($('[data-chart="memory30"]'), series(since(30), (d) => d.memory_mb.p95));
  chart($('[data-chart="cpu7"]'), series(since(7), (d) => d.cpu_percent.p95), { max: 100 });
  chart($('[data-chart="sessions7"]'), series(since(7), (d) => d.sessions.p95));
  const c = t.capacity;
  field("capacity").textContent = c.sessions_before_emergency === null || c.sessions_before_emergency === undefined
    ? `Capacity: ${c.note}`
    : `Capacity: about ${c.sessions_before_emergency} sessions before emergency mode; twice the peak (${c.doubled_peak_sessions}) ${c.holds_doubled_peak ? "fits" : "does not fit"}.`;
  return null;
}

function renderTelegram(t) {
  rows(field("telegram"), [
    ["State", t.state],
    ["Mode", t.mode],
    ["Bot", t.bot ? `@${t.bot.username ?? t.bot.first_name}` : null],
    ["Last update", typeof t.seconds_since_last_update === "number" ? `${number(t.seconds_since_last_update, 0)} s ago` : null],
    ["Sent / edited / failed", `${t.messages.sent} / ${t.messages.edited} / ${t.messages.failed}`],
    ["429 answers", t.too_many_requests],
    ["Dead letters", t.dead_letters < 0 ? "unknown (the count failed)" : t.dead_letters],
    ["Last error", t.last_error],
  ]);
  return null;
}

function renderRestarts(r) {
  rows(field("restart-summary"), [
    ["Supervised", r.supervised ? `yes (${r.supervisor})` : "no: a restart would not come back"],
    ["Next scheduled", r.scheduled ? new Date(r.scheduled).toLocaleString() : "none"],
  ]);
  const history = r.history.slice(0, 5);
  field("restart-history").replaceChildren(...(history.length
    ? history.map((h) => element("li", { text: `${age(h.at)}: ${h.silo}, ${h.reason} (${h.source}): ${h.outcome}` }))
    : [element("li", { class: "empty", text: "No restart yet." })]));
  return null;
}

function renderTasks(tasks) {
  field("tasks").replaceChildren(...tasks.map((t) => element("tr", {}, [
    element("td", { text: t.id }),
    element("td", { text: t.type }),
    element("td", { text: t.status }),
    element("td", { text: t.priority }),
    element("td", { text: age(t.created_at) }),
    element("td", { text: t.error ?? t.deferred ?? "" }),
  ])));
  return null;
}

function renderSessions(r) {
  const kinds = Object.entries(r.messages_by_kind).map(([k, v]) => `${k} ${v}`).join(", ");
  const errors = Object.entries(r.errors.by_type).map(([k, v]) => `${k} ${v}`).join(", ");
  rows(field("sessions"), [
    ["Active sessions", r.active_sessions],
    ["Memory (estimate)", `${bytes(r.memory.estimated_bytes)}, ${bytes(r.memory.average_per_session_bytes)} a session`],
    ["Reply time avg / p95", `${number(r.response_time_ms.average, 0)} / ${number(r.response_time_ms.p95, 0)} ms`],
    ["Messages by kind", kinds || "none yet"],
    ["Error rate", `${number(r.errors.rate * 100)} %`],
    ["Errors by type", errors || "none"],
  ]);
  return null;
}

// As the service writes amounts: two to four decimals.
const usd = (n) => `US$${n.toFixed(4).replace(/(\.\d{2}\d*?)0+$/, "$1")}`;

function against(spent, limit) {
  return limit > 0 ? `${usd(spent)} of ${usd(limit)} (${number((spent / limit) * 100)} %)` : `${usd(spent)} (no limit)`;
}

function renderUsage(u) {
  const g = u.global;
  const models = g.this_month_by_model.map((m) => `${m.model} ${usd(m.figures.cost_usd)}`).join(", ");
  rows(field("spend"), [
    [`Today (${u.day})`, against(g.today.cost_usd, g.daily_limit_usd)],
    [`This month (${u.month})`, against(g.this_month.cost_usd, g.monthly_limit_usd)],
    ["Held by replies under way", usd(g.held_usd)],
    ["Today's calls", `${g.today.calls} calls, ${g.today.input_tokens} tokens in, ${g.today.output_tokens} out`],
    ["This month by model", models || "none yet"],
    ["Days end", `${new Date(u.day_resets_at).toLocaleString()} (${u.time_zone} days)`],
  ]);
  return null;
}

async function refresh(name) {
  const source = sources[name];
  const panels = document.querySelectorAll(`[data-source="${name}"]`);
  try {
    const response = await fetch(source.url, { credentials: "same-origin", cache: "no-store" });
    if (!response.ok) throw new Error(`HTTP ${response.status}`);
    const data = await response.json();
    const measuredAt = source.render(data);
    const taken = `data taken ${time(measuredAt ?? new Date().toISOString())}`;
    panels.forEach((p) => { p.classList.remove("unreachable"); $(".taken", p).textContent = taken; });
  } catch (error) {
    panels.forEach((p) => { p.classList.add("unreachable"); $(".taken", p).textContent = `unreachable: ${error.message} (at ${new Date().toLocaleTimeString()})`; });
  }
}

async function refreshAll() {
  await Promise.all(Object.keys(sources).map(refresh));
  $("#clock").textContent = `refreshed ${new Date().toLocaleTimeString()}, every 5 s`;
}

refreshAll();
setInterval(refreshAll, REFRESH_MS);

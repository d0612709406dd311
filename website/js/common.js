// Shared helpers of every page. All text from the API goes into the page through textContent (never innerHTML):
// worker names, addresses and anything else a miner controls always show as text.
'use strict';
window.HF = (() => {
  function el(tag, attrs, ...children) {
    const node = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (v === null || v === undefined) continue;
      if (k === 'text') node.textContent = String(v);
      else if (k === 'class') node.className = v;
      else node.setAttribute(k, String(v));
    }
    for (const c of children) if (c !== null && c !== undefined) node.append(c instanceof Node ? c : String(c));
    return node;
  }

  const UNITS = ['H/s', 'KH/s', 'MH/s', 'GH/s', 'TH/s', 'PH/s', 'EH/s'];
  function hashrate(h) {
    let i = 0;
    let v = Number(h) || 0;
    while (v >= 1000 && i < UNITS.length - 1) { v /= 1000; i += 1; }
    return `${v.toFixed(2)} ${UNITS[i]}`;
  }

  /** Base units (decimal string) -> coins, exactly (string arithmetic, no float rounding). */
  function coins(baseUnits, decimals, symbol) {
    const s = String(baseUnits ?? '0');
    const neg = s.startsWith('-');
    const digits = (neg ? s.slice(1) : s).padStart(decimals + 1, '0');
    const whole = digits.slice(0, digits.length - decimals);
    const frac = digits.slice(digits.length - decimals).replace(/0+$/, '');
    return `${neg ? '-' : ''}${whole}${frac ? '.' + frac : ''}${symbol ? ' ' + symbol : ''}`;
  }

  function time(ms) {
    return ms ? new Date(ms).toISOString().replace('T', ' ').slice(0, 19) + ' UTC' : '—';
  }

  function ago(ms) {
    if (!ms) return 'never';
    const s = Math.max(0, Math.round((Date.now() - ms) / 1000));
    if (s < 60) return `${s} s ago`;
    if (s < 3600) return `${Math.floor(s / 60)} min ago`;
    if (s < 86400) return `${Math.floor(s / 3600)} h ago`;
    return `${Math.floor(s / 86400)} d ago`;
  }

  function percent(x) {
    return x === null || x === undefined ? '—' : `${(x * 100).toFixed(2)} %`;
  }

  /** A labelled figure; data-value keeps the API's raw value next to its formatted text. */
  function stat(name, label, value, text) {
    return el('div', { class: 'stat', 'data-stat': name, 'data-value': value === null || value === undefined ? '' : String(value) },
      el('div', { class: 'label', text: label }), el('div', { class: 'value', text }));
  }

  async function getJSON(path) {
    const res = await fetch(path, { headers: { Accept: 'application/json' } });
    const body = await res.json();
    if (!res.ok) { const err = new Error(body.message || res.statusText); err.status = res.status; throw err; }
    return body;
  }

  /** A connection that stayed up this long was a good one: the next drop starts the reconnect pauses over. */
  const LIVE_STABLE_MS = 30000;

  /** Opens /ws and reconnects after a drop; calls onMessage with every parsed message. */
  function live(onMessage) {
    const badge = document.getElementById('live');
    let failures = 0;
    const open = () => {
      const ws = new WebSocket(`${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/ws`);
      let openedAt = 0;
      ws.onopen = () => { openedAt = Date.now(); if (badge) { badge.textContent = 'live'; badge.classList.add('on'); } };
      ws.onmessage = (e) => { try { onMessage(JSON.parse(e.data)); } catch (err) { console.warn('bad live message', err); } };
      ws.onclose = () => {
        if (badge) { badge.textContent = 'offline'; badge.classList.remove('on'); }
        // Not reset on open: a server that refuses this page or drops it as too slow right after opening would
        // otherwise see it back every second, forever.
        if (openedAt && Date.now() - openedAt >= LIVE_STABLE_MS) failures = 0;
        const base = Math.min(1000 * 2 ** failures, 30000);
        failures = Math.min(failures + 1, 5);
        // Spread over the second half of the pause, so the pages one restart dropped do not all come back together.
        setTimeout(open, base / 2 + Math.random() * (base / 2));
      };
    };
    open();
  }

  // uPlot keeps every plot (in a module-level set, with window listeners) until destroy(): a chart drawn again
  // into its container destroys the one it replaces.
  const plots = new WeakMap();

  /** A uPlot line chart of [seconds, value] points into `container` (replaces what was there). */
  function chart(container, points, label, format) {
    plots.get(container)?.destroy();
    container.replaceChildren();
    const xs = points.map((p) => p[0]);
    const ys = points.map((p) => p[1]);
    const width = Math.max(300, container.clientWidth || 600);
    const plot = new uPlot({
      width, height: 220,
      series: [{}, { label, stroke: '#b46a12', fill: 'rgba(180,106,18,.12)', value: (_u, v) => (v === null ? '—' : format(v)) }],
      axes: [{}, { values: (_u, vals) => vals.map(format), size: 90 }],
    }, [xs, ys], container);
    plots.set(container, plot);
    container.dataset.points = String(points.length);
    return plot;
  }

  function table(headers, rows) {
    return el('table', {},
      el('thead', {}, el('tr', {}, ...headers.map((h) => el('th', { class: h.num ? 'num' : null, text: h.label })))),
      el('tbody', {}, ...rows));
  }

  function explorerless(hash) {
    return el('span', { class: 'mono', title: hash, text: hash });
  }

  /** Fills `pagerNode` with Newer / "page X of Y<suffix>" / Older for a paged API answer; `go(page)` shows another page. */
  function pager(pagerNode, data, go, suffix = '') {
    pagerNode.replaceChildren(
      el('button', { disabled: data.page <= 1 ? '' : null, text: 'Newer' }),
      el('span', { text: `page ${data.page} of ${data.pages}${suffix}` }),
      el('button', { disabled: data.page >= data.pages ? '' : null, text: 'Older' }));
    const [newer, , older] = pagerNode.children;
    newer.onclick = () => go(data.page - 1);
    older.onclick = () => go(data.page + 1);
  }

  function errorBox(container, err) {
    container.replaceChildren(el('p', { class: 'error', text: `Could not load: ${err.message}` }));
  }

  // The look-up box in the header goes to /miner/<address>.
  document.addEventListener('DOMContentLoaded', () => {
    const form = document.getElementById('lookup');
    if (!form) return;
    form.addEventListener('submit', (e) => {
      e.preventDefault();
      const address = document.getElementById('lookup-address').value.trim();
      if (address) location.href = `/miner/${encodeURIComponent(address)}`;
    });
  });

  return { el, hashrate, coins, time, ago, percent, stat, getJSON, live, chart, table, pager, explorerless, errorBox };
})();

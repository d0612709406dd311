// Payments: per pool, paged, newest first, with amounts, recipient counts and transaction ids.
'use strict';
(() => {
  const { el, coins, time, table, pager, explorerless, getJSON, live, errorBox } = window.HF;
  const root = document.getElementById('payments');
  const views = new Map();

  async function showPage(pool, page) {
    const v = views.get(pool.id);
    const data = await getJSON(`/api/v1/pools/${encodeURIComponent(pool.id)}/payments?page=${page}&pageSize=25`);
    v.page = data.page;
    v.body.replaceChildren(...data.items.map((p) => el('tr', { 'data-txid': p.txid },
      el('td', { text: time(p.paidAt) }), el('td', { class: 'num', text: coins(p.amount, pool.coin.decimals, pool.coin.symbol) }),
      el('td', { class: 'num', text: p.recipients }), el('td', {}, explorerless(p.txid)))));
    if (data.total === 0) v.body.append(el('tr', {}, el('td', { colspan: 4, class: 'muted', text: 'No payments yet.' })));
    pager(v.pager, data, (page) => showPage(pool, page), ` · ${data.total} payments`);
  }

  async function load() {
    try {
      const { pools } = await getJSON('/api/v1/pools');
      root.replaceChildren();
      for (const pool of pools) {
        const t = table([{ label: 'Time' }, { label: 'Amount', num: true }, { label: 'Recipients', num: true }, { label: 'Transaction' }], []);
        const v = { pool, page: 1, body: t.querySelector('tbody'), pager: el('div', { class: 'pager' }) };
        views.set(pool.id, v);
        root.append(el('section', { class: 'card', 'data-pool': pool.id }, el('h2', { text: `${pool.coin.name} · ${pool.id}` }), t, v.pager));
        await showPage(pool, 1);
      }
    } catch (err) { errorBox(root, err); }
  }

  live((m) => {
    if (m.type !== 'payment') return;
    const v = views.get(m.pool);
    if (v && v.page === 1) showPage(v.pool, 1).catch((err) => console.warn(err));
  });
  load();
})();

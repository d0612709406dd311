// Blocks: per pool, paged, newest first; pending blocks show their way to maturity; new blocks arrive live.
'use strict';
(() => {
  const { el, coins, time, table, pager, explorerless, getJSON, live, errorBox } = window.HF;
  const root = document.getElementById('blocks');
  const views = new Map();

  function progress(b) {
    if (b.status !== 'pending') return el('span', { text: b.status });
    const conf = b.confirmations ?? 0;
    return el('span', {}, el('progress', { max: b.maturity, value: Math.min(conf, b.maturity) }), ` ${conf} / ${b.maturity}`);
  }

  function row(b, coin) {
    return el('tr', { 'data-block': `${b.height}:${b.hash}`, 'data-status': b.status },
      el('td', { class: 'num', text: b.height }), el('td', {}, explorerless(b.hash)), el('td', {}, progress(b)),
      el('td', { class: 'num', text: coins(b.reward, coin.decimals, coin.symbol) }),
      el('td', {}, el('a', { href: `/miner/${encodeURIComponent(b.finder)}`, class: 'mono', text: b.worker || b.finder })),
      el('td', { text: time(b.foundAt) }));
  }

  async function showPage(pool, page) {
    const v = views.get(pool.id);
    const data = await getJSON(`/api/v1/pools/${encodeURIComponent(pool.id)}/blocks?page=${page}&pageSize=25`);
    v.page = data.page;
    v.counts.textContent = `${data.counts.pending} pending · ${data.counts.confirmed} confirmed · ${data.counts.orphaned} orphaned`;
    v.body.replaceChildren(...data.items.map((b) => row(b, pool.coin)));
    pager(v.pager, data, (page) => showPage(pool, page));
  }

  async function load() {
    try {
      const { pools } = await getJSON('/api/v1/pools');
      root.replaceChildren();
      for (const pool of pools) {
        const t = table([{ label: 'Height', num: true }, { label: 'Hash' }, { label: 'Status' }, { label: 'Reward', num: true }, { label: 'Finder' }, { label: 'Found' }], []);
        const v = { pool, page: 1, counts: el('p', { class: 'muted' }), body: t.querySelector('tbody'), pager: el('div', { class: 'pager' }) };
        views.set(pool.id, v);
        root.append(el('section', { class: 'card', 'data-pool': pool.id }, el('h2', { text: `${pool.coin.name} · ${pool.id}` }), v.counts, t, v.pager));
        await showPage(pool, 1);
      }
    } catch (err) { errorBox(root, err); }
  }

  live((m) => {
    const v = views.get(m.pool && (m.pool.id || m.pool));
    if (!v) return;
    if (m.type === 'block' && v.page === 1) {
      showPage(v.pool, 1).then(() => {
        const tr = v.body.querySelector(`tr[data-block="${CSS.escape(`${m.block.height}:${m.block.hash}`)}"]`);
        if (tr) tr.classList.add('flash');
      }).catch((err) => console.warn(err));
    }
  });
  load();
})();

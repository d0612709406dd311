// Per address: figures, 24 h chart, balances, payouts and every worker, for each pool that knows the address.
'use strict';
(() => {
  const { el, hashrate, coins, time, ago, stat, table, explorerless, getJSON, live, chart, errorBox } = window.HF;
  const root = document.getElementById('miner');
  const address = decodeURIComponent(location.pathname.split('/').filter(Boolean)[1] || '');
  document.getElementById('miner-address').textContent = address;
  let pools = [];
  // Each load builds new cards: the previous cards' charts must be destroyed, their containers are gone.
  let plots = [];
  const dropPlots = () => { for (const plot of plots.splice(0)) plot.destroy(); };

  function section(pool, miner, history) {
    const c = pool.coin;
    const workers = miner.workers.map((w) => el('tr', { 'data-worker': w.name },
      el('td', { class: 'mono', text: w.name }), el('td', { class: 'num', text: hashrate(w.hashrate) }),
      el('td', { text: ago(w.lastShareAt) }), el('td', { class: w.online ? 'online' : 'offline', text: w.online ? 'online' : 'offline' })));
    const payments = miner.payments.map((p) => el('tr', {}, el('td', { text: time(p.paidAt) }),
      el('td', { class: 'num', text: coins(p.amount, c.decimals, c.symbol) }), el('td', {}, explorerless(p.txid))));
    if (payments.length === 0) payments.push(el('tr', {}, el('td', { colspan: 3, class: 'muted', text: 'No payouts yet.' })));
    const chartBox = el('div', { class: 'chart', 'data-chart': 'miner-hashrate' });
    const card = el('section', { class: 'card', 'data-pool': pool.id },
      el('h2', { text: `${c.name} · ${pool.id}` }),
      el('div', { class: 'grid' },
        stat('hashrate', 'Hashrate now', miner.hashrate, hashrate(miner.hashrate)),
        stat('averageHashrate', 'Average hashrate (24 h)', miner.averageHashrate, hashrate(miner.averageHashrate)),
        stat('roundShares', 'Current round shares', miner.roundShares, String(miner.roundShares)),
        stat('immature', 'Immature balance', miner.immature, coins(miner.immature, c.decimals, c.symbol)),
        stat('unpaid', 'Unpaid balance', miner.unpaid, coins(miner.unpaid, c.decimals, c.symbol)),
        stat('paid', 'Total paid', miner.paid, coins(miner.paid, c.decimals, c.symbol)),
        stat('workers', 'Workers online', miner.workers.filter((w) => w.online).length, `${miner.workers.filter((w) => w.online).length} of ${miner.workers.length}`)),
      el('p', { class: 'muted', text: `Hashrate over the last ${pool.windowSeconds} s of shares; updated ${time(miner.updatedAt)}.` }),
      el('h3', { text: 'Hashrate, last 24 h' }), chartBox,
      el('h3', { text: 'Workers' }),
      table([{ label: 'Worker' }, { label: 'Hashrate', num: true }, { label: 'Last share' }, { label: 'Status' }], workers),
      el('h3', { text: 'Payouts' }),
      table([{ label: 'Time' }, { label: 'Amount', num: true }, { label: 'Transaction' }], payments));
    return { card, draw: () => chart(chartBox, history, 'Hashrate', hashrate) };
  }

  async function load() {
    try {
      pools = (await getJSON('/api/v1/pools')).pools;
      const found = [];
      let invalid = 0;
      for (const pool of pools) {
        try {
          const data = await getJSON(`/api/v1/pools/${encodeURIComponent(pool.id)}/miners/${encodeURIComponent(address)}`);
          const workers = await getJSON(`/api/v1/pools/${encodeURIComponent(pool.id)}/miners/${encodeURIComponent(address)}/workers?pageSize=100`);
          found.push(section(pool, { ...data.miner, workers: workers.items }, data.history));
        } catch (err) {
          if (err.status === 400) invalid += 1;
          else if (err.status !== 404) throw err;
        }
      }
      dropPlots();
      root.replaceChildren(...found.map((f) => f.card));
      for (const f of found) plots.push(f.draw());
      if (found.length === 0) {
        root.append(el('p', { class: invalid === pools.length ? 'error' : 'muted',
          text: invalid === pools.length ? 'This is not an address of any pool here.' : 'No shares or balance for this address yet.' }));
      }
    } catch (err) { dropPlots(); errorBox(root, err); }
  }

  // Figures change with every refresh: reload the address's data when its pool publishes new stats.
  let reloading = false;
  const reload = () => {
    if (reloading) return;
    reloading = true;
    load().finally(() => { reloading = false; });
  };
  live((m) => { if (m.type === 'stats') reload(); });
  reload();
})();

// Home: one card per pool with its figures and a 24 h hashrate chart, kept current by live updates.
'use strict';
(() => {
  const { el, hashrate, coins, time, percent, stat, getJSON, live, chart, errorBox } = window.HF;
  const root = document.getElementById('pools');
  const cards = new Map();

  function figures(p) {
    const c = p.coin;
    return el('div', { class: 'grid' },
      stat('hashrate', 'Pool hashrate', p.hashrate, hashrate(p.hashrate)),
      stat('miners', 'Miners', p.miners, String(p.miners)),
      stat('workers', 'Workers', p.workers, String(p.workers)),
      stat('networkDifficulty', 'Network difficulty', p.network ? p.network.difficulty : null, p.network ? String(p.network.difficulty) : '—'),
      stat('networkHeight', 'Network height', p.network ? p.network.height : null, p.network ? String(p.network.height) : '—'),
      stat('fee', 'Pool fee', p.fee, `${p.fee} %`),
      stat('scheme', 'Payout scheme', p.scheme, p.scheme),
      stat('minimumPayment', 'Minimum payment', p.minimumPayment, coins(p.minimumPayment, c.decimals, c.symbol)),
      stat('lastBlock', 'Last block', p.lastBlock ? p.lastBlock.height : null, p.lastBlock ? `#${p.lastBlock.height} · ${time(p.lastBlock.foundAt)}` : 'none yet'),
      stat('roundEffort', 'Current round effort', p.roundEffort, percent(p.roundEffort)),
      stat('blocksFound', 'Blocks (pending / confirmed / orphaned)', `${p.blockCounts.pending}/${p.blockCounts.confirmed}/${p.blockCounts.orphaned}`,
        `${p.blockCounts.pending} / ${p.blockCounts.confirmed} / ${p.blockCounts.orphaned}`),
    );
  }

  function render(p) {
    let card = cards.get(p.id);
    if (!card) {
      card = {
        root: el('section', { class: 'card', 'data-pool': p.id }),
        title: el('h2'),
        figures: el('div'),
        note: el('p', { class: 'muted' }),
        chart: el('div', { class: 'chart', 'data-chart': 'hashrate' }),
      };
      card.root.append(card.title, card.figures, card.note, el('h3', { text: 'Pool hashrate, last 24 h' }), card.chart);
      root.append(card.root);
      cards.set(p.id, card);
    }
    card.title.textContent = `${p.coin.name} (${p.coin.symbol}) · ${p.id}`;
    card.figures.replaceChildren(figures(p));
    card.note.textContent = `Hashrate over the last ${p.windowSeconds} s of shares; updated ${time(p.updatedAt)}.`;
    card.root.dataset.updatedAt = String(p.updatedAt);
  }

  async function drawChart(p) {
    const { points } = await getJSON(`/api/v1/pools/${encodeURIComponent(p.id)}/history`);
    chart(cards.get(p.id).chart, points.map((x) => [x[0], x[1]]), 'Hashrate', hashrate);
  }

  async function load() {
    try {
      const { pools } = await getJSON('/api/v1/pools');
      root.replaceChildren();
      if (pools.length === 0) root.append(el('p', { class: 'muted', text: 'No pool stats yet: they appear after the first refresh.' }));
      for (const p of pools) { render(p); await drawChart(p); }
    } catch (err) { errorBox(root, err); }
  }

  live((m) => {
    if (m.type === 'stats') {
      const isNew = !cards.has(m.pool.id);
      render(m.pool);
      if (isNew) drawChart(m.pool).catch((err) => console.warn(err));
    }
  });
  load();
})();

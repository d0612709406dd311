// Getting started: each pool's stratum ports with their difficulty, and example command lines.
'use strict';
(() => {
  const { el, table, getJSON, errorBox } = window.HF;
  const root = document.getElementById('guide');
  const host = location.hostname;

  function diffText(port) {
    return port.varDiff ? `variable, ${port.varDiff.minDiff} to ${port.varDiff.maxDiff} (starts at ${port.diff})` : `fixed ${port.diff}`;
  }

  async function load() {
    try {
      const { pools } = await getJSON('/api/v1/pools');
      root.replaceChildren();
      for (const pool of pools) {
        const urlOf = (p) => `${p.tls ? 'stratum+ssl' : 'stratum+tcp'}://${host}:${p.port}`;
        const rows = pool.ports.map((p) => el('tr', { 'data-port': p.port },
          el('td', {}, el('code', { text: urlOf(p) })), el('td', { text: diffText(p) })));
        // The examples use a plain port when there is one: not every miner speaks TLS.
        const first = pool.ports.find((p) => !p.tls) ?? pool.ports[0];
        const url = first ? urlOf(first) : 'stratum+tcp://HOST:PORT';
        const algo = pool.coin.algorithm;
        root.append(el('section', { class: 'card', 'data-pool': pool.id },
          el('h2', { text: `${pool.coin.name} (${algo}) · ${pool.id}` }),
          table([{ label: 'Stratum URL' }, { label: 'Share difficulty' }], rows),
          el('h3', { text: 'User name' }),
          el('p', {}, el('code', { text: 'YOUR_ADDRESS.WORKER_NAME' }), ` — your ${pool.coin.symbol} address, then a dot and any name for the rig.`),
          el('h3', { text: 'Examples' }),
          el('pre', { text: `cpuminer -a ${algo === 'sha256d' ? 'sha256d' : 'scrypt'} -o ${url} -u YOUR_ADDRESS.rig1 -p x` }),
          el('pre', { text: `bfgminer -o ${url} -u YOUR_ADDRESS.rig1 -p x` }),
          el('pre', { text: `cgminer -o ${url} -u YOUR_ADDRESS.rig1 -p x` })));
      }
    } catch (err) { errorBox(root, err); }
  }
  load();
})();

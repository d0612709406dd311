// The site's pages: one layout (head, navigation, footer) around each page's own <main> content, put together
// once when the app is created. Nothing a miner controls is ever part of them: pages fetch the API and insert
// its text as text.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/** Page name -> its title and script; the name is also the fragment's file name in website/pages/. */
const PAGES = {
  index: { title: 'Pools', script: 'home' },
  'getting-started': { title: 'Getting started', script: 'start' },
  blocks: { title: 'Blocks', script: 'blocks' },
  payments: { title: 'Payments', script: 'payments' },
  miner: { title: 'Miner', script: 'miner' },
  'not-found': { title: 'Not found', script: 'notfound' },
} as const;

export type PageName = keyof typeof PAGES;

/** Every page as complete HTML, read from `<staticDir>/pages/`. */
export function assemblePages(staticDir: string): ReadonlyMap<PageName, string> {
  const dir = join(staticDir, 'pages');
  const layout = readFileSync(join(dir, 'layout.html'), 'utf8');
  const pages = new Map<PageName, string>();
  for (const [name, page] of Object.entries(PAGES) as [PageName, (typeof PAGES)[PageName]][]) {
    const main = readFileSync(join(dir, `${name}.html`), 'utf8').trimEnd();
    // Function replacers: a `$` in page text must stay literal.
    pages.set(
      name,
      layout
        .replace('{{title}}', () => page.title)
        .replace('{{main}}', () => main)
        .replace('{{script}}', () => page.script),
    );
  }
  return pages;
}

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { assemblePages } from '../../../src/website/pages.js';

const WEBSITE = fileURLToPath(new URL('../../../../website', import.meta.url));

test('every page is the layout around its own content, title and script, with no placeholder left', () => {
  const pages = assemblePages(WEBSITE);
  assert.deepEqual([...pages.keys()].sort(), ['blocks', 'getting-started', 'index', 'miner', 'not-found', 'payments']);
  for (const [name, html] of pages) {
    assert.doesNotMatch(html, /\{\{\w+\}\}/, `${name} has an unfilled placeholder`);
    assert.match(html, /<nav>.*<a href="\/blocks">Blocks<\/a>/s, `${name} has the navigation`);
    assert.equal(html.match(/<main id="main">/g)?.length, 1, `${name} has one main`);
  }
  assert.match(pages.get('blocks')!, /<title>Blocks · Headframe<\/title>[\s\S]*<div id="blocks">[\s\S]*<script src="\/js\/blocks\.js"><\/script>/);
  assert.match(pages.get('not-found')!, /<title>Not found · Headframe<\/title>[\s\S]*<script src="\/js\/notfound\.js">/);
  assert.match(pages.get('index')!, /<script src="\/js\/home\.js">/);
});

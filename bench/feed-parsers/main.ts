/**
 * Feed parser comparison: the scout's reader (feedsmith) against another maintained parser on the corpus of real-world
 * feed shapes in services/scout/test/corpus (RSS 0.90/0.91/0.92/2.0, RDF, Atom 0.3/1.0, JSON
 * Feed, namespaces, CDATA, named and numeric entities, broken dates, enclosures, malformed XML).
 * Prints, per parser, the checks passed per feed and in total, what each missed, and the parse
 * time of the whole corpus relative to the first parser, measured in alternating rounds in one
 * run; ends with one JSON line.
 */
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import type { ParserUnderTest } from './compared.js';
import { loadCorpus, scoreFeed } from './corpus.js';
import { rowanmanning } from './rowanmanning.js';
import { scoutReader } from './scout-reader.js';

const { values } = parseArgs({
  options: { rounds: { type: 'string', default: '20' }, verbose: { type: 'boolean', default: false } },
});
const rounds = Math.max(1, Number(values.rounds) || 20);
const parsers: ParserUnderTest[] = [scoutReader, rowanmanning];
const corpus = loadCorpus();

const results = parsers.map((parser) => {
  const feeds = corpus.map((feed) => scoreFeed(parser, feed));
  const passed = feeds.reduce((n, f) => n + f.passed, 0);
  const total = feeds.reduce((n, f) => n + f.total, 0);
  const perfect = feeds.filter((f) => f.passed === f.total).length;
  return { parser, feeds, passed, total, perfect };
});

console.log(
  `Corpus: ${corpus.length} feeds (services/scout/test/corpus), checks per parser: ${results[0]?.total}\n`,
);
const width = Math.max(...corpus.map((f) => f.file.length));
console.log(`${'feed'.padEnd(width)}  ${parsers.map((p) => p.name.slice(0, 26).padStart(26)).join('  ')}`);
corpus.forEach((feed, i) => {
  const cells = results.map((r) => `${r.feeds[i]!.passed}/${r.feeds[i]!.total}`.padStart(26));
  console.log(`${feed.file.padEnd(width)}  ${cells.join('  ')}`);
});
console.log(
  `${'total'.padEnd(width)}  ${results.map((r) => `${r.passed}/${r.total} (${r.perfect} feeds whole)`.padStart(26)).join('  ')}\n`,
);
for (const r of results) {
  const misses = r.feeds.flatMap((f) => f.misses.map((m) => `  ${f.file}: ${m}`));
  console.log(`${r.parser.name} ${r.parser.version}: ${misses.length} misses`);
  for (const line of values.verbose ? misses : misses.slice(0, 12)) console.log(line.slice(0, 220));
  if (!values.verbose && misses.length > 12) console.log(`  … ${misses.length - 12} more (--verbose)`);
}

// Time: every parser parses the whole corpus once per round, the order rotating each round so
// machine noise hits each alike. Feeds a parser refuses count with the time it took to refuse.
const times = new Map(parsers.map((p) => [p.name, [] as number[]]));
for (let round = 0; round < rounds + 2; round++) {
  const order = parsers.map((_, i) => parsers[(i + round) % parsers.length]!);
  for (const parser of order) {
    const start = performance.now();
    for (const feed of corpus) {
      try {
        parser.parse(feed.text, feed.expect.feedUrl);
      } catch {}
    }
    if (round >= 2) times.get(parser.name)!.push(performance.now() - start);
  }
}
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const base = median(times.get(parsers[0]!.name)!);
console.log(`\nparse time of the whole corpus, median of ${rounds} rounds (ratio to ${parsers[0]!.name}):`);
for (const parser of parsers) {
  const m = median(times.get(parser.name)!);
  console.log(`  ${parser.name.padEnd(30)} ${m.toFixed(2).padStart(8)} ms  ×${(m / base).toFixed(2)}`);
}
console.log(
  JSON.stringify({
    bench: 'feed-parsers',
    feeds: corpus.length,
    parsers: results.map((r) => ({
      name: r.parser.name,
      version: r.parser.version,
      passed: r.passed,
      total: r.total,
      feedsWhole: r.perfect,
      medianMs: Number(median(times.get(r.parser.name)!).toFixed(3)),
    })),
  }),
);

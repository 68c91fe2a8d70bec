import { randomUUID } from 'node:crypto';
import { startHarness, testRoutingConfig } from './test/harness.js';
const h = await startHarness({ config: await testRoutingConfig({ routes: { 'conc.score': { tier: 'small' } }, budgets: { month: { usd: 1000, onExhausted: 'reject' }, perAgent: { conc: { usd: 100, onExhausted: 'reject' } } } }) });
const task = await h.task({ skill: 'conc.score' });
const router = h.routers[0]!;
const req = (callId: number) => ({ v: 1 as const, taskId: task.id, attempt: 1, callId, skill: 'conc.score', purpose: 'classify' as const, messages: [{ role: 'user' as const, content: 'Score this headline' }], maxTokens: 200 });
const pct = (xs: number[], p: number) => { const s = [...xs].sort((a, b) => a - b); return s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)]!.toFixed(3); };
for (let i = 0; i < 50; i++) await router.modelCalls.handle(req(i));
const sel: number[] = [];
for (let i = 0; i < 500; i++) { const t = performance.now(); await h.pool.query('SELECT 1'); sel.push(performance.now() - t); }
const adm: number[] = [];
for (let i = 0; i < 500; i++) { const t = performance.now(); await h.budgets.admit({ reservationId: randomUUID(), period: '2026-11', scopes: [{ scope: 'month', capMicros: 1e12 }, { scope: 'agent:bench', capMicros: 1e12 }, { scope: 'tier:small', capMicros: null }], amountMicros: 100, ttlMs: 1000 }); adm.push(performance.now() - t); }
router.stats.reset();
const t0 = performance.now();
for (let i = 0; i < 500; i++) await router.modelCalls.handle(req(1000 + i));
const el = performance.now() - t0;
console.log(`SELECT 1 p50 ${pct(sel, 50)} p99 ${pct(sel, 99)} | admit p50 ${pct(adm, 50)} p99 ${pct(adm, 99)} | gateway overhead p50 ${router.stats.percentile(50)?.toFixed(3)} p99 ${router.stats.percentile(99)?.toFixed(3)} | per call ${(el / 500).toFixed(2)} ms`);
await h.close();

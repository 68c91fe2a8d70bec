import { describe, expect, it } from 'vitest';
import { html, jsonScript } from './html.js';

describe('html', () => {
  it('escapes every interpolated value unless it is Html already', () => {
    const name = '<script>alert("x")</script>';
    const out = html`<p title="${name}">${name} ${html`<b>ok</b>`} ${[1, '<', html`<i></i>`]} ${null}${false}</p>`;
    expect(out.value).toBe(
      '<p title="&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;">&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; <b>ok</b> 1&lt;<i></i> </p>',
    );
  });

  it('keeps JSON in a script block from closing the tag', () => {
    expect(jsonScript('d', { t: '</script><b>' }).value).toBe(
      '<script type="application/json" id="d">{"t":"\\u003c/script>\\u003cb>"}</script>',
    );
  });
});

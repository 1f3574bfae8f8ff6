import { asyncApiDocument, commandTypes, headerNames, topicNames } from '@storecredit/contracts';
import { asyncApiPage } from './asyncapi-page';

describe(asyncApiPage.name, () => {
  const page = asyncApiPage(asyncApiDocument(), '/api/asyncapi.json');

  it('lists every topic, every command type and the reply, event and dead-letter messages', () => {
    const topics = topicNames();
    for (const address of [...Object.values(topics.commands), topics.replies, topics.events, topics.deadLetter]) expect(page).toContain(`<code>${address}</code>`);
    for (const id of [...commandTypes, 'reply', 'wallet.entry_recorded', 'hold.captured', 'giftcard.issued', 'deadLetter']) {
      expect(page).toContain(`<section id="message-${id}">`);
    }
  });

  it('shows nested fields by their path, the headers, the keys and the examples', () => {
    expect(page).toContain('<td><code>actor.kind</code></td><td>string</td><td>yes</td><td>one of &quot;staff&quot;, &quot;service&quot;</td>');
    expect(page).toContain('<code>result.lots[].lotId</code>');
    expect(page).toContain('<code>allocations[].source</code>');
    for (const name of Object.values(headerNames)) expect(page).toContain(`<code>${name}</code>`);
    expect(page).toContain('<code>traceparent</code>');
    expect(page).toContain('The wallet key businessId/clientId/currency');
    expect(page).toContain('<h5>checkoutPayment</h5><p>key salon-1/client-42/AED</p>');
    expect(page).toContain('<li><code>insufficient_balance</code>: Insufficient balance</li>');
  });

  it('carries no script and no style, which the Content-Security-Policy would refuse', () => {
    expect(page).not.toMatch(/<script|<style|\sstyle=|\son[a-z]+=/i);
  });

  it('escapes every text of the document, so none becomes markup', () => {
    const document = asyncApiDocument();
    document.info.description = '<script>alert(1)</script> `<i>code</i>`';
    document.components.messages['balance.add'].title = '"><img src=x onerror=alert(2)>';
    document.components.messages['balance.add'].examples[0].payload = { note: '</code></pre><b>bold</b>' };
    const hostile = asyncApiPage(document, '/api/asyncapi.json"><script>');
    expect(hostile).not.toMatch(/<script|<img|<b>|<i>|onerror=alert\(2\)>/);
    expect(hostile).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(hostile).toContain('&quot;&gt;&lt;img src=x onerror=alert(2)&gt;');
  });
});

import { describe, expect, it } from 'vitest';
import { messageContent } from './message-content.js';
import { parseMessageItems } from './message-items.js';

describe('messageContent', () => {
  it('keeps tagged material without its tags and drops prompt fields and directives', () => {
    const text = [
      'Write a reply in our voice.',
      '<post author="pat">Audits took <b>three</b> days.</post>',
      'Intent: question. Ask one sharp question.',
      'Summarize this thread: Dispensaries report daily.',
    ].join('\n');
    expect(messageContent(text)).toBe('Audits took three days.\nDispensaries report daily.');
  });

  it('leaves plain material alone', () => {
    const text = 'The board approved METRC rules. Dispensaries must report daily.';
    expect(messageContent(text)).toBe(text);
  });
});

describe('parseMessageItems', () => {
  it('copies ids exactly from attributes, JSON and listed lines', () => {
    expect(parseMessageItems('<item id="a b/1" x="y">One <i>two</i></item>')).toEqual([
      { id: 'a b/1', text: 'One two', raw: '<item id="a b/1" x="y">One <i>two</i></item>' },
    ]);
    expect(
      parseMessageItems('```json\n[{"id": 7, "title": "Seven"}]\n```').map((i) => [i.id, i.text]),
    ).toEqual([['7', 'Seven']]);
    expect(
      parseMessageItems('1. First\n   wrapped\n2) Second\n\nAnswer in JSON.').map((i) => [i.id, i.text]),
    ).toEqual([
      ['1', 'First\nwrapped'],
      ['2', 'Second'],
    ]);
    expect(parseMessageItems('Just one line of text.')).toEqual([]);
  });
});

import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { evaluateTemplate, parseTemplate, renderTemplate, TemplateError } from '../index.js';

const doc = {
  question: '  What?  ',
  subject: 'college_chemistry',
  choices: { text: ['x', 'y', 'z'], label: ['A', 'B', 'C'] },
  list: ['a', 'b', 'c'],
  n: 3,
  answerKey: 'B',
  items: [
    { text: 't0', label: 'L0' },
    { text: 't1', label: 'L1' },
  ],
  answer: 'step one\n#### 1,234',
};

const render = (src: string) => renderTemplate(parseTemplate(src), doc);

describe('templates', () => {
  it('substitutes fields, nested fields and indices (negative from the end)', () => {
    assert.equal(render('Q: {{question}}|{{choices.text[1]}}|{{list[-1]}}|{{list.0}}|{{n}}'), 'Q:   What?  |y|c|a|3');
  });

  it('applies pipes', () => {
    assert.equal(render('{{question | strip}}'), 'What?');
    assert.equal(render('{{subject | replace: "_", " " | upper}}'), 'COLLEGE CHEMISTRY');
    assert.equal(render('{{list | join: "\\n"}}'), 'a\nb\nc');
    assert.equal(render('{{answer | after_last: "####" | strip}}'), '1,234');
    assert.equal(render('{{answer | split: "\\n" | first}}'), 'step one');
    assert.equal(render('{{items | map: "label" | last}}'), 'L1');
    assert.equal(render('{{choices.label | index_of: answerKey}}'), '1');
    assert.equal(render('{{list | index_of: "c"}}'), '2');
  });

  it('evaluates a lone placeholder to its raw value (lists, numbers)', () => {
    assert.deepEqual(evaluateTemplate(parseTemplate('{{choices.text}}'), doc), ['x', 'y', 'z']);
    assert.equal(evaluateTemplate(parseTemplate('{{choices.label | index_of: answerKey}}'), doc), 1);
    assert.equal(evaluateTemplate(parseTemplate(' {{n}}'), doc), ' 3');
  });

  it('keeps text with braces inside string literals', () => {
    assert.equal(render('{{list | join: "}}"}}!'), 'a}}b}}c!');
  });

  it('reports syntax errors and unknown pipes at parse time', () => {
    assert.throws(() => parseTemplate('{{question'), /unclosed/);
    assert.throws(() => parseTemplate('a }} b'), /without/);
    assert.throws(() => parseTemplate('{{question | shout}}'), /unknown pipe 'shout'/);
    assert.throws(() => parseTemplate('{{question.strip()}}'), TemplateError);
    assert.throws(() => parseTemplate('{{ }}'), /expected a field name/);
  });

  it('names the missing field and the document when rendering fails', () => {
    const t = parseTemplate('{{choices.txt[0]}}');
    assert.throws(
      () => renderTemplate(t, doc, 'data.jsonl:7'),
      (e: unknown) => e instanceof TemplateError && /data\.jsonl:7/.test(e.message) && /'choices\.txt' not found/.test(e.message),
    );
    assert.throws(() => render('{{list[3]}}'), /out of range/);
    assert.throws(() => render('{{choices}}'), /is a mapping, not text/);
    assert.throws(() => render('{{n | strip}}'), /expects a string, got number/);
    assert.throws(() => render('{{list | index_of: "q"}}'), /is not in/);
  });
});

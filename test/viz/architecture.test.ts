// @vitest-environment jsdom
/**
 * The architecture figure: the three columns hold the right stacks, the layout
 * keeps blocks apart and inside the drawing, BERT's tensor shapes follow the
 * config and the sentence length, and the rendered blocks are buttons.
 */
import { describe, expect, it, vi } from 'vitest';
import { MINI_CONFIG } from '../fixtures/bertConfig';
import {
  BERT_BLOCKS,
  architectureSpec,
  architectureView,
  blockInfo,
  formatDims,
  formatShape,
  layoutArchitecture,
  shapesFor,
  type BlockMark,
} from '../../src/viz/architecture';
import { translatorFor } from '../../src/ui/i18n/translate';
import type { Translate } from '../../src/viz/types';

const config = MINI_CONFIG;
/** The figure's words, in English, as the page passes them. */
const text = translatorFor('en');
const data = { layers: config.layers, heads: config.heads, text };

function newSvg(): SVGSVGElement {
  const svg = document.createElementNS('http://www.w3.org/2000/svg', 'svg');
  document.body.appendChild(svg);
  return svg;
}

const byFamily = (blocks: BlockMark[], family: string) => blocks.filter((b) => b.family === family);

describe('architecture layout', () => {
  const layout = layoutArchitecture(data);

  it('draws three columns in order: Transformer, GPT, BERT', () => {
    expect(layout.columns.map((c) => c.title)).toEqual(['Transformer', 'GPT', 'BERT']);
    expect(layout.columns.map((c) => c.subtitle)).toEqual(['encoder–decoder', 'decoder-only', 'encoder-only']);
    const lefts = layout.columns.map((c) => c.left);
    expect([...lefts].sort((a, b) => a - b)).toEqual(lefts);
  });

  it('has the expected number of blocks per column', () => {
    expect(byFamily(layout.blocks, 'transformer')).toHaveLength(6 + 9); // encoder 6, decoder 9
    expect(byFamily(layout.blocks, 'gpt')).toHaveLength(7);
    expect(byFamily(layout.blocks, 'bert')).toHaveLength(BERT_BLOCKS.length);
    expect(new Set(layout.blocks.map((b) => b.id)).size).toBe(layout.blocks.length);
  });

  it('BERT has no decoder, GPT has no encoder, the Transformer has both and a cross-attention arrow', () => {
    const roles = (family: string) => layout.frames.filter((f) => f.family === family).map((f) => f.role);
    expect(roles('bert')).toEqual(['encoder']);
    expect(roles('gpt')).toEqual(['decoder']);
    expect(roles('transformer')).toEqual(['encoder', 'decoder']);
    const kinds = (family: string) => byFamily(layout.blocks, family).map((b) => b.kind);
    expect(kinds('bert')).not.toContain('masked-attention');
    expect(kinds('bert')).not.toContain('cross-attention');
    expect(kinds('bert')).toContain('attention');
    expect(kinds('gpt')).toContain('masked-attention');
    expect(kinds('gpt')).not.toContain('cross-attention');
    expect(kinds('gpt')).not.toContain('attention');
    expect(kinds('transformer')).toContain('cross-attention');
    expect(layout.arrows.filter((a) => a.kind === 'cross').map((a) => a.id)).toEqual(['transformer-cross']);
  });

  it('labels BERT with the live layer and head counts, and its blocks with the BERT block names', () => {
    const bert = byFamily(layout.blocks, 'bert');
    expect(bert.map((b) => b.bert)).toEqual([...BERT_BLOCKS]);
    expect(bert.find((b) => b.bert === 'layer')?.label).toBe('4 × Encoder layer');
    expect(bert.find((b) => b.bert === 'attention')?.sublabel).toContain('4 heads');
    expect(bert.find((b) => b.bert === 'embeddings')?.sublabel).toBe('token + position + segment');
    expect(layoutArchitecture({ layers: 12, heads: 12, text }).blocks.find((b) => b.id === 'bert-layer')?.label).toBe('12 × Encoder layer');
    // Jump targets: tokens, attention heatmap, fine-tuning.
    expect(blockInfo(data, 'bert-embeddings')?.jump).toBe('tokens');
    expect(blockInfo(data, 'bert-attention')?.jump).toBe('attention');
    expect(blockInfo(data, 'bert-cls')?.jump).toBe('finetune');
    expect(blockInfo(data, 'gpt-attention')?.jump).toBeNull();
    expect(blockInfo(data, 'gpt-attention')?.explain).toMatch(/causal mask/);
    expect(blockInfo(data, 'nope')).toBeNull();
  });

  it('keeps every block inside the drawing, and no two blocks overlap', () => {
    for (const b of layout.blocks) {
      expect(b.x).toBeGreaterThanOrEqual(0);
      expect(b.y).toBeGreaterThanOrEqual(0);
      expect(b.x + b.width).toBeLessThanOrEqual(layout.width);
      expect(b.y + b.height).toBeLessThanOrEqual(layout.height);
      // Labels fit (≈0.6 em per character at the size drawn).
      const size = b.width < 150 ? Math.round(layout.fontSize * 0.82) : layout.fontSize;
      expect(b.label.length * size * 0.6).toBeLessThan(b.width);
    }
    const overlap = (a: BlockMark, b: BlockMark) =>
      a.x < b.x + b.width && b.x < a.x + a.width && a.y < b.y + b.height && b.y < a.y + a.height;
    for (let i = 0; i < layout.blocks.length; i++) {
      for (let j = i + 1; j < layout.blocks.length; j++) {
        expect(overlap(layout.blocks[i], layout.blocks[j]), `${layout.blocks[i].id} / ${layout.blocks[j].id}`).toBe(false);
      }
    }
    // Each frame holds its stack's layer blocks.
    for (const f of layout.frames) {
      const prefix = f.id.replace(/-layer-frame$/, '');
      const inside = layout.blocks.filter((b) => b.id.startsWith(`${prefix}-`) && b.y >= f.y && b.y + b.height <= f.y + f.height);
      expect(inside.length).toBeGreaterThanOrEqual(5);
    }
  });

  it('marks the selected block and colours by kind (causal attention is also dashed)', () => {
    const sel = layoutArchitecture(data, { selected: 'bert-ffn' });
    expect(sel.blocks.filter((b) => b.selected).map((b) => b.id)).toEqual(['bert-ffn']);
    const gptAttn = sel.blocks.find((b) => b.id === 'gpt-attention');
    const bertAttn = sel.blocks.find((b) => b.id === 'bert-attention');
    expect(gptAttn?.dashed).toBe(true);
    expect(bertAttn?.dashed).toBe(false);
    expect(gptAttn?.fill).toBe(bertAttn?.fill);
    expect(new Set(architectureSpec(data).map((c) => c.family))).toEqual(new Set(['transformer', 'gpt', 'bert']));
  });
});

describe('shapesFor', () => {
  const T = 9;
  const find = (rows: ReturnType<typeof shapesFor>, name: string) => rows.find((r) => r.name === name);

  it('attention: Q, K, V per head, attention_probs [heads × T × T], output [T × H]', () => {
    const rows = shapesFor('attention', config, T, text);
    expect(find(rows, 'attention_probs')).toMatchObject({ shape: [4, T, T], dims: ['heads', 'T', 'T'] });
    for (const n of ['query', 'key', 'value']) expect(find(rows, n)?.shape).toEqual([4, T, 64]);
    expect(find(rows, 'output')?.shape).toEqual([T, 256]);
    expect(formatShape(find(rows, 'attention_probs')?.shape ?? [])).toBe('[4 × 9 × 9]');
    expect(formatDims(find(rows, 'query')?.dims ?? [])).toBe('[heads × T × H/heads]');
  });

  it('embeddings, feed-forward, heads and the layer stack', () => {
    const emb = shapesFor('embeddings', config, T, text);
    expect(find(emb, 'input_ids')?.shape).toEqual([T]);
    for (const n of ['token embeddings', 'position embeddings', 'segment embeddings', 'output']) expect(find(emb, n)?.shape).toEqual([T, 256]);
    expect(find(shapesFor('ffn', config, T, text), 'intermediate')?.shape).toEqual([T, 1024]);
    expect(find(shapesFor('ffn', config, T, text), 'output')?.shape).toEqual([T, 256]);
    expect(find(shapesFor('mlm', config, T, text), 'logits')?.shape).toEqual([T, 30522]);
    expect(find(shapesFor('cls', config, T, text), 'pooled')?.shape).toEqual([256]);
    expect(find(shapesFor('cls', config, T, text), 'logits')?.shape).toEqual([2]);
    expect(find(shapesFor('cls', config, T, text, 3), 'logits')?.shape).toEqual([3]);
    expect(find(shapesFor('cls', { ...config, labels: ['a', 'b', 'c', 'd'] }, T, text), 'logits')?.shape).toEqual([4]);
    expect(find(shapesFor('layer', config, T, text), 'hidden_states')?.shape).toEqual([5, T, 256]);
    for (const b of BERT_BLOCKS) {
      const rows = shapesFor(b, config, T, text);
      expect(rows.length).toBeGreaterThan(0);
      for (const r of rows) expect(r.shape).toHaveLength(r.dims.length);
    }
  });

  it('follows the sentence length', () => {
    expect(find(shapesFor('attention', config, 3, text), 'attention_probs')?.shape).toEqual([4, 3, 3]);
  });
});

describe('architecture render', () => {
  it('draws every block as a focusable, named button; click and Enter call the handler', () => {
    const svg = newSvg();
    const onSelect = vi.fn();
    const view = architectureView(svg, data, { onSelect });
    expect(svg.getAttribute('role')).toBe('group');
    const layout = layoutArchitecture(data);
    const blocks = svg.querySelectorAll<SVGGElement>('g.arch-block');
    expect(blocks).toHaveLength(layout.blocks.length);
    const attn = svg.querySelector<SVGGElement>('g.arch-block[data-id="bert-attention"]');
    expect(attn).not.toBeNull();
    expect(attn?.getAttribute('role')).toBe('button');
    expect(attn?.getAttribute('tabindex')).toBe('0');
    expect(attn?.getAttribute('aria-label')).toBe('BERT: Self-attention, 4 heads, bidirectional');
    attn?.dispatchEvent(new MouseEvent('click', { bubbles: true }));
    expect(onSelect).toHaveBeenLastCalledWith('bert-attention');
    const gpt = svg.querySelector<SVGGElement>('g.arch-block[data-id="gpt-attention"]');
    gpt?.dispatchEvent(new KeyboardEvent('keydown', { key: 'Enter', bubbles: true }));
    expect(onSelect).toHaveBeenLastCalledWith('gpt-attention');
    expect(svg.querySelectorAll('rect.arch-frame')).toHaveLength(4);
    expect(svg.querySelectorAll('path.arch-arrow-cross')).toHaveLength(1);

    // update() re-joins the same elements (focus survives) and marks the selection.
    attn?.focus();
    view.update(data, { onSelect, selected: 'bert-attention' });
    expect(svg.querySelectorAll('g.arch-block')).toHaveLength(layout.blocks.length);
    expect(svg.querySelector('g.arch-block[data-id="bert-attention"]')).toBe(attn);
    expect(attn?.getAttribute('aria-pressed')).toBe('true');
    expect(document.activeElement).toBe(attn);

    view.destroy();
    expect(svg.childElementCount).toBe(0);
    expect(svg.getAttribute('role')).toBeNull();
  });
});

describe('architecture text', () => {
  it('asks its text function for every word', () => {
    const keys: string[] = [];
    const upper: Translate = (key, params) => {
      keys.push(key);
      return `«${text(key, params)}»`;
    };
    const layout = layoutArchitecture({ ...data, text: upper });
    expect(keys.every((k) => k.startsWith('arch.'))).toBe(true);
    expect(layout.title).toBe('«Transformer, GPT and BERT side by side»');
    expect(layout.columns.map((c) => c.title)).toEqual(['Transformer', 'GPT', 'BERT']);
    const attn = layout.blocks.find((b) => b.id === 'bert-attention');
    expect(attn?.label).toBe('«Self-attention»');
    expect(attn?.sublabel).toBe('«4 heads, bidirectional»');
    expect(layout.blocks.find((b) => b.id === 'bert-layer')?.label).toBe('«4 × Encoder layer»');
    expect(layout.arrows.find((a) => a.kind === 'cross')?.title).toMatch(/^«Transformer: the encoder/);
    expect(layout.labels[0].text).toBe('«encoder output»');
    expect(blockInfo({ ...data, text: upper }, 'gpt-attention')?.explain).toMatch(/^«GPT: .*causal mask\.»$/);
    expect(shapesFor('attention', config, 9, upper).find((r) => r.name === 'attention_probs')?.note).toBe(
      '«softmax over keys; one per layer (4)»',
    );
    // One head is singular.
    expect(layoutArchitecture({ layers: 2, heads: 1, text }).blocks.find((b) => b.id === 'bert-attention')?.sublabel).toBe('1 head, bidirectional');
  });
});

/** The models shipped in public/weights/, in Hugging Face layout. */
export interface ShippedModel {
  id: string;
  label: string;
  url: string;
}

const base = import.meta.env.BASE_URL;

/** BERT-mini reads both directions; its twin is the same network trained GPT-style, left to right. */
export const BIDIRECTIONAL: ShippedModel = { id: 'bert-mini', label: 'BERT-mini', url: `${base}weights/bert-mini/` };
export const CAUSAL_TWIN: ShippedModel = {
  id: 'bert-mini-causal',
  label: 'causal twin',
  url: `${base}weights/bert-mini-causal/`,
};

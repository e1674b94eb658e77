// Trained parameters to and from JSON (the safetensors format is the safetensors issue's).
import { FormatError, InputError } from '../runtime/errors.js';
import { DenseMatrix, type FloatDType } from '../linalg/dense.js';
import { checkConfig, parameterShapes, type NetworkConfig, type ParameterSet } from '../model/parameters.js';

/** The format tag written into every file. */
export const TRAINED_FORMAT = 'narrowgt.trained-graph-transformer';

/**
 * A JSON document {format, version: 2, architecture, config, parameters: {name: {rows, cols, data}}} under the
 * .safetensors names (src/model/parameters.ts; version 1 used the older names, which deserializeTrained still reads).
 * f32 parameters are written with the shortest round-tripping decimal of each f32 value (exact on load).
 * Cost O(#parameters).
 */
export function serializeTrained(config: NetworkConfig, parameters: ParameterSet): string {
  checkConfig('serializeTrained', config);
  const out: Record<string, { rows: number; cols: number; dtype: FloatDType; data: number[] }> = {};
  for (const [name, rows, cols] of parameterShapes(config)) {
    const m = parameters.get(name);
    if (!m || m.rows !== rows || m.cols !== cols) throw new InputError(`serializeTrained: parameters.${name} is missing or not ${rows}×${cols}`);
    out[name] = { rows, cols, dtype: m.dtype, data: Array.from(m.data) };
  }
  return JSON.stringify({ format: TRAINED_FORMAT, version: 2,
    architecture: 'practical graph transformer, post-norm, full-batch BN (Shirzad et al. 2024 App. D.2; src/model/parameters.ts)', config, parameters: out });
}

/** The version-1 name of a parameter (layers.ℓ.wQ, w1, b1, bn1.gamma/beta; encoder.* and head.* unchanged). */
function versionOneName(name: string): string {
  return name.replace(/\.w_([qkv])$/, (_, c: string) => `.w${c.toUpperCase()}`).replace(/\.([wb])_([12])$/, '.$1$2')
    .replace(/\.(bn[12])\.weight$/, '.$1.gamma').replace(/\.(bn[12])\.bias$/, '.$1.beta');
}

/**
 * Reads what serializeTrained wrote (version 2, or version 1 with the older parameter names). Throws FormatError on bad JSON, another format tag, a missing or
 * mis-shaped parameter, or a non-finite value.
 */
export function deserializeTrained(json: string): { config: NetworkConfig; parameters: ParameterSet } {
  const fn = 'deserializeTrained';
  let doc: { format?: string; version?: number; config?: NetworkConfig; parameters?: Record<string, { rows: number; cols: number; dtype?: FloatDType; data: number[] }> };
  try { doc = JSON.parse(json); } catch (e) { throw new FormatError(`${fn}: json is not valid JSON (${(e as Error).message})`); }
  if (doc?.format !== TRAINED_FORMAT || (doc.version !== 1 && doc.version !== 2)) throw new FormatError(`${fn}: json is not a ${TRAINED_FORMAT} v1 or v2 document`);
  if (!doc.config || !doc.parameters) throw new FormatError(`${fn}: json lacks config or parameters`);
  try { checkConfig(fn, doc.config); } catch (e) { throw new FormatError((e as Error).message); }
  const parameters: ParameterSet = new Map();
  for (const [name, rows, cols] of parameterShapes(doc.config)) {
    const p = doc.parameters[doc.version === 1 ? versionOneName(name) : name];
    if (!p || p.rows !== rows || p.cols !== cols || !Array.isArray(p.data) || p.data.length !== rows * cols) {
      throw new FormatError(`${fn}: parameters.${name} is missing or not ${rows}×${cols}`);
    }
    if (!p.data.every((v) => typeof v === 'number' && Number.isFinite(v))) throw new FormatError(`${fn}: parameters.${name} has a non-finite value`);
    parameters.set(name, DenseMatrix.from(p.data, rows, cols, p.dtype === 'f64' ? 'f64' : 'f32'));
  }
  return { config: doc.config, parameters };
}

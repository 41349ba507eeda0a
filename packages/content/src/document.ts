/**
 * The typed content model: one object per document (Detection, Macro, Story, DataSource, Lookup),
 * built once by the loader and read by every stage. It holds invalid documents too: each field is
 * a Field, whose `value` is set only when the document has the type the format wants there (the
 * schema reports every other case), whose `raw` keeps what was written, and whose `path` locates
 * it in the YAML file (positionOfPath), so a rule reads `detection.tags.value?.risk_score.value`
 * and reports at `risk_score.path` without casts or type guards of its own.
 *
 * Only the keys stages read are modelled; every document keeps its whole mapping in `raw`.
 */
import type { ContentKind } from './model.js';
import type { PathSegment } from './yaml-file.js';

/** One value of a document, where it was written, and whether it has the expected type. */
export interface Field<T> {
  /** The value when it has the expected type; undefined when absent or of another type. */
  readonly value: T | undefined;
  /** The value as written (any type; undefined when the key is absent). */
  readonly raw: unknown;
  /** The value's path in the document (`['tags', 'mitre_attack_id', 2]`), for positions. */
  readonly path: readonly PathSegment[];
}

/** A list of values, each a Field of its own (so an element of the wrong type keeps its index). */
export type ListField<T> = Field<readonly Field<T>[]>;

/** Keys every kind may carry (absent ones are Fields without a value). */
export interface DocumentBase {
  /** The whole mapping, as written. */
  readonly raw: Readonly<Record<string, unknown>>;
  readonly name: Field<string>;
  readonly id: Field<string>;
  readonly version: Field<number>;
  readonly date: Field<string>;
  readonly author: Field<string>;
  readonly description: Field<string>;
}

export interface Observable {
  readonly name: Field<string>;
  readonly type: Field<string>;
  readonly role: ListField<string>;
}

export interface DetectionTags {
  readonly analytic_story: ListField<string>;
  readonly asset_type: Field<string>;
  readonly confidence: Field<number>;
  readonly impact: Field<number>;
  readonly message: Field<string>;
  readonly mitre_attack_id: ListField<string>;
  readonly observable: Field<readonly Field<Observable>[]>;
  readonly product: ListField<string>;
  readonly required_fields: ListField<string>;
  readonly risk_score: Field<number>;
  readonly security_domain: Field<string>;
  readonly cve: ListField<string>;
  readonly atomic_guid: ListField<string>;
}

export interface AttackData {
  readonly data: Field<string>;
  readonly source: Field<string>;
  readonly sourcetype: Field<string>;
}

export interface DetectionTest {
  readonly name: Field<string>;
  /** dac extension: the exact number of result rows the replay must return (0: a benign test). */
  readonly expected_rows: Field<number>;
  readonly attack_data: Field<readonly Field<AttackData>[]>;
}

export interface DrilldownSearch {
  readonly name: Field<string>;
  readonly search: Field<string>;
  readonly earliest_offset: Field<string>;
  readonly latest_offset: Field<string>;
}

export interface Detection extends DocumentBase {
  readonly kind: 'detection';
  readonly status: Field<string>;
  readonly type: Field<string>;
  readonly data_source: ListField<string>;
  readonly search: Field<string>;
  readonly how_to_implement: Field<string>;
  readonly known_false_positives: Field<string>;
  readonly references: ListField<string>;
  readonly drilldown_searches: Field<readonly Field<DrilldownSearch>[]>;
  readonly tags: Field<DetectionTags>;
  readonly tests: Field<readonly Field<DetectionTest>[]>;
}

export interface Macro extends DocumentBase {
  readonly kind: 'macro';
  readonly definition: Field<string>;
  readonly arguments: ListField<string>;
}

export interface StoryTags {
  readonly category: ListField<string>;
  readonly product: ListField<string>;
  readonly usecase: Field<string>;
}

export interface Story extends DocumentBase {
  readonly kind: 'story';
  readonly narrative: Field<string>;
  readonly references: ListField<string>;
  readonly status: Field<string>;
  readonly tags: Field<StoryTags>;
}

export interface FieldMapping {
  readonly data_model: Field<string>;
  readonly data_set: Field<string>;
  readonly mapping: Field<Readonly<Record<string, unknown>>>;
}

export interface DataSource extends DocumentBase {
  readonly kind: 'data_source';
  readonly source: Field<string>;
  readonly sourcetype: Field<string>;
  readonly fields: ListField<string>;
  readonly field_mappings: Field<readonly Field<FieldMapping>[]>;
}

export interface Lookup extends DocumentBase {
  readonly kind: 'lookup';
  readonly filename: Field<string>;
  readonly collection: Field<string>;
}

export interface ContentModels {
  detection: Detection;
  macro: Macro;
  story: Story;
  data_source: DataSource;
  lookup: Lookup;
}

export type ContentModel = ContentModels[ContentKind];

// ---------------------------------------------------------------------------------------------
// Building the model from a document's value

type Rec = Readonly<Record<string, unknown>>;
type Path = readonly PathSegment[];

const isRec = (v: unknown): v is Rec => typeof v === 'object' && v !== null && !Array.isArray(v);
const isString = (v: unknown): v is string => typeof v === 'string';
const isNumber = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);

function field<T>(raw: unknown, path: Path, is: (v: unknown) => v is T): Field<T> {
  return { value: is(raw) ? raw : undefined, raw, path };
}
const text = (o: Rec, key: string, at: Path) => field(o[key], [...at, key], isString);
const number = (o: Rec, key: string, at: Path) => field(o[key], [...at, key], isNumber);

function list<T>(o: Rec, key: string, at: Path, item: (raw: unknown, path: Path) => Field<T>): Field<Field<T>[]> {
  const raw = o[key];
  const path = [...at, key];
  return { value: Array.isArray(raw) ? raw.map((x, i) => item(x, [...path, i])) : undefined, raw, path };
}
const texts = (o: Rec, key: string, at: Path): ListField<string> => list(o, key, at, (x, p) => field(x, p, isString));

/** A Field holding a nested object built from a mapping (no value when it is not one). */
function nested<T>(raw: unknown, path: Path, build: (r: Rec, path: Path) => T): Field<T> {
  return { value: isRec(raw) ? build(raw, path) : undefined, raw, path };
}
const mapping = <T>(o: Rec, key: string, at: Path, build: (r: Rec, path: Path) => T) =>
  nested(o[key], [...at, key], build);
const mappings = <T>(o: Rec, key: string, at: Path, build: (r: Rec, path: Path) => T) =>
  list(o, key, at, (x, p) => nested(x, p, build));

function base(raw: Rec): DocumentBase {
  return {
    raw,
    name: text(raw, 'name', []),
    id: text(raw, 'id', []),
    version: number(raw, 'version', []),
    date: text(raw, 'date', []),
    author: text(raw, 'author', []),
    description: text(raw, 'description', []),
  };
}

const observable = (o: Rec, at: Path): Observable => ({
  name: text(o, 'name', at),
  type: text(o, 'type', at),
  role: texts(o, 'role', at),
});

const detectionTags = (t: Rec, at: Path): DetectionTags => ({
  analytic_story: texts(t, 'analytic_story', at),
  asset_type: text(t, 'asset_type', at),
  confidence: number(t, 'confidence', at),
  impact: number(t, 'impact', at),
  message: text(t, 'message', at),
  mitre_attack_id: texts(t, 'mitre_attack_id', at),
  observable: mappings(t, 'observable', at, observable),
  product: texts(t, 'product', at),
  required_fields: texts(t, 'required_fields', at),
  risk_score: number(t, 'risk_score', at),
  security_domain: text(t, 'security_domain', at),
  cve: texts(t, 'cve', at),
  atomic_guid: texts(t, 'atomic_guid', at),
});

const attackData = (a: Rec, at: Path): AttackData => ({
  data: text(a, 'data', at),
  source: text(a, 'source', at),
  sourcetype: text(a, 'sourcetype', at),
});

const detectionTest = (t: Rec, at: Path): DetectionTest => ({
  name: text(t, 'name', at),
  expected_rows: number(t, 'expected_rows', at),
  attack_data: mappings(t, 'attack_data', at, attackData),
});

const drilldown = (d: Rec, at: Path): DrilldownSearch => ({
  name: text(d, 'name', at),
  search: text(d, 'search', at),
  earliest_offset: text(d, 'earliest_offset', at),
  latest_offset: text(d, 'latest_offset', at),
});

const fieldMapping = (m: Rec, at: Path): FieldMapping => ({
  data_model: text(m, 'data_model', at),
  data_set: text(m, 'data_set', at),
  mapping: field(m.mapping, [...at, 'mapping'], isRec),
});

const BUILDERS: { [K in ContentKind]: (raw: Rec) => ContentModels[K] } = {
  detection: (raw) => ({
    ...base(raw),
    kind: 'detection',
    status: text(raw, 'status', []),
    type: text(raw, 'type', []),
    data_source: texts(raw, 'data_source', []),
    search: text(raw, 'search', []),
    how_to_implement: text(raw, 'how_to_implement', []),
    known_false_positives: text(raw, 'known_false_positives', []),
    references: texts(raw, 'references', []),
    drilldown_searches: mappings(raw, 'drilldown_searches', [], drilldown),
    tags: mapping(raw, 'tags', [], detectionTags),
    tests: mappings(raw, 'tests', [], detectionTest),
  }),
  macro: (raw) => ({
    ...base(raw),
    kind: 'macro',
    definition: text(raw, 'definition', []),
    arguments: texts(raw, 'arguments', []),
  }),
  story: (raw) => ({
    ...base(raw),
    kind: 'story',
    narrative: text(raw, 'narrative', []),
    references: texts(raw, 'references', []),
    status: text(raw, 'status', []),
    tags: mapping(raw, 'tags', [], (t, at) => ({
      category: texts(t, 'category', at),
      product: texts(t, 'product', at),
      usecase: text(t, 'usecase', at),
    })),
  }),
  data_source: (raw) => ({
    ...base(raw),
    kind: 'data_source',
    source: text(raw, 'source', []),
    sourcetype: text(raw, 'sourcetype', []),
    fields: texts(raw, 'fields', []),
    field_mappings: mappings(raw, 'field_mappings', [], fieldMapping),
  }),
  lookup: (raw) => ({
    ...base(raw),
    kind: 'lookup',
    filename: text(raw, 'filename', []),
    collection: text(raw, 'collection', []),
  }),
};

/** The typed model of a document of this kind, or undefined when its value is not a mapping. */
export function documentModel<K extends ContentKind>(kind: K, value: unknown): ContentModels[K] | undefined {
  return isRec(value) ? BUILDERS[kind](value) : undefined;
}

/** The values of a list field that have the expected type, in order (elements of other types left out). */
export function valuesOf<T>(list: ListField<T>): T[] {
  const out: T[] = [];
  for (const f of list.value ?? []) if (f.value !== undefined) out.push(f.value);
  return out;
}

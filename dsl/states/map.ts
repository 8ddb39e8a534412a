import type { MapItemContextRefs } from '../context.ts';
import type { ItemReaderNode, MapNode } from '../graph.ts';
import type { Value } from '../payload.ts';
import { renderPayload } from '../payload.ts';
import type { ResultPath } from '../placement.ts';
import { isRef, type Ref, type RefTree, refExpression, type Scope } from '../ref.ts';
import {
  type AslState,
  type Continuation,
  compact,
  flow,
  type RenderContext,
  statePath,
} from '../render/context.ts';
import { isPlatformResource, type PlatformResource, resolvePlatformResource } from '../resources.ts';

/** Settings of an inline Map state. */
export interface MapOptions<S, Sc extends Scope, Item, Sel, P extends ResultPath> {
  /** Builds each iteration's input from the item (`ctx.map.item`) and the map's input. @default the item */
  readonly itemSelector?: (state: RefTree<S, Sc>, ctx: MapItemContextRefs<Item, Sc>) => Sel;
  /** Iterations run at once; 0 = as many as possible; or from the state (MaxConcurrencyPath). @default 0 */
  readonly maxConcurrency?: StateOrLiteral<S, Sc>;
  readonly resultPath?: P;
  readonly comment?: string;
}

/** A number given in the workflow, or taken from the state when the map starts (`…Path`). */
export type StateOrLiteral<S, Sc extends Scope> = number | ((state: RefTree<S, Sc>) => Ref<number, Sc>);

/** How a distributed map groups items: each child execution gets `{ Items: [...], BatchInput }`. */
export interface ItemBatcherOptions<S, Sc extends Scope, B> {
  readonly maxItemsPerBatch?: number;
  readonly maxInputBytesPerBatch?: number;
  /** Built from the map's input, the same for every batch. */
  readonly batchInput?: (state: RefTree<S, Sc>) => B;
}

/** Where a distributed map writes its results: a manifest and result files under `prefix` in `bucket`. */
export interface ResultWriterOptions<Sc extends Scope> {
  readonly bucket: Value<string, Sc> | PlatformResource<'s3Bucket'>;
  readonly prefix: Value<string, Sc>;
}

/** Settings of a distributed Map state (child executions). */
export interface DistributedMapOptions<S, Sc extends Scope, Item, Sel, B, W, P extends ResultPath> {
  /** Builds each item's input from the item (`ctx.map.item`) and the map's input. @default the item */
  readonly itemSelector?: (state: RefTree<S, Sc>, ctx: MapItemContextRefs<Item, Sc>) => Sel;
  /** Groups items into batches. @default one item per child execution */
  readonly itemBatcher?: ItemBatcherOptions<S, Sc, B>;
  /** Writes the results to S3 instead of returning them (the result is then the map run and the manifest). */
  readonly resultWriter?: W;
  /** Child executions at once (max 10,000), or from the state (e.g. the platform's config). @default 1000 */
  readonly maxConcurrency?: StateOrLiteral<S, Sc>;
  /** Share of failed items tolerated before the map fails (0-100), or from the state. @default 0 */
  readonly toleratedFailurePercentage?: StateOrLiteral<S, Sc>;
  /** Number of failed items tolerated before the map fails, or from the state. @default 0 */
  readonly toleratedFailureCount?: StateOrLiteral<S, Sc>;
  /** Child workflow type. @default 'STANDARD' */
  readonly executionType?: 'STANDARD' | 'EXPRESS';
  /** Label of the child executions (≤ 40 characters). */
  readonly label?: string;
  readonly resultPath?: P;
  readonly comment?: string;
}

/** The input of a child execution: the item (or what the selector builds), or a batch of them. */
export type DistributedIterationInput<ItemInput, B> = [B] extends [never]
  ? ItemInput
  : { readonly Items: ItemInput[]; readonly BatchInput: B };

/** What a distributed map with a ResultWriter returns: the map run and where its manifest is. */
export interface MapRunResult {
  readonly MapRunArn: string;
  readonly ResultWriterDetails: { readonly Bucket: string; readonly Key: string };
}

/** A typed S3 item reader, made with `s3CsvItems` or `s3JsonItems`. */
export interface ItemReaderSpec<Item, Sc extends Scope> {
  readonly reader: ItemReaderNode;
  /** Phantom: the item type. */
  readonly item?: Item;
  readonly scope?: Sc;
}

/** Where a distributed map's items come from: an array in the state, or an S3 object. */
export type ItemSource<Item, Sc extends Scope> = Ref<readonly Item[], Sc> | ItemReaderSpec<Item, Sc>;

/**
 * Reads a CSV object whose first row is the header: every item is a row of strings, typed by `Row` (the
 * references in bucket and key are not scope-checked, so `Row` can be given alone).
 */
export function s3CsvItems<Row extends Record<string, string>>(source: {
  bucket: Value<string, Scope> | PlatformResource<'s3Bucket'>;
  key: Value<string, Scope>;
  maxItems?: number;
}): ItemReaderSpec<Row, never> {
  return { reader: { ...source, inputType: 'CSV', csvHeaderFromFirstRow: true } };
}

/** Reads a JSON array (or JSON Lines) object: every item is one element, typed by `Item`. */
export function s3JsonItems<Item>(source: {
  bucket: Value<string, Scope> | PlatformResource<'s3Bucket'>;
  key: Value<string, Scope>;
  lines?: boolean;
  maxItems?: number;
}): ItemReaderSpec<Item, never> {
  const { lines, ...rest } = source;
  return { reader: { ...rest, inputType: lines ? 'JSONL' : 'JSON' } };
}

/** True when an item source reads from S3. */
export function isItemReader(source: unknown): source is ItemReaderSpec<unknown, Scope> {
  return typeof source === 'object' && source !== null && 'reader' in source;
}

/** A Map state, inline or distributed, with its item processor rendered as a scope of its own. */
export function renderMap(state: MapNode, next: Continuation, ctx: RenderContext): AslState {
  const processor = ctx.childScope(state.iterator, `${statePath(ctx.scopePath, state.name)}.ItemProcessor`);
  const bucketOf = (bucket: unknown) =>
    isPlatformResource(bucket)
      ? resolvePlatformResource(ctx.bindings.platformResource?.bind(ctx.bindings), bucket)
      : bucket;
  const reader = state.itemReader;
  const batcher = state.itemBatcher;
  const writer = state.resultWriter;
  return compact({
    Type: 'Map',
    Comment: state.comment,
    ItemsPath: state.itemsPath,
    ItemReader: reader
      ? {
          Resource: 'arn:aws:states:::s3:getObject',
          ReaderConfig: compact({
            InputType: reader.inputType,
            CSVHeaderLocation: reader.inputType === 'CSV' ? 'FIRST_ROW' : undefined,
            MaxItems: reader.maxItems,
          }),
          Parameters: renderPayload({ Bucket: bucketOf(reader.bucket), Key: reader.key }),
        }
      : undefined,
    ItemSelector: state.itemSelector ? renderPayload(state.itemSelector, state.name) : undefined,
    ItemBatcher: batcher
      ? compact({
          MaxItemsPerBatch: batcher.maxItemsPerBatch,
          MaxInputBytesPerBatch: batcher.maxInputBytesPerBatch,
          BatchInput: batcher.batchInput ? renderPayload(batcher.batchInput, state.name) : undefined,
        })
      : undefined,
    ItemProcessor: {
      ProcessorConfig: compact({ Mode: state.mode, ExecutionType: state.executionType }),
      ...processor,
    },
    ResultWriter: writer
      ? {
          Resource: 'arn:aws:states:::s3:putObject',
          Parameters: renderPayload({ Bucket: bucketOf(writer.bucket), Prefix: writer.prefix }),
        }
      : undefined,
    ...numberOrPath('MaxConcurrency', state.maxConcurrency),
    ...numberOrPath('ToleratedFailurePercentage', state.toleratedFailurePercentage),
    ...numberOrPath('ToleratedFailureCount', state.toleratedFailureCount),
    Label: state.label,
    ResultSelector: state.resultSelector ? renderPayload(state.resultSelector, state.name) : undefined,
    ResultPath: state.resultPath,
    ...ctx.recovery(state),
    ...flow(next),
  });
}

/** `Field: n`, or `FieldPath: <path>` for a number taken from the state. */
function numberOrPath(field: string, value: unknown): Record<string, unknown> {
  return isRef(value) ? { [`${field}Path`]: refExpression(value) } : { [field]: value };
}

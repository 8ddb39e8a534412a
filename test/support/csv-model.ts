/**
 * A model of import files for property tests: a plan (header, rows, line endings, BOM, corruptions) that
 * fast-check generates and shrinks, and `writeCsvFile`, which writes the plan's bytes and says what the import
 * must make of each row: produced (with its exact id and attribute values) or rejected (line, column, why).
 */
import fc from 'fast-check';

/** A line ending of the file. */
export type LineEnding = '\n' | '\r\n' | '\r';

/** Ways the generator breaks a row; each must be rejected with the row's first line. */
export type Corruption =
  | { readonly kind: 'stray-quote'; readonly field: number }
  | { readonly kind: 'unterminated-quote'; readonly field: number }
  | { readonly kind: 'extra-field' }
  | { readonly kind: 'missing-field' }
  | { readonly kind: 'invalid-utf8'; readonly field: number; readonly bytes: readonly number[] }
  | { readonly kind: 'nul'; readonly field: number }
  | { readonly kind: 'long-id' }
  | { readonly kind: 'control-id' }
  | { readonly kind: 'empty-id' }
  | { readonly kind: 'duplicate-id'; readonly of: number };

/** One row of a plan. */
export interface RowPlan {
  readonly id: string;
  /** One per attribute column (cut or padded to the header's width). */
  readonly values: readonly string[];
  /** Bits saying which fields are quoted although they need not be. */
  readonly quoteBits: number;
  /** Write a value holding quotes (and no comma or line break) unquoted, as spreadsheets do (rule 4). */
  readonly bareQuotes: boolean;
  readonly ending: LineEnding;
  readonly corruption: Corruption | undefined;
}

/** A whole file, before it is written. */
export interface FilePlan {
  readonly bom: boolean;
  /** The user id column's name as written (any case, spaces around). */
  readonly userIdName: string;
  readonly userIdIndex: number;
  readonly attributeNames: readonly string[];
  readonly headerEnding: LineEnding;
  readonly rows: readonly RowPlan[];
  readonly finalLineBreak: boolean;
}

/** What the import must make of one row. */
export type ExpectedRow =
  | {
      readonly kind: 'row';
      readonly line: number;
      readonly userId: string;
      readonly attributes: Record<string, string>;
    }
  | { readonly kind: 'rejected'; readonly line: number; readonly column: string; readonly reason: RegExp };

/** A written file and what the import must make of it. */
export interface ModelFile {
  readonly bytes: Buffer;
  /** Attribute column names as the import names them (trimmed). */
  readonly attributeNames: string[];
  readonly userIdColumn: string;
  /** One per data row, in file order: exactly the records of the file. */
  readonly expected: ExpectedRow[];
}

const VALUE_UNITS = [
  'a',
  'b',
  'Z',
  '0',
  '9',
  ' ',
  ',',
  '"',
  '\r',
  '\n',
  '\r\n',
  '\t',
  '=',
  '-',
  '+',
  '@',
  "'",
  'é',
  '日本',
  '😀',
];
const ID_UNITS = ['a', 'Z', '0', '-', '_', ' ', ',', '"', "'", '=', '+', '@', 'é', '日', '😀'];
const NAME_UNITS = ['a', 'b', 'c', 'X', 'é', '日', '-', '_', ' '];
const ENDINGS: LineEnding[] = ['\n', '\r\n', '\r'];
const INVALID_UTF8 = [[0xff], [0xc0, 0x80], [0xed, 0xa0, 0x80], [0xfe]];

const lineEnding = (): fc.Arbitrary<LineEnding> => fc.constantFrom(...ENDINGS);

const corruption = (): fc.Arbitrary<Corruption> =>
  fc.oneof(
    fc.record({ kind: fc.constant('stray-quote' as const), field: fc.nat(20) }),
    fc.record({ kind: fc.constant('unterminated-quote' as const), field: fc.nat(20) }),
    fc.record({ kind: fc.constant('extra-field' as const) }),
    fc.record({ kind: fc.constant('missing-field' as const) }),
    fc.record({
      kind: fc.constant('invalid-utf8' as const),
      field: fc.nat(20),
      bytes: fc.constantFrom(...INVALID_UTF8),
    }),
    fc.record({ kind: fc.constant('nul' as const), field: fc.nat(20) }),
    fc.record({ kind: fc.constant('long-id' as const) }),
    fc.record({ kind: fc.constant('control-id' as const) }),
    fc.record({ kind: fc.constant('empty-id' as const) }),
    fc.record({ kind: fc.constant('duplicate-id' as const), of: fc.nat(1000) }),
  );

/** Plans of files: random ids (multibyte, emoji), attribute counts, quoting, line endings, BOM, header spelling. */
export function filePlan(options: { maxRows?: number; corruptions?: boolean } = {}): fc.Arbitrary<FilePlan> {
  const { maxRows = 30, corruptions = true } = options;
  return fc
    .uniqueArray(fc.string({ unit: fc.constantFrom(...NAME_UNITS), minLength: 1, maxLength: 6 }), {
      maxLength: 5,
      selector: (name) => name.trim().toLowerCase(),
    })
    .map((names) => names.filter((name) => name.trim() !== '' && name.trim().toLowerCase() !== 'user_id'))
    .chain((attributeNames) =>
      fc.record({
        bom: fc.boolean(),
        userIdName: fc.constantFrom('user_id', 'USER_ID', ' user_id ', ' USER_ID ', 'User_Id', '\tuser_id'),
        userIdIndex: fc.nat(attributeNames.length),
        attributeNames: fc.constant(attributeNames),
        headerEnding: lineEnding(),
        rows: fc.array(row(attributeNames.length, corruptions), { maxLength: maxRows }),
        finalLineBreak: fc.boolean(),
      }),
    );
}

function row(width: number, corruptions: boolean): fc.Arbitrary<RowPlan> {
  return fc.record({
    id: fc.string({ unit: fc.constantFrom(...ID_UNITS), maxLength: 12 }),
    values: fc.array(fc.string({ unit: fc.constantFrom(...VALUE_UNITS), maxLength: 10 }), {
      minLength: width,
      maxLength: width,
    }),
    quoteBits: fc.nat(),
    bareQuotes: fc.boolean(),
    ending: lineEnding(),
    corruption: corruptions ? fc.option(corruption(), { freq: 4, nil: undefined }) : fc.constant(undefined),
  });
}

/** Writes a plan's bytes and what the import must make of each row (see the file's doc comment). */
export function writeCsvFile(plan: FilePlan): ModelFile {
  const writer = new FileWriter();
  const attributeNames = plan.attributeNames.map((name) => name.trim());
  const columnNames = [...attributeNames];
  columnNames.splice(plan.userIdIndex, 0, plan.userIdName.trim());
  const headerFields = [...plan.attributeNames];
  headerFields.splice(plan.userIdIndex, 0, plan.userIdName);
  if (plan.bom) writer.raw(Buffer.from([0xef, 0xbb, 0xbf]));
  writer.record(
    headerFields.map((name) => ({ bytes: Buffer.from(name), quote: /[,"\r\n]/.test(name) })),
    plan.headerEnding,
  );
  const expected: ExpectedRow[] = [];
  const firstLines = new Map<string, number>();
  const userIdColumn = columnNames[plan.userIdIndex]!;
  plan.rows.forEach((rowPlan, index) => {
    const line = writer.line;
    const last = index === plan.rows.length - 1;
    const context = { index, columnNames, userIdIndex: plan.userIdIndex, validIds: [...firstLines.keys()] };
    const outcome = writeRow(writer, rowPlan, context);
    writer.record(outcome.fields, last && !plan.finalLineBreak ? undefined : rowPlan.ending);
    if (outcome.kind === 'rejected') {
      expected.push({ kind: 'rejected', line, column: outcome.column, reason: outcome.reason });
      return;
    }
    const texts = outcome.fields.map((field) => field.bytes.toString('utf8'));
    const userId = texts[plan.userIdIndex]!;
    const first = firstLines.get(userId);
    if (first !== undefined) {
      expected.push({
        kind: 'rejected',
        line,
        column: userIdColumn,
        reason: new RegExp(`^duplicate of line ${first}$`),
      });
      return;
    }
    firstLines.set(userId, line);
    const attributes: Record<string, string> = {};
    texts.forEach((text, i) => {
      if (i !== plan.userIdIndex) attributes[columnNames[i]!] = text;
    });
    expected.push({ kind: 'row', line, userId, attributes });
  });
  return { bytes: writer.bytes(), attributeNames, userIdColumn, expected };
}

/** A field to write: its content bytes and how. */
interface FieldOut {
  readonly bytes: Buffer;
  readonly quote: boolean;
  /** Leave the closing quote out (an unterminated quote). */
  readonly unterminated?: boolean;
  /** Text after the closing quote (a stray quote). */
  readonly after?: string;
}

type RowOutcome =
  | { kind: 'row'; fields: FieldOut[] }
  | { kind: 'rejected'; fields: FieldOut[]; column: string; reason: RegExp };

interface RowContext {
  readonly index: number;
  readonly columnNames: string[];
  readonly userIdIndex: number;
  /** Ids of the rows produced so far, in file order. */
  readonly validIds: string[];
}

/** The fields of one row, in file order, its corruption applied, and whether the import must reject it. */
function writeRow(writer: FileWriter, plan: RowPlan, context: RowContext): RowOutcome {
  const { columnNames, userIdIndex } = context;
  const width = columnNames.length;
  const c = plan.corruption;
  const texts = [...plan.values];
  // Ids are made unique per file; a duplicate is only ever made on purpose.
  texts.splice(userIdIndex, 0, `${plan.id}~${context.index}`);
  // Corruptions that reject a row as its first line need the row on one line: its line breaks become spaces.
  if (c && ['stray-quote', 'unterminated-quote', 'extra-field', 'missing-field'].includes(c.kind)) {
    texts.forEach((text, i) => {
      texts[i] = text.replace(/[\r\n]/g, ' ');
    });
  }
  const target = c && 'field' in c ? c.field % width : -1;
  let count = width;
  let extra = c?.kind === 'extra-field';
  let outcome: { column: string; reason: RegExp } | undefined;
  switch (c?.kind) {
    case 'stray-quote':
      outcome = {
        column: columnNames[target]!,
        reason: /text after a closing quote|unterminated quoted field/,
      };
      break;
    case 'unterminated-quote':
      outcome = {
        column: columnNames[target]!,
        reason: /unterminated quoted field|text after a closing quote/,
      };
      break;
    case 'extra-field':
      outcome = { column: '', reason: /too many columns/ };
      break;
    case 'missing-field':
      // A row left empty would be an empty line that a CR before it could swallow: add a field instead.
      extra = width === 1 || (width === 2 && texts[0] === '');
      count = extra ? width : width - 1;
      outcome = { column: '', reason: extra ? /too many columns/ : /too few columns/ };
      break;
    case 'invalid-utf8':
      outcome = { column: columnNames[target]!, reason: /not valid UTF-8/ };
      break;
    case 'nul':
      outcome = { column: columnNames[target]!, reason: /NUL byte in value/ };
      break;
    case 'long-id':
      texts[userIdIndex] = `${'é'.repeat(128)}${texts[userIdIndex]}`;
      outcome = { column: columnNames[userIdIndex]!, reason: /user_id is longer than 256 bytes/ };
      break;
    case 'control-id':
    case 'empty-id':
      if (c.kind === 'empty-id' && width > 1) {
        texts[userIdIndex] = '';
        outcome = { column: columnNames[userIdIndex]!, reason: /user_id is empty/ };
      } else {
        texts[userIdIndex] = `${texts[userIdIndex]}${c.kind === 'empty-id' ? '\u007f' : '\u0001'}`;
        outcome = { column: columnNames[userIdIndex]!, reason: /user_id contains a control character/ };
      }
      break;
    case 'duplicate-id':
      if (context.validIds.length > 0) texts[userIdIndex] = context.validIds[c.of % context.validIds.length]!;
      break;
  }
  const fields: FieldOut[] = [];
  for (let i = 0; i < count; i++) {
    if (c?.kind === 'empty-id' && outcome?.reason.source === 'user_id is empty' && i === userIdIndex) {
      fields.push({ bytes: Buffer.alloc(0), quote: false });
    } else if (i !== target) fields.push(plainField(writer, texts[i]!, plan, i));
    else if (c?.kind === 'stray-quote')
      fields.push(writer.quoted(texts[i]!.replaceAll('"', ''), { after: 'x' }));
    else if (c?.kind === 'unterminated-quote') {
      fields.push(writer.quoted(texts[i]!.replaceAll('"', ''), { unterminated: true }));
    } else {
      const field = plainField(writer, texts[i]!, plan, i);
      const at = Math.floor(field.bytes.length / 2);
      const bad = Buffer.from(c?.kind === 'invalid-utf8' ? c.bytes : [0]);
      fields.push({
        ...field,
        bytes: Buffer.concat([field.bytes.subarray(0, at), bad, field.bytes.subarray(at)]),
      });
    }
  }
  if (extra) fields.push(plainField(writer, 'extra', plan, width));
  return outcome ? { kind: 'rejected', fields, ...outcome } : { kind: 'row', fields };
}

/** A value written as a valid field: quoted when it must be (or when the plan says so), else as it is. */
function plainField(writer: FileWriter, text: string, plan: RowPlan, index: number): FieldOut {
  const mustQuote = /[,\r\n]/.test(text) || text.startsWith('"');
  const hasQuotes = text.includes('"');
  if (!mustQuote && hasQuotes && plan.bareQuotes && !writer.runaway)
    return { bytes: Buffer.from(text), quote: false };
  if (mustQuote || hasQuotes || (plan.quoteBits >> index) & 1) return writer.quoted(text);
  return { bytes: Buffer.from(text), quote: false };
}

/** A quoted field's first content byte that could close a runaway quote without text after it. */
const CLOSES_CLEANLY = /^[",\r\n]/;

/**
 * Writes records and counts lines. Fields are made in file order, so it knows when an unterminated quote was made
 * and no quote since: the next quoted field then gets a letter first when its content could close the runaway
 * quote cleanly (empty, or starting with a quote, comma or line break). The runaway quote so always ends in text
 * after a closing quote, which the rules detect, and never forms a record of the right width.
 */
class FileWriter {
  private readonly parts: Buffer[] = [];
  line = 1;
  /** An unterminated quote was made and no quote since. */
  runaway = false;

  raw(bytes: Buffer): void {
    this.parts.push(bytes);
  }

  quoted(text: string, how: { unterminated?: boolean; after?: string } = {}): FieldOut {
    const guard = this.runaway || how.unterminated === true;
    const content = guard && (text === '' || CLOSES_CLEANLY.test(text)) ? `q${text}` : text;
    this.runaway = how.unterminated === true;
    return { bytes: Buffer.from(content), quote: true, ...how };
  }

  record(fields: FieldOut[], ending: LineEnding | undefined): void {
    fields.forEach((field, i) => {
      if (i > 0) this.parts.push(Buffer.from(','));
      if (!field.quote) {
        this.parts.push(field.bytes);
        return;
      }
      const escaped = Buffer.from(field.bytes.toString('latin1').replaceAll('"', '""'), 'latin1');
      this.parts.push(Buffer.from('"'), escaped);
      this.line += countLineBreaks(field.bytes.toString('latin1'));
      if (!field.unterminated) this.parts.push(Buffer.from(`"${field.after ?? ''}`));
    });
    if (ending !== undefined) {
      this.parts.push(Buffer.from(ending));
      this.line++;
    }
  }

  bytes(): Buffer {
    return Buffer.concat(this.parts);
  }
}

function countLineBreaks(text: string): number {
  return (text.match(/\r\n|\r|\n/g) ?? []).length;
}

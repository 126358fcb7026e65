// Child process of the memory test (run with --expose-gc): streams a file through the sheet reader and
// the row validator (everything an import does before writing) and prints the heap still in use after a
// full GC at rows 50 000 and 190 000, and the peak resident memory, in MB.
import { openSheet } from '../../src/connectors/spreadsheet/sheet.ts';
import { MappingDefinitionSchema } from '../../src/core/mapping-definition.ts';
import { RowValidator } from '../../src/import/row-validator.ts';
import { PEOPLE_FIELDS } from './fixtures.ts';

async function main(path: string) {
  const mapping = MappingDefinitionSchema.parse({
    id: 'm',
    name: 'm',
    source: { connectionId: 'upload', object: 'Kunden', key: 'Kundennummer' },
    target: { connectionId: 'erp', object: 'customers' },
    matchKey: { target: 'email' },
    fields: PEOPLE_FIELDS,
  });
  const validator = new RowValidator(mapping);
  const gc = (globalThis as { gc?: () => void }).gc;
  const retainedMb = () => {
    gc?.();
    return process.memoryUsage().heapUsed / 1024 / 1024;
  };
  let rows = 0;
  let valid = 0;
  let at50k = 0;
  let at190k = 0;
  for await (const row of (await openSheet(path)).rows()) {
    rows++;
    if (validator.check(row).kind === 'valid') valid++;
    if (rows === 50_000) at50k = retainedMb();
    if (rows === 190_000) at190k = retainedMb();
  }
  process.stdout.write(
    JSON.stringify({ rows, valid, at50k, at190k, peakMb: process.resourceUsage().maxRSS / 1024 }),
  );
}
void main(process.argv[2] as string);

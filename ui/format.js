// How values are shown: Canadian dollars, thousands separators, days, durations, times, and enum
// words in plain case. Every screen formats through here so a number reads the same everywhere.

const cad = new Intl.NumberFormat('en-CA', { style: 'currency', currency: 'CAD' });
const whole = new Intl.NumberFormat('en-CA', { maximumFractionDigits: 0 });
const ratio = new Intl.NumberFormat('en-CA', { maximumFractionDigits: 2 });
const thousands = new Intl.NumberFormat('en-CA');

export function count(n) {
  return thousands.format(n);
}

/** plural(1, 'account') → "1 account"; plural(1200, 'account') → "1,200 accounts". */
export function plural(n, one, many = `${one}s`) {
  return `${count(n)} ${n === 1 ? one : many}`;
}

/** NONE_DETECTED → "None detected"; names such as "Air Canada" stay as they are. */
export function enumWord(text) {
  if (!/^[A-Z0-9_]+$/.test(text)) return text;
  const words = text.toLowerCase().replace(/_/g, ' ');
  return words.charAt(0).toUpperCase() + words.slice(1);
}

/** A row's value as an underwriter reads it. */
export function formatValue(row) {
  if (row.number === null || row.number === undefined) {
    return row.raw === '' ? '—' : enumWord(row.raw);
  }
  const n = row.number;
  switch (row.unit) {
    case 'currency': return cad.format(n);
    case 'count': return whole.format(n);
    case 'days': return `${whole.format(n)} ${Math.abs(n) === 1 ? 'day' : 'days'}`;
    default: return ratio.format(n);
  }
}

/** A bare number in a unit (a difference between two runs has no raw text of its own). */
export function formatNumber(unit, n) {
  return n === null || n === undefined ? '—' : formatValue({ unit, number: n, raw: String(n) });
}

/** A transaction's amount as Flinks sends it (decimal text, or nothing) in dollars. */
export function formatAmount(text) {
  return text === null || text === undefined || text === '' ? '' : cad.format(Number(text));
}

export function formatDuration(ms) {
  return ms < 1000 ? `${ms} ms` : `${(ms / 1000).toFixed(1)} s`;
}

/** An ISO timestamp in the reader's time zone; text that is not one stays as it came. */
export function formatTime(iso) {
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? iso : d.toLocaleString('en-CA', { dateStyle: 'medium', timeStyle: 'short' });
}

/** A percent as the affordability figures give it (39 is 39%), to two decimals at most. */
export function formatPercent(n) {
  return n === null || n === undefined || n === '' ? '—' : `${ratio.format(Number(n))}%`;
}

/** Dollars from a number or decimal text. */
export function formatDollars(n) {
  return n === null || n === undefined || n === '' ? '—' : cad.format(Number(n));
}

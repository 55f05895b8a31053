// How values are shown: Canadian dollars, thousands separators, days, and enum words in plain case.

const cad = new Intl.NumberFormat('en-CA', { style: 'currency', currency: 'CAD' });
const whole = new Intl.NumberFormat('en-CA', { maximumFractionDigits: 0 });
const ratio = new Intl.NumberFormat('en-CA', { maximumFractionDigits: 2 });

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

export function formatDuration(ms) {
  return ms < 1000 ? `${ms} ms` : `${(ms / 1000).toFixed(1)} s`;
}

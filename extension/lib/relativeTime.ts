/** "in 1 hour", "3 minutes ago", "never": a time as the popup says it, next to now. */
export function relative(iso: string | null, now = Date.now()): string {
  if (!iso) return 'never';
  // To the minute first: a time an hour ahead, read a moment later, is still "in 1 hour", not "in 60 minutes".
  const seconds = Math.round((new Date(iso).getTime() - now) / 60_000) * 60;
  const units: [Intl.RelativeTimeFormatUnit, number][] = [
    ['day', 86_400],
    ['hour', 3_600],
    ['minute', 60],
  ];
  const format = new Intl.RelativeTimeFormat(undefined, { numeric: 'auto' });
  for (const [unit, size] of units) if (Math.abs(seconds) >= size) return format.format(Math.round(seconds / size), unit);
  return 'just now';
}

/** Month grids for the activities calendar: pure date arithmetic on UK calendar days. */

export interface Day<T> {
  /** The UK calendar day, YYYY-MM-DD. */
  date: string;
  /** Day of the month, 1–31. */
  day: number;
  /** Whether the day belongs to the month shown (the rest pad the first and last weeks). */
  inMonth: boolean;
  items: T[];
}

export interface Month {
  year: number;
  /** 1–12. */
  month: number;
}

const UK_DAY = new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/London', year: 'numeric', month: '2-digit', day: '2-digit' });

/** The UK calendar day (YYYY-MM-DD) of an instant. */
export function ukDay(instant: string | Date): string {
  return UK_DAY.format(typeof instant === 'string' ? new Date(instant) : instant);
}

const iso = (d: Date) => d.toISOString().slice(0, 10);

/** Parses "YYYY-MM"; anything else gives the month of `today` (a UK day). */
export function parseMonth(value: string | null | undefined, today: string): Month {
  const match = /^(\d{4})-(0[1-9]|1[0-2])$/.exec(value ?? '');
  if (match) return { year: Number(match[1]), month: Number(match[2]) };
  return { year: Number(today.slice(0, 4)), month: Number(today.slice(5, 7)) };
}

export function monthKey({ year, month }: Month): string {
  return `${String(year).padStart(4, '0')}-${String(month).padStart(2, '0')}`;
}

export function shiftMonth({ year, month }: Month, by: number): Month {
  const index = year * 12 + (month - 1) + by;
  return { year: Math.floor(index / 12), month: (index % 12) + 1 };
}

/** First and last UK days of the month, YYYY-MM-DD. */
export function monthRange({ year, month }: Month): { first: string; last: string } {
  return { first: iso(new Date(Date.UTC(year, month - 1, 1))), last: iso(new Date(Date.UTC(year, month, 0))) };
}

/**
 * The weeks (Monday first) covering a month, each day holding the items that start on it
 * by UK local time. Items outside the weeks shown are dropped; each day keeps the items' order.
 */
export function buildMonth<T>({ year, month }: Month, items: readonly T[], startOf: (item: T) => string): Day<T>[][] {
  const first = new Date(Date.UTC(year, month - 1, 1));
  const offset = (first.getUTCDay() + 6) % 7; // Monday = 0
  const cursor = new Date(Date.UTC(year, month - 1, 1 - offset));
  const byDay = new Map<string, T[]>();
  for (const item of items) {
    const key = ukDay(startOf(item));
    const list = byDay.get(key);
    if (list) list.push(item);
    else byDay.set(key, [item]);
  }
  const weeks: Day<T>[][] = [];
  do {
    const week: Day<T>[] = [];
    for (let i = 0; i < 7; i += 1) {
      const date = iso(cursor);
      week.push({ date, day: cursor.getUTCDate(), inMonth: cursor.getUTCMonth() === month - 1, items: byDay.get(date) ?? [] });
      cursor.setUTCDate(cursor.getUTCDate() + 1);
    }
    weeks.push(week);
  } while (cursor.getUTCMonth() === month - 1);
  return weeks;
}

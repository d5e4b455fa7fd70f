import { buildMonth, monthRange, parseMonth, shiftMonth, ukDay } from './calendar';

const at = (id: string, starts_at: string) => ({ id, starts_at });

describe('buildMonth', () => {
  it('covers the month in Monday-first weeks, padding with the neighbouring months', () => {
    const weeks = buildMonth({ year: 2026, month: 11 }, [], (a: { starts_at: string }) => a.starts_at);
    // 1 November 2026 is a Sunday: the first week starts on Monday 26 October.
    expect(weeks).toHaveLength(6);
    expect(weeks.every((w) => w.length === 7)).toBe(true);
    expect(weeks[0]?.[0]).toMatchObject({ date: '2026-10-26', day: 26, inMonth: false });
    expect(weeks[0]?.[6]).toMatchObject({ date: '2026-11-01', day: 1, inMonth: true });
    expect(weeks[5]?.[0]).toMatchObject({ date: '2026-11-30', inMonth: true });
    expect(weeks[5]?.[6]).toMatchObject({ date: '2026-12-06', inMonth: false });
    // February 2027 starts on a Monday and ends on a Sunday: exactly four weeks.
    const feb = buildMonth({ year: 2027, month: 2 }, [], (a: { starts_at: string }) => a.starts_at);
    expect(feb).toHaveLength(4);
    expect(feb[0]?.[0]?.date).toBe('2027-02-01');
    expect(feb[3]?.[6]?.date).toBe('2027-02-28');
  });

  it('buckets activities by their UK local day, in order', () => {
    const items = [
      at('evening', '2026-11-20T18:00:00Z'),
      at('late-summer', '2026-07-31T23:30:00Z'), // 00:30 BST on 1 August
      at('late-winter', '2026-11-20T23:30:00Z'), // still 20 November in GMT
      at('elsewhere', '2026-09-01T10:00:00Z'),
    ];
    const nov = buildMonth({ year: 2026, month: 11 }, items, (a) => a.starts_at).flat();
    expect(nov.find((d) => d.date === '2026-11-20')?.items.map((a) => a.id)).toEqual(['evening', 'late-winter']);
    expect(nov.flatMap((d) => d.items)).toHaveLength(2);
    const aug = buildMonth({ year: 2026, month: 8 }, items, (a) => a.starts_at).flat();
    expect(aug.find((d) => d.date === '2026-08-01')?.items.map((a) => a.id)).toEqual(['late-summer']);
    expect(aug.find((d) => d.date === '2026-07-31')?.items).toEqual([]);
  });
});

describe('month helpers', () => {
  it('parses, shifts and bounds months', () => {
    expect(parseMonth('2026-02', '2026-11-25')).toEqual({ year: 2026, month: 2 });
    expect(parseMonth('nonsense', '2026-11-25')).toEqual({ year: 2026, month: 11 });
    expect(shiftMonth({ year: 2026, month: 12 }, 1)).toEqual({ year: 2027, month: 1 });
    expect(shiftMonth({ year: 2026, month: 1 }, -1)).toEqual({ year: 2025, month: 12 });
    expect(monthRange({ year: 2028, month: 2 })).toEqual({ first: '2028-02-01', last: '2028-02-29' });
    expect(ukDay('2026-03-29T23:30:00Z')).toBe('2026-03-30');
  });
});

import { Link, useSearchParams } from 'react-router';
import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { api, unwrap, type Schemas } from '../api/client';
import { allPages } from '../components/paging';
import { humanise, Loaded } from '../components/ui';
import { buildMonth, monthKey, monthRange, parseMonth, shiftMonth, ukDay, type Month } from './calendar';

const DAYS = ['Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday', 'Sunday'];
const MONTH_NAME = new Intl.DateTimeFormat('en-GB', { month: 'long', year: 'numeric', timeZone: 'UTC' });
const DAY_NAME = new Intl.DateTimeFormat('en-GB', { weekday: 'long', day: 'numeric', month: 'long', year: 'numeric', timeZone: 'UTC' });
const TIME = new Intl.DateTimeFormat('en-GB', { hour: '2-digit', minute: '2-digit', timeZone: 'Europe/London' });

const monthName = ({ year, month }: Month) => MONTH_NAME.format(new Date(Date.UTC(year, month - 1, 1)));
const dayName = (date: string) => DAY_NAME.format(new Date(`${date}T00:00:00Z`));

/** Every activity starting in the month (UK days). */
async function activitiesOf(month: Month, planId: string | undefined): Promise<Schemas['ActivityRead'][]> {
  const { first, last } = monthRange(month);
  const all = await allPages(async (cursor) => unwrap(await api.GET('/api/v1/activities', {
    params: { query: { plan_id: planId, starts_from: first, starts_to: last, sort: 'starts_at', limit: 500, cursor } },
  })));
  return all.items;
}

export function ActivityCalendar({ planId }: { planId?: string }) {
  const [params] = useSearchParams();
  const today = ukDay(new Date());
  const month = parseMonth(params.get('month'), today);
  const key = monthKey(month);
  const list = useQuery({
    queryKey: ['activities', 'calendar', planId, key],
    queryFn: () => activitiesOf(month, planId),
    placeholderData: keepPreviousData,
  });
  const hrefFor = (target: Month) => {
    const next = new URLSearchParams(params);
    next.set('view', 'calendar');
    next.set('month', monthKey(target));
    return `?${next.toString()}`;
  };
  return (
    <>
      <nav className="app-calendar__nav" aria-label="Months">
        <Link to={hrefFor(shiftMonth(month, -1))}>Previous month<span className="nhsuk-u-visually-hidden">: {monthName(shiftMonth(month, -1))}</span></Link>
        <Link to={hrefFor(shiftMonth(month, 1))}>Next month<span className="nhsuk-u-visually-hidden">: {monthName(shiftMonth(month, 1))}</span></Link>
      </nav>
      <Loaded query={list}>
        {(items) => {
          const weeks = buildMonth(month, items, (a) => a.starts_at);
          return (
            <div className="app-calendar__scroll">
              <table className="nhsuk-table app-calendar">
                <caption className="nhsuk-table__caption">Activities in {monthName(month)}{items.length === 0 ? ' (none)' : ''}</caption>
                <thead className="nhsuk-table__head">
                  <tr className="nhsuk-table__row">
                    {DAYS.map((d) => <th key={d} scope="col" className="nhsuk-table__header"><abbr title={d}>{d.slice(0, 3)}</abbr></th>)}
                  </tr>
                </thead>
                <tbody className="nhsuk-table__body">
                  {weeks.map((week, index) => (
                    <tr key={week[0]?.date ?? index} className="nhsuk-table__row">
                      {week.map((day) => {
                        const isToday = day.date === today;
                        const classes = ['nhsuk-table__cell', 'app-calendar__day'];
                        if (!day.inMonth) classes.push('app-calendar__day--outside');
                        if (isToday) classes.push('app-calendar__day--today');
                        return (
                          <td key={day.date} className={classes.join(' ')} aria-current={isToday ? 'date' : undefined}>
                            <span className="app-calendar__date">
                              <span aria-hidden="true">{day.day}</span>
                              <span className="nhsuk-u-visually-hidden">{dayName(day.date)}</span>
                              {isToday && <strong className="app-calendar__today"> Today</strong>}
                            </span>
                            {day.items.length > 0 && (
                              <ul className="app-calendar__items">
                                {day.items.map((a) => (
                                  <li key={a.id}>
                                    <Link to={`/activities/${a.id}`} dir="auto">{a.title}</Link>
                                    <span className="app-calendar__meta">{TIME.format(new Date(a.starts_at))}, {humanise(a.status)}</span>
                                  </li>
                                ))}
                              </ul>
                            )}
                          </td>
                        );
                      })}
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          );
        }}
      </Loaded>
    </>
  );
}

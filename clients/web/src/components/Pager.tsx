interface Props {
  hasPrevious: boolean;
  nextCursor: string | null | undefined;
  onPrevious: () => void;
  onNext: (cursor: string) => void;
  page: number;
  /** The list still shows the page before while the one asked for loads (keepPreviousData): no paging until it comes. */
  busy?: boolean;
  /** The navigation's name; a page with several paged lists names each ("Pages of actions"). */
  label?: string;
}

/** The NHS pagination pattern for cursor pages: Previous / Next with the page number as text. */
export function Pager({ hasPrevious, nextCursor, onPrevious, onNext, page, busy = false, label = 'Pagination' }: Props) {
  if (!hasPrevious && !nextCursor) return null;
  // aria-disabled rather than disabled: the button keeps the keyboard focus it had when clicked.
  const unlessBusy = (action: () => void) => () => {
    if (!busy) action();
  };
  return (
    <nav className="nhsuk-pagination" role="navigation" aria-label={label} aria-busy={busy || undefined}>
      <ul className="nhsuk-list nhsuk-pagination__list">
        {hasPrevious && (
          <li className="nhsuk-pagination-item--previous">
            <button type="button" className="nhsuk-pagination__link nhsuk-pagination__link--prev app-link-button" aria-disabled={busy || undefined}
              onClick={unlessBusy(onPrevious)}>
              <span className="nhsuk-pagination__title">Previous</span>
              <span className="nhsuk-u-visually-hidden">:</span>
              <span className="nhsuk-pagination__page">Page {page - 1}</span>
            </button>
          </li>
        )}
        {nextCursor && (
          <li className="nhsuk-pagination-item--next">
            <button type="button" className="nhsuk-pagination__link nhsuk-pagination__link--next app-link-button" aria-disabled={busy || undefined}
              onClick={unlessBusy(() => onNext(nextCursor))}>
              <span className="nhsuk-pagination__title">Next</span>
              <span className="nhsuk-u-visually-hidden">:</span>
              <span className="nhsuk-pagination__page">Page {page + 1}</span>
            </button>
          </li>
        )}
      </ul>
    </nav>
  );
}

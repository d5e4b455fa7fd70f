interface Props {
  hasPrevious: boolean;
  nextCursor: string | null | undefined;
  onPrevious: () => void;
  onNext: (cursor: string) => void;
  page: number;
}

/** The NHS pagination pattern for cursor pages: Previous / Next with the page number as text. */
export function Pager({ hasPrevious, nextCursor, onPrevious, onNext, page }: Props) {
  if (!hasPrevious && !nextCursor) return null;
  return (
    <nav className="nhsuk-pagination" role="navigation" aria-label="Pagination">
      <ul className="nhsuk-list nhsuk-pagination__list">
        {hasPrevious && (
          <li className="nhsuk-pagination-item--previous">
            <button type="button" className="nhsuk-pagination__link nhsuk-pagination__link--prev app-link-button" onClick={onPrevious}>
              <span className="nhsuk-pagination__title">Previous</span>
              <span className="nhsuk-u-visually-hidden">:</span>
              <span className="nhsuk-pagination__page">Page {page - 1}</span>
            </button>
          </li>
        )}
        {nextCursor && (
          <li className="nhsuk-pagination-item--next">
            <button type="button" className="nhsuk-pagination__link nhsuk-pagination__link--next app-link-button" onClick={() => onNext(nextCursor)}>
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

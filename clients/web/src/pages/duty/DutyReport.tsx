import type { Schemas } from '../../api/client';
import { StatusTag } from '../../components/ui';

type Report = Schemas['DutyReport'];
type Item = Schemas['ReportItem'];

/** The duty report: overall status, counts, then each requirement with its status, reason and gaps. */
export function DutyReportView({ report }: { report: Report }) {
  return (
    <>
      <p className="nhsuk-body">
        Overall: <StatusTag value={report.status} /> {report.counts.red} red, {report.counts.amber} amber, {report.counts.green} green.
        {report.assessment ? ` Based on applicability record version ${report.assessment.number}.` : ' No applicability record yet.'}
      </p>
      <div className="nhsuk-table-container">
        <table className="nhsuk-table">
          <caption className="nhsuk-table__caption nhsuk-u-visually-hidden">Duty report requirements</caption>
          <thead className="nhsuk-table__head">
            <tr className="nhsuk-table__row">
              <th scope="col" className="nhsuk-table__header">Requirement</th>
              <th scope="col" className="nhsuk-table__header">Status</th>
              <th scope="col" className="nhsuk-table__header">Reason and gaps</th>
            </tr>
          </thead>
          <tbody className="nhsuk-table__body">
            {report.items.map((item: Item) => (
              <tr className="nhsuk-table__row app-duty-item" key={`${item.duty_code ?? ''}/${item.code}`}>
                <td className="nhsuk-table__cell">
                  {item.duty_title && <span className="nhsuk-caption-m nhsuk-u-font-size-16">{item.duty_title}</span>}
                  {item.title}
                </td>
                <td className="nhsuk-table__cell">
                  <StatusTag value={item.status} />
                </td>
                <td className="nhsuk-table__cell">
                  <p className="nhsuk-body-s nhsuk-u-margin-bottom-1">{item.reason}</p>
                  {item.gaps.length > 0 && (
                    <ul className="nhsuk-list nhsuk-list--bullet nhsuk-body-s" aria-label={`Gaps for ${item.title}`}>
                      {item.gaps.map((gap) => <li key={gap}>{gap}</li>)}
                    </ul>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </>
  );
}

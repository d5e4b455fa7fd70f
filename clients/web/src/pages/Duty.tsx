import { useTitle } from '../components/useTitle';

// The duty screens (applicability record, consultations, scrutiny log, evidence, duty report with
// red/amber/green and reasons, evidence pack download) go here once the duty endpoints are merged.
export default function Duty() {
  useTitle('Duty to involve');
  return (
    <>
      <h1>Duty to involve</h1>
      <div className="nhsuk-inset-text">
        <span className="nhsuk-u-visually-hidden">Information: </span>
        <p>The duty record (applicability, consultations, scrutiny, evidence, the duty report and the evidence pack) is coming soon.</p>
      </div>
    </>
  );
}

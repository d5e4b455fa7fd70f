import { useEffect, useState } from 'react';
import { useSession } from '../auth/session';

/** How long before the token expires the warning shows. */
export const WARN_MS = 5 * 60 * 1000;

/**
 * The API issues a token with a fixed lifetime and no refresh, and an expired token signs the user out (losing a
 * half-filled form). So, before it ends, say so while there is still time to save: a warning callout, announced once.
 */
export function ExpiryWarning() {
  const { expiresAt } = useSession();
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    if (expiresAt === null) return;
    const timer = window.setInterval(() => setNow(Date.now()), 15_000);
    return () => window.clearInterval(timer);
  }, [expiresAt]);
  if (expiresAt === null || expiresAt - now > WARN_MS) return null;
  const minutes = Math.max(0, Math.ceil((expiresAt - now) / 60_000));
  return (
    <div className="nhsuk-warning-callout" role="status">
      {/* A paragraph, not a heading: it comes before the page's h1. */}
      <p className="nhsuk-warning-callout__label">
        <span role="text"><span className="nhsuk-u-visually-hidden">Important: </span>Your session is ending</span>
      </p>
      <p>
        {minutes > 0 ? `You will be signed out in about ${minutes} minute${minutes === 1 ? '' : 's'}.` : 'You are about to be signed out.'} Save what
        you are working on now; after signing in again you will need to enter anything unsaved again.
      </p>
    </div>
  );
}

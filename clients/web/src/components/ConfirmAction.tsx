import { useEffect, useId, useRef, useState, type ReactNode } from 'react';

/**
 * A destructive action asked twice: the first press shows the question with a warning button and Cancel (the
 * NHS.UK pattern of a second, red button), and moves focus to the question so a screen reader reads it. Cancel puts
 * focus back on the first button.
 */
export function ConfirmAction({ children, question, confirm, onConfirm, className, disabled }: {
  children: ReactNode;
  question: ReactNode;
  confirm: string;
  onConfirm: () => void;
  className: string;
  disabled?: boolean;
}) {
  const [asking, setAsking] = useState(false);
  const id = useId();
  const prompt = useRef<HTMLParagraphElement>(null);
  const trigger = useRef<HTMLButtonElement>(null);
  const wasAsking = useRef(false);
  useEffect(() => {
    if (asking) prompt.current?.focus();
    else if (wasAsking.current) trigger.current?.focus();
    wasAsking.current = asking;
  }, [asking]);

  if (!asking) {
    return (
      <button type="button" ref={trigger} className={className} disabled={disabled} onClick={() => setAsking(true)}>
        {children}
      </button>
    );
  }
  return (
    <div role="group" aria-labelledby={id} className="app-confirm">
      <p id={id} ref={prompt} tabIndex={-1} className="nhsuk-body nhsuk-u-margin-bottom-2">{question}</p>
      <button type="button" className="nhsuk-button nhsuk-button--warning nhsuk-button--small nhsuk-u-margin-right-3" disabled={disabled}
        onClick={() => { setAsking(false); onConfirm(); }}>
        {confirm}
      </button>
      <button type="button" className="nhsuk-button nhsuk-button--secondary nhsuk-button--small" onClick={() => setAsking(false)}>
        Cancel
      </button>
    </div>
  );
}

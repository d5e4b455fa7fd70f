import '@testing-library/jest-dom/vitest';

// As index.html does in a browser: nhsuk-frontend's components (e.g. Button) refuse to start without it.
document.body.classList.add('nhsuk-frontend-supported');

import { Suspense, useEffect, useRef } from 'react';
import { Link, NavLink, Navigate, Outlet, useLocation } from 'react-router';
import type { Role } from '../api/client';
import { useSession } from '../auth/session';
import { ExpiryWarning } from './ExpiryWarning';
import { can } from '../auth/roles';
import { humanise, Loading } from './ui';

const NAV: { to: string; text: string; show?: (role: Role) => boolean }[] = [
  { to: '/', text: 'Home' },
  { to: '/stakeholders', text: 'Stakeholders' },
  { to: '/organisations', text: 'Organisations' },
  { to: '/plans', text: 'Plans' },
  { to: '/grid', text: 'Grid' },
  { to: '/activities', text: 'Activities' },
  { to: '/feedback', text: 'Feedback' },
  { to: '/duty', text: 'Duty' },
  // Admin sections: users and settings (admin), calendar tokens (admin, lead), the audit trail (admin, auditor).
  { to: '/admin', text: 'Admin', show: (role) => can.administer(role) || can.edit(role) || can.audit(role) },
];

function NhsLogo() {
  return (
    <svg className="nhsuk-header__logo" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 200 80" height="40" width="100" focusable="false" role="img" aria-label="NHS">
      <title>NHS</title>
      <path fill="currentcolor" d="M200 0v80H0V0h200Zm-27.5 5.5c-14.5 0-29 5-29 22 0 10.2 7.7 13.5 14.7 16.3l.7.3c5.4 2 10.1 3.9 10.1 8.4 0 6.5-8.5 7.5-14 7.5s-12.5-1.5-16-3.5L135 70c5.5 2 13.5 3.5 20 3.5 15.5 0 32-4.5 32-22.5 0-19.5-25.5-16.5-25.5-25.5 0-5.5 5.5-6.5 12.5-6.5a35 35 0 0 1 14.5 3l4-13.5c-4.5-2-12-3-20-3Zm-131 2h-22l-14 65H22l9-45h.5l13.5 45h21.5l14-65H64l-9 45h-.5l-13-45Zm63 0h-18l-13 65h17l6-28H117l-5.5 28H129l13.5-65H125L119.5 32h-20l5-24.5Z" />
    </svg>
  );
}

/** The signed-in frame: NHS header with the service name, navigation, account, main, footer. */
export function Layout() {
  const { me, signOut } = useSession();
  const location = useLocation();
  const main = useRef<HTMLElement>(null);
  const firstPage = useRef(true);
  useEffect(() => {
    // Another page: as after a full page load, screen readers and the next Tab start at its content, not at the
    // link just used (which may be gone). Filters changing the query string are not a new page.
    if (firstPage.current) {
      firstPage.current = false;
      return;
    }
    main.current?.focus();
  }, [location.pathname]);
  if (!me) return <Navigate to="/sign-in" replace state={{ from: location.pathname + location.search }} />;
  return (
    <>
      <a className="nhsuk-skip-link" href="#maincontent">
        Skip to main content
      </a>
      <header className="nhsuk-header" role="banner">
        <div className="nhsuk-header__container nhsuk-width-container">
          <div className="nhsuk-header__service">
            <Link className="nhsuk-header__service-logo" to="/" aria-label="Involve homepage">
              <NhsLogo />
              <span className="nhsuk-header__service-name">Involve</span>
            </Link>
          </div>
          <nav className="nhsuk-header__account" aria-label="Account">
            <ul className="nhsuk-header__account-list">
              <li className="nhsuk-header__account-item">
                {me.name} ({humanise(me.role)}, {me.tenant.name})
              </li>
              <li className="nhsuk-header__account-item">
                <button type="button" className="nhsuk-header__account-button" onClick={signOut}>
                  Sign out
                </button>
              </li>
            </ul>
          </nav>
        </div>
        <nav className="nhsuk-header__navigation" aria-label="Menu">
          <div className="nhsuk-header__navigation-container nhsuk-width-container">
            <ul className="nhsuk-header__navigation-list app-nav-list">
              {NAV.filter((item) => !item.show || item.show(me.role)).map((item) => (
                <li className="nhsuk-header__navigation-item" key={item.to}>
                  <NavLink
                    className={({ isActive }) => `nhsuk-header__navigation-link${isActive ? ' nhsuk-header__navigation-link--current' : ''}`}
                    to={item.to}
                    end={item.to === '/'}
                  >
                    {item.text}
                  </NavLink>
                </li>
              ))}
            </ul>
          </div>
        </nav>
      </header>
      <div className="nhsuk-width-container">
        <main className="nhsuk-main-wrapper" id="maincontent" tabIndex={-1} ref={main}>
          <ExpiryWarning />
          <Suspense fallback={<Loading />}>
            <Outlet />
          </Suspense>
        </main>
      </div>
      <footer role="contentinfo">
        <div className="nhsuk-footer">
          <div className="nhsuk-width-container">
            <p className="nhsuk-body-s">Involve — stakeholder engagement and the duty to involve.</p>
          </div>
        </div>
      </footer>
    </>
  );
}

import { Link } from 'react-router';
import { useTitle } from '../components/useTitle';

export default function NotFound() {
  useTitle('Page not found');
  return (
    <>
      <h1>Page not found</h1>
      <p className="nhsuk-body">
        If you typed the web address, check it is correct. <Link to="/">Go to the home page</Link>.
      </p>
    </>
  );
}

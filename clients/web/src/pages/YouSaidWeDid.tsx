import { useParams } from 'react-router';
import { useQuery } from '@tanstack/react-query';
import { api, json, unwrap } from '../api/client';
import { useTitle } from '../components/useTitle';
import { BackTo, humanise, Loaded } from '../components/ui';

export default function YouSaidWeDid() {
  const { id = '' } = useParams();
  useTitle('You said, we did');
  const summary = useQuery({
    queryKey: ['you-said-we-did', id],
    queryFn: async () => json(unwrap(await api.GET('/api/v1/plans/{plan_id}/you-said-we-did', { params: { path: { plan_id: id } } }))),
  });
  return (
    <Loaded query={summary}>
      {(s) => (
        <>
          <BackTo to={`/plans/${id}`}>Plan</BackTo>
          <h1>You said, we did: {s.plan_title}</h1>
          <p className="nhsuk-body">
            Preview of what is published. {s.feedback_received} comments received, {s.feedback_responded} responded to.
          </p>
          {s.items.length === 0 && <p className="nhsuk-body">Nothing is publishable yet: mark responded feedback as publishable with a summary.</p>}
          {s.items.map((item, index) => (
            <div className="nhsuk-card" key={index}>
              <div className="nhsuk-card__content">
                <h2 className="nhsuk-card__heading nhsuk-heading-s">You said</h2>
                <p className="nhsuk-card__description">{item.you_said}</p>
                <h3 className="nhsuk-heading-s">We did</h3>
                <p className="nhsuk-body">{item.we_did}</p>
                <p className="nhsuk-body-s">
                  Outcome: {humanise(item.outcome)}
                  {item.themes.length > 0 && ` · Themes: ${item.themes.join(', ')}`}
                </p>
              </div>
            </div>
          ))}
        </>
      )}
    </Loaded>
  );
}

import { useState, type DragEvent, type FormEvent } from 'react';
import { Link, useNavigate, useParams } from 'react-router';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { Button, Select, TextInput } from 'nhsuk-react-components';
import { api, unwrap, type Schemas } from '../api/client';
import { useCan } from '../auth/roles';
import { ErrorSummaryBox } from '../components/ErrorSummaryBox';
import { useProblem } from '../components/problems';
import { useTitle } from '../components/useTitle';
import { BackTo, DataTable, humanise, Loaded } from '../components/ui';
import { placeOnGrid, quadrantOf, SHOWN_PER_CELL, type Point } from './grid';

const SCORES = [1, 2, 3, 4, 5];

export default function GridPage() {
  const { id: planId } = useParams();
  const may = useCan();
  const editable = may.edit;
  const [since, setSince] = useState('');
  const queryClient = useQueryClient();
  const { problem, clear, onError } = useProblem();
  const [notice, setNotice] = useState('');
  useTitle(planId ? 'Plan grid' : 'Power/interest grid');

  const grid = useQuery({
    queryKey: ['grid', planId ?? 'general', since],
    queryFn: async () => {
      const query = { since: since ? new Date(since).toISOString() : undefined };
      return planId
        ? unwrap(await api.GET('/api/v1/plans/{plan_id}/grid', { params: { path: { plan_id: planId }, query } }))
        : unwrap(await api.GET('/api/v1/stakeholders/grid', { params: { query } }));
    },
  });

  const assess = useMutation({
    mutationFn: async ({ point, interest, influence }: { point: Point; interest: number; influence: number }) =>
      unwrap(await api.POST('/api/v1/stakeholders/{stakeholder_id}/assessments', {
        params: { path: { stakeholder_id: point.id } },
        body: { interest, influence, attitude: point.attitude, plan_id: planId ?? null, rationale: 'Moved on the grid' },
      })),
    onSuccess: (saved, { point }) => {
      clear();
      setNotice(`${point.name} is now at interest ${saved.interest}, influence ${saved.influence}: ${humanise(saved.quadrant)}.`);
      queryClient.invalidateQueries({ queryKey: ['grid'] });
      queryClient.invalidateQueries({ queryKey: ['assessments', point.id] });
    },
    onError,
  });

  return (
    <>
      {planId && <BackTo to={`/plans/${planId}`}>Plan</BackTo>}
      <ErrorSummaryBox problem={problem} />
      <h1>{planId ? 'Power/interest grid for this plan' : 'Power/interest grid'}</h1>
      <p className="nhsuk-body" role="status" aria-live="polite">
        {notice}
      </p>
      <Loaded query={grid}>
        {(g) => (
          <>
            <Grid grid={g} editable={editable} onMove={(point, interest, influence) => assess.mutate({ point, interest, influence })} />
            <h2>Counts per quadrant</h2>
            <DataTable
              caption="Counts per quadrant"
              rows={Object.entries(g.counts)}
              rowKey={([k]) => k}
              columns={[['Quadrant', ([k]) => humanise(k)], ['Stakeholders', ([, n]) => n]]}
            />
            {editable && g.stakeholders.length > 0 && (
              <MoveForm points={g.stakeholders} busy={assess.isPending} onMove={(point, interest, influence) => assess.mutate({ point, interest, influence })} />
            )}
            <h2>Movement</h2>
            <form className="app-filters" onSubmit={(e: FormEvent<HTMLFormElement>) => { e.preventDefault(); setSince(String(new FormData(e.currentTarget).get('since') ?? '')); }}>
              <TextInput id="since" name="since" type="date" label="Moved since" defaultValue={since} />
              <Button type="submit" secondary>Show movement</Button>
            </form>
            {g.moved && (
              <DataTable
                caption="Stakeholders who moved"
                rows={g.moved}
                rowKey={(m) => m.stakeholder_id}
                empty="Nobody moved quadrant in that time."
                columns={[
                  ['Stakeholder', (m) => <Link to={`/stakeholders/${m.stakeholder_id}`} dir="auto">{m.name}</Link>],
                  ['From', (m) => humanise(m.from)],
                  ['To', (m) => humanise(m.to)],
                ]}
              />
            )}
          </>
        )}
      </Loaded>
    </>
  );
}

function Grid({ grid, editable, onMove }: { grid: Schemas['Grid']; editable: boolean; onMove: (p: Point, interest: number, influence: number) => void }) {
  const navigate = useNavigate();
  const [over, setOver] = useState<string | null>(null);
  const { cells, unassessed } = placeOnGrid(grid.stakeholders);
  const byId = new Map(grid.stakeholders.map((p) => [p.id, p]));

  function drop(event: DragEvent<HTMLDivElement>, interest: number, influence: number) {
    event.preventDefault();
    setOver(null);
    const point = byId.get(event.dataTransfer.getData('text/plain'));
    if (point && (point.interest !== interest || point.influence !== influence)) onMove(point, interest, influence);
  }

  return (
    <>
      <p className="nhsuk-body">
        Influence rises up the grid and interest to the right; high means {grid.threshold} or more.
        {editable && ' Drag a stakeholder to another cell to record a new assessment, or use the form below the grid.'}
      </p>
      <div className="app-grid" role="group" aria-label="Power/interest grid">
        {[...SCORES].reverse().map((influence) => (
          <div key={`row-${influence}`} style={{ display: 'contents' }}>
            <div className="app-grid__axis" aria-hidden="true">{influence}</div>
            {SCORES.map((interest) => {
              const key = `${interest},${influence}`;
              const points = cells.get(key) ?? [];
              const quadrant = quadrantOf(interest, influence, grid.threshold);
              return (
                <div
                  key={key}
                  className={`app-grid__cell app-grid__cell--${quadrant}${over === key ? ' app-grid__cell--over' : ''}`}
                  data-cell={key}
                  title={`${humanise(quadrant)}: interest ${interest}, influence ${influence}`}
                  onDragOver={editable ? (e) => { e.preventDefault(); setOver(key); } : undefined}
                  onDragLeave={editable ? () => setOver(null) : undefined}
                  onDrop={editable ? (e) => drop(e, interest, influence) : undefined}
                >
                  {points.slice(0, SHOWN_PER_CELL).map((p) => (
                    <a
                      key={p.id}
                      href={`/stakeholders/${p.id}`}
                      className="app-grid__point"
                      draggable={editable}
                      data-stakeholder={p.id}
                      aria-label={`${p.name}: interest ${interest}, influence ${influence}, ${humanise(quadrant)}`}
                      onDragStart={(e) => e.dataTransfer.setData('text/plain', p.id)}
                      onClick={(e) => { e.preventDefault(); navigate(`/stakeholders/${p.id}`); }}
                    >
                      {initials(p.name)}
                    </a>
                  ))}
                  {points.length > SHOWN_PER_CELL && <span className="nhsuk-body-s">+{points.length - SHOWN_PER_CELL} more</span>}
                </div>
              );
            })}
          </div>
        ))}
        <div />
        {SCORES.map((interest) => <div key={`x-${interest}`} className="app-grid__axis" aria-hidden="true">{interest}</div>)}
      </div>
      <div className="app-quadrant-legend nhsuk-u-margin-top-3 nhsuk-body-s">
        <span>Top left: keep satisfied ({grid.counts.keep_satisfied})</span>
        <span>Top right: manage closely ({grid.counts.manage_closely})</span>
        <span>Bottom left: monitor ({grid.counts.monitor})</span>
        <span>Bottom right: keep informed ({grid.counts.keep_informed})</span>
      </div>
      {unassessed.length > 0 && <p className="nhsuk-body">Not yet assessed: {unassessed.length} stakeholders.</p>}
    </>
  );
}

function initials(name: string): string {
  return name.split(/\s+/).filter(Boolean).slice(0, 3).map((w) => w[0]?.toUpperCase()).join('');
}

/** The keyboard (and screen reader) way to move a stakeholder: choose, score, save. */
function MoveForm({ points, busy, onMove }: { points: Point[]; busy: boolean; onMove: (p: Point, interest: number, influence: number) => void }) {
  const sorted = [...points].sort((a, b) => a.name.localeCompare(b.name));
  function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const point = points.find((p) => p.id === form.get('stakeholder'));
    if (point) onMove(point, Number(form.get('move-interest')), Number(form.get('move-influence')));
  }
  return (
    <>
      <h2>Move a stakeholder</h2>
      <form onSubmit={submit} className="app-filters" aria-label="Move a stakeholder">
        <Select id="stakeholder" name="stakeholder" label="Stakeholder">
          {sorted.map((p) => <option key={p.id} value={p.id}>{p.name} ({p.interest ?? '–'}, {p.influence ?? '–'})</option>)}
        </Select>
        <Select id="move-interest" name="move-interest" label="Interest" defaultValue="3">
          {SCORES.map((n) => <option key={n} value={n}>{n}</option>)}
        </Select>
        <Select id="move-influence" name="move-influence" label="Influence" defaultValue="3">
          {SCORES.map((n) => <option key={n} value={n}>{n}</option>)}
        </Select>
        <Button type="submit" secondary disabled={busy}>Record assessment</Button>
      </form>
    </>
  );
}

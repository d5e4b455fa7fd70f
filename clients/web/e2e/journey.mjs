// The journey a newcomer takes after `make run`, as the admin, then what a viewer may (not) see.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const NAME = 'Robin Testwell'; // the database is new for every run

export async function journey({ page, step, axe, shot, ADMIN, VIEWER }) {
  const heading = (name) => page.getByRole('heading', { level: 1, name }).waitFor();
  const nav = (name) => page.getByRole('navigation', { name: 'Menu' }).getByRole('link', { name, exact: true }).click();
  let stakeholderUrl = '';
  /** Go to a page inside the app without reloading it: a reload signs out (the token is in memory only). */
  const open = (path) => page.evaluate((to) => { window.history.pushState({}, '', to); window.dispatchEvent(new PopStateEvent('popstate')); }, path);

  /** A colleague's changes made beside the app, through the API. The token is asked for once: sign-in is limited
   * to 10 a minute per account and address, which the journey's sign-ins would otherwise reach. */
  let adminToken = null;
  async function adminHeaders() {
    if (adminToken === null) {
      const answer = await page.request.post('/api/v1/auth/token', { form: { grant_type: 'password', username: ADMIN.email, password: ADMIN.password } });
      assert.equal(answer.status(), 200);
      adminToken = (await answer.json()).access_token;
    }
    return { Authorization: `Bearer ${adminToken}` };
  }

  async function signIn(user) {
    await page.getByLabel('Email address').fill(user.email);
    await page.getByLabel('Password').fill(user.password);
    await page.getByRole('button', { name: 'Sign in' }).click();
  }

  await step('a deep link before signing in leads to sign-in, then back to the page', async () => {
    await page.goto('/plans');
    await heading('Sign in to Involve');
    await axe('sign in');
    await shot('01-sign-in');
    await signIn({ email: ADMIN.email, password: 'wrong-password-000' });
    await page.getByRole('alert').getByText('The email or password is not right.').waitFor();
    await axe('sign in with an error');
    await signIn(ADMIN);
    await heading('Communication and engagement plans');
  });

  await step('home shows the headline figures, overdue feedback and actions', async () => {
    await nav('Home');
    await heading('Home');
    await page.getByText('Engagement this period').waitFor();
    await page.locator('.app-figure').first().waitFor();
    // The demo plan has one action ten days late; the sections that fan out per plan fill in.
    await page.getByRole('table', { name: 'Overdue actions' }).getByRole('link', { name: 'Publish the easy read summary and survey' }).waitFor();
    await page.waitForLoadState('networkidle');
    await axe('home');
    await shot('02-home');
  });

  await step('the register lists, searches and pages', async () => {
    // A name of one long word (Welsh place names are) must not push the other columns out of sight.
    const long = 'Llanfairpwllgwyngyllgogerychwyrndrobwllllantysiliogogogoch'.repeat(3);
    assert.equal((await page.request.post('/api/v1/stakeholders', { headers: await adminHeaders(), data: { name: long } })).status(), 201);
    await nav('Stakeholders');
    await heading('Stakeholder register');
    // A new page takes the focus to its content, as a page load would, rather than leaving it on the menu.
    assert.equal(await page.evaluate(() => document.activeElement?.id), 'maincontent');
    await page.getByText(/\d+ stakeholders/).waitFor();
    const right = await page.locator('.nhsuk-table-container').evaluate((el) => el.getBoundingClientRect().right);
    const flags = await page.getByRole('columnheader', { name: 'Flags' }).evaluate((el) => el.getBoundingClientRect().left);
    assert.ok(flags < right, 'the last column of the register is in sight');
    await axe('stakeholder register');
    await shot('03-stakeholder-register');
    await page.getByLabel('Search').fill('zzzz-nobody');
    await page.getByRole('button', { name: 'Apply filters' }).click();
    await page.getByText('No stakeholders match these filters.').waitFor();
    assert.match(page.url(), /q=zzzz-nobody/);
  });

  await step('creating a stakeholder shows the API field errors in the NHS error summary, then saves', async () => {
    await nav('Stakeholders');
    await page.getByRole('link', { name: 'Add a stakeholder' }).click();
    await heading('Add a stakeholder');
    await page.getByLabel('Name', { exact: true }).fill(NAME);
    await page.getByLabel('Email (optional)').fill('not-an-email');
    await page.getByRole('button', { name: 'Add stakeholder' }).click();
    const summary = page.locator('.nhsuk-error-summary');
    await summary.getByRole('link', { name: /Email/ }).waitFor();
    await axe('stakeholder form with errors');
    await shot('04-stakeholder-form-errors');
    await page.getByLabel('Email (optional)').fill('robin.test@example.org');
    await page.getByLabel('Patient', { exact: true }).check();
    await page.getByRole('button', { name: 'Add stakeholder' }).click();
    await heading(NAME);
    stakeholderUrl = new URL(page.url()).pathname;
    assert.equal(await page.title(), 'Stakeholder – Involve'); // the browser's history keeps titles: no name
  });

  await step('mapping the stakeholder: an assessment places them in a quadrant', async () => {
    await page.getByLabel('Interest (1 to 5)').selectOption('4');
    await page.getByLabel('Influence (1 to 5)').selectOption('5');
    await page.getByRole('button', { name: 'Add assessment' }).click();
    await page.getByRole('table').filter({ hasText: 'Quadrant' }).getByText('Manage closely').waitFor();
    await axe('stakeholder page');
    await shot('05-stakeholder-page');
  });

  await step('dragging the stakeholder on the grid records a new assessment', async () => {
    await nav('Grid');
    await heading('Power/interest grid');
    const id = stakeholderUrl.split('/').pop();
    const point = page.locator(`[data-stakeholder="${id}"]`);
    await point.waitFor();
    await axe('grid');
    await shot('06-grid');
    await point.dragTo(page.locator('[data-cell="2,1"]'));
    await page.getByRole('status').getByText(`${NAME} is now at interest 2, influence 1: Monitor.`).waitFor();
    await page.locator('[data-cell="2,1"]').locator(`[data-stakeholder="${id}"]`).waitFor();
  });

  await step('the keyboard alternative on the grid moves a stakeholder too', async () => {
    const value = await page.locator('#stakeholder option', { hasText: NAME }).getAttribute('value');
    await page.getByLabel('Stakeholder', { exact: true }).selectOption(value);
    await page.getByLabel('Interest', { exact: true }).selectOption('1');
    await page.getByLabel('Influence', { exact: true }).selectOption('5');
    await page.getByRole('button', { name: 'Record assessment' }).focus();
    await page.keyboard.press('Enter');
    await page.getByRole('status').getByText(`${NAME} is now at interest 1, influence 5: Keep satisfied.`).waitFor();
  });

  await step('importing a CSV previews per-row errors before anything is written', async () => {
    await nav('Stakeholders');
    await page.getByRole('link', { name: 'Import from CSV' }).click();
    await heading('Import stakeholders');
    const csv = 'name,email,categories\nImported Person One,one@example.org,patient\nImported Person Two,not-an-email,carer\n';
    await page.getByLabel('CSV file').setInputFiles({ name: 'people.csv', mimeType: 'text/csv', buffer: Buffer.from(csv) });
    await page.getByRole('button', { name: 'Check the file' }).click();
    await page.getByRole('heading', { name: 'Preview of people.csv' }).waitFor();
    await page.getByRole('cell', { name: 'email', exact: true }).waitFor();
    await page.getByText('2 rows: 1 to create, 0 to update, 0 to skip, 1 with errors.').waitFor();
    await axe('import preview');
    await shot('07-import-preview');
    await page.getByLabel('When some rows have errors').selectOption('skip');
    await page.getByRole('button', { name: 'Check the file' }).click();
    await page.getByRole('button', { name: /^Import 1 stakeholders/ }).click();
    await page.getByText('Import complete').waitFor();
    await page.getByText('1 created').waitFor();
  });

  await step('organisations list and an organisation with its members', async () => {
    await nav('Organisations');
    await heading('Organisations');
    await axe('organisations');
    await page.getByRole('table').getByRole('link').first().click();
    await page.getByRole('heading', { name: 'Members' }).waitFor();
    await axe('organisation page');
    await shot('08-organisation');
  });

  await step('a plan page shows objectives, messages, budget, actions and risks', async () => {
    await nav('Plans');
    await heading('Communication and engagement plans');
    await axe('plans');
    await page.getByRole('link', { name: 'Bridport urgent treatment centre' }).click();
    await heading('Bridport urgent treatment centre');
    await page.getByRole('heading', { name: 'Risks and issues' }).waitFor();
    await page.waitForLoadState('networkidle');
    await axe('plan page');
    await shot('09-plan');
    // The demo plan is active, so it offers no approval (a new plan does, below).
    assert.equal(await page.getByRole('button', { name: 'Approve this plan' }).count(), 0);
    // An admin holds the plan's record (a claim is issued), which everyone then sees, and lifts the hold again.
    await page.getByLabel('Why the record is held').fill('Judicial review claim issued');
    await page.getByRole('button', { name: 'Put on legal hold' }).click();
    await page.locator('.nhsuk-warning-callout', { hasText: 'On legal hold' }).waitFor();
    await page.getByText(/Judicial review claim issued/).waitFor();
    await axe('plan on legal hold');
    await page.getByRole('button', { name: 'Lift the legal hold' }).click();
    await page.getByRole('button', { name: 'Put on legal hold' }).waitFor();
    assert.equal(await page.locator('.nhsuk-warning-callout', { hasText: 'On legal hold' }).count(), 0);
    await page.getByRole('link', { name: 'Power/interest grid for this plan' }).click();
    await heading('Power/interest grid for this plan');
    await page.locator('.app-grid__point').first().waitFor();
    await axe('plan grid');
  });

  await step('a new plan starts as a draft, and approving it records the approval', async () => {
    await nav('Plans');
    await heading('Communication and engagement plans');
    await page.getByLabel('New plan title').fill('Weymouth minor injuries review');
    await page.getByRole('button', { name: 'Start a plan' }).click();
    await heading('Weymouth minor injuries review');
    await page.locator('h1 + p').getByText('Draft').waitFor();
    await page.getByRole('button', { name: 'Approve this plan' }).click();
    await page.locator('h1 + p').getByText('Approved').waitFor();
    assert.equal(await page.getByRole('button', { name: 'Approve this plan' }).count(), 0);
  });

  let activityUrl = '';
  await step('logging an activity and marking attendance', async () => {
    await nav('Activities');
    await heading('Activities');
    await page.getByText('Log an activity').click();
    await page.getByLabel('Title').fill('Bridport drop-in session');
    await page.getByLabel('Method').selectOption('public_meeting');
    await page.getByLabel('Plan').selectOption({ label: 'Bridport urgent treatment centre' });
    await page.getByLabel('Starts').fill('2026-11-20T18:00');
    await axe('activities');
    await page.getByRole('button', { name: 'Log activity' }).click();
    await heading('Bridport drop-in session');
    activityUrl = new URL(page.url()).pathname;
    await page.getByLabel('Find a stakeholder').fill(NAME);
    await page.getByRole('button', { name: 'Find', exact: true }).click();
    await page.getByLabel('Stakeholder', { exact: true }).selectOption({ label: NAME });
    await page.getByRole('button', { name: 'Record', exact: true }).click();
    await page.getByRole('table').getByRole('link', { name: NAME }).waitFor();
    await page.getByLabel('People who attended but are not named').fill('12');
    await page.getByRole('button', { name: 'Save headcount' }).click();
    await page.getByText('1 invited, 13 attended (including 12 not named).').waitFor();
    await axe('activity with attendance');
    await shot('10-activity-attendance');
  });

  await step('the calendar view shows the activity on its day', async () => {
    await nav('Activities');
    await heading('Activities');
    await page.getByRole('navigation', { name: 'Activities view' }).getByRole('link', { name: 'Calendar' }).click();
    // The calendar opens on this month (UK); step to November 2026, when the activity was logged.
    const [year, month] = new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/London', year: 'numeric', month: '2-digit' }).format(new Date()).split('-').map(Number);
    const away = (year * 12 + month) - (2026 * 12 + 11);
    for (let i = 0; i < Math.abs(away); i += 1) {
      const caption = await page.locator('table caption').textContent();
      await page.getByRole('link', { name: away > 0 ? /^Previous month/ : /^Next month/ }).click();
      await page.locator('table caption').filter({ hasNotText: caption ?? '' }).waitFor();
    }
    const table = page.getByRole('table', { name: /Activities in November 2026/ });
    await table.waitFor();
    const cell = table.getByRole('cell').filter({ hasText: /Friday,? 20 November 2026/ });
    await cell.getByRole('link', { name: 'Bridport drop-in session' }).waitFor();
    await cell.getByText(/^\d\d:\d\d, Done$/).waitFor();
    assert.equal(await table.getByRole('columnheader').count(), 7);
    await axe('activities calendar');
    await shot('19-activities-calendar');
    await cell.getByRole('link', { name: 'Bridport drop-in session' }).click();
    await heading('Bridport drop-in session');
  });

  await step('feedback from the activity goes through the workflow to "we did" and is closed', async () => {
    assert.equal(new URL(page.url()).pathname, activityUrl);
    await page.getByRole('link', { name: 'Record feedback from this activity' }).click();
    await heading('Feedback inbox');
    await page.getByLabel('What they said').fill('The drop-in was too early for people who work.');
    await page.getByLabel('Themes (optional)').fill('timing, access');
    await page.getByLabel('Summary to publish (optional)').fill('Sessions were at times working people could not attend.');
    await page.getByLabel('May be published').check();
    await axe('feedback inbox');
    await shot('11-feedback-inbox');
    await page.getByRole('button', { name: 'Record feedback' }).click();
    await page.getByRole('heading', { name: 'You said' }).waitFor();
    await page.getByRole('button', { name: 'Mark as acknowledged' }).click();
    await page.locator('h1').getByText('Acknowledged').waitFor();
    await page.getByLabel('We did').fill('We added evening sessions on Tuesdays.');
    await page.getByLabel('Outcome').selectOption('changed');
    await page.getByLabel('What was done (when something changed)').fill('Two evening sessions added.');
    await page.getByLabel('How they were told').selectOption('published');
    await page.getByRole('button', { name: 'Save response' }).click();
    await page.locator('h1').getByText('Responded').waitFor();
    await axe('feedback responded');
    await page.getByRole('button', { name: 'Close the loop' }).click();
    await page.locator('h1').getByText('Closed').waitFor();
    await shot('12-feedback-we-did');
    await page.getByRole('link', { name: '“You said, we did” for the plan' }).click();
    await page.getByText('We added evening sessions on Tuesdays.').waitFor();
    await axe('you said, we did');
    await shot('13-you-said-we-did');
  });

  await step('admin: users, service accounts, calendar tokens and a verified audit chain', async () => {
    await nav('Admin');
    await heading('Admin');
    await page.getByRole('table').getByText(VIEWER.email).waitFor();
    await page.getByLabel('Full name').fill('Casey Contributor');
    await page.getByLabel('Email', { exact: true }).fill('casey.contributor@example.org');
    await page.getByLabel('Initial password').fill('casey-initial-password-01');
    await page.getByRole('button', { name: 'Add user' }).click();
    await page.getByRole('table').getByText('casey.contributor@example.org').waitFor();
    // The form is empty again: the initial password is not left in it, nor sent twice.
    assert.equal(await page.getByLabel('Initial password').inputValue(), '');
    assert.equal(await page.getByLabel('Email', { exact: true }).inputValue(), '');
    await axe('admin users');
    await page.getByRole('link', { name: 'Settings' }).click();
    const days = page.getByLabel('Working days to respond to feedback');
    await days.fill('25');
    await page.getByRole('button', { name: 'Save settings' }).click();
    await page.getByText('Settings saved.').waitFor();
    await axe('admin settings');
    // A colleague changes a setting meanwhile: this page's save is refused (412), and the form shows theirs.
    const colleague = await page.request.patch('/api/v1/tenant/settings', { headers: await adminHeaders(), data: { feedback_response_days: 15 } });
    assert.equal(colleague.status(), 200);
    await days.fill('30');
    await page.getByRole('button', { name: 'Save settings' }).click();
    await page.locator('.nhsuk-error-summary').getByText(/Someone else changed this record/).waitFor();
    await page.waitForFunction(() => document.querySelector('#feedback-days')?.value === '15');
    const tenant = await page.request.get('/api/v1/tenant', { headers: await adminHeaders() });
    assert.equal((await tenant.json()).settings.feedback_response_days, 15);
    // Back to the default, for the steps after this one.
    await page.request.patch('/api/v1/tenant/settings', { headers: await adminHeaders(), data: { feedback_response_days: 20 } });
    await page.getByRole('link', { name: 'Service accounts' }).click();
    await page.getByRole('heading', { name: 'Service accounts', level: 2 }).waitFor();
    await axe('admin service accounts');
    await page.getByRole('link', { name: 'Calendar tokens' }).click();
    await page.getByLabel('Label').fill('Intranet');
    await page.getByRole('button', { name: 'Add' }).click();
    await page.getByText('Copy it now').waitFor();
    await axe('admin calendar tokens');
    await page.getByRole('link', { name: 'Audit trail' }).click();
    await page.getByRole('button', { name: 'Verify the chain' }).click();
    await page.getByText('Intact').waitFor();
    await axe('audit trail');
    await shot('14-audit-trail');
  });

  await step('duty: record applicability, see the red item and its reason, download and verify the pack', async () => {
    await nav('Duty');
    await heading('Duty to involve');
    await axe('duty plans');
    await page.getByRole('link', { name: 'Bridport urgent treatment centre' }).click();
    await heading('Duty to involve: Bridport urgent treatment centre');
    await page.getByRole('heading', { name: 'Duty report' }).waitFor();
    await page.waitForLoadState('networkidle');
    await axe('duty record');
    await page.getByText('Record applicability (a new version)').click();
    const gunning = page.getByRole('group', { name: /Gunning principles/ });
    // The demo plan's signed-off version 1 prefills the form. Reasons emptied first: the API's problem+json
    // errors[] fill the NHS error summary.
    await gunning.getByLabel('Does it apply?').selectOption('yes');
    await gunning.getByLabel('Level (where it applies)').selectOption('consult');
    await gunning.getByLabel('Reasons').fill('');
    await page.getByRole('button', { name: 'Save as a new version' }).click();
    await page.locator('.nhsuk-error-summary').getByText(/Entries/).waitFor();
    await axe('duty applicability with errors');
    await gunning.getByLabel('Reasons').fill('Bridport urgent care moves to one site: a formal consultation is needed');
    await page.getByRole('button', { name: 'Save as a new version' }).click();
    await page.getByText(/Applicability record version \d+ saved/).waitFor();
    // The demo's equality impact assessment was published a week after the consultation opened (Gunning 2).
    const red = page.locator('.app-duty-item', { hasText: 'Sufficient reasons and information' });
    await red.getByText('Red', { exact: true }).waitFor();
    await red.getByText(/equality impact assessment was published on .* after the consultation opened/).waitFor();
    await page.getByRole('button', { name: /Sign off version/ }).waitFor();
    await page.waitForLoadState('networkidle');
    await axe('duty record with a report');
    await shot('16-duty-report');
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('button', { name: 'Download the evidence pack (JSON)' }).click(),
    ]);
    assert.match(download.suggestedFilename(), /^evidence-pack-.*\.json$/);
    const packPath = join(tmpdir(), `involve-e2e-${download.suggestedFilename()}`);
    await download.saveAs(packPath);
    const pack = JSON.parse(readFileSync(packPath, 'utf8'));
    assert.equal(pack.plan.title, 'Bridport urgent treatment centre');
    await page.getByLabel('Evidence pack (JSON)').setInputFiles(packPath);
    await page.getByRole('button', { name: 'Verify', exact: true }).click();
    await page.getByText('Valid: the pack is intact and its seal is in the audit trail.').waitFor();
    await axe('evidence pack verified');
    await shot('17-evidence-pack-verified');
  });

  await step('duty: a consultation with its pack uploaded (SHA-256, published at launch) and downloaded', async () => {
    await page.getByText('Add a consultation').click();
    // No title: the API's field error is listed in the error summary, linked to the field.
    await page.getByRole('button', { name: 'Add consultation' }).click();
    await page.locator('.nhsuk-error-summary a[href="#c-title"]').waitFor();
    await page.locator('#c-title').fill('Bridport urgent care consultation');
    const add = page.getByRole('form', { name: 'Add a consultation' });
    await add.getByLabel('Opened').fill('2026-11-01');
    await add.getByLabel('Closed').fill('2027-01-31');
    await page.getByRole('button', { name: 'Add consultation' }).click();
    await page.getByText('Consultation added.').waitFor();
    const content = 'Bridport urgent care: the consultation document.\n';
    const sha256 = createHash('sha256').update(content).digest('hex');
    await page.getByText('Upload a document').click();
    const uploading = page.getByRole('form', { name: 'Upload a document' });
    await uploading.getByLabel(/^File/).setInputFiles({ name: 'consultation-pack.txt', mimeType: 'text/plain', buffer: Buffer.from(content) });
    await page.locator('#doc-title').fill('Consultation pack');
    await uploading.getByLabel('Kind').selectOption('consultation_pack');
    await uploading.getByLabel('Consultation (optional)').selectOption({ label: 'Bridport urgent care consultation' });
    await uploading.getByLabel('Published at (optional)').fill('2026-10-30T09:00');
    await page.getByRole('button', { name: 'Upload', exact: true }).click();
    await page.getByText(`Uploaded “Consultation pack” (SHA-256 ${sha256}).`).waitFor();
    const docs = page.getByRole('table', { name: 'Documents of Bridport urgent care consultation' });
    await docs.getByText(sha256).waitFor();
    await docs.getByRole('row', { name: /Consultation pack/ }).getByRole('cell', { name: 'Yes', exact: true }).waitFor();
    await page.getByText('92 days', { exact: true }).waitFor();
    const [file] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('button', { name: 'Download Consultation pack' }).click(),
    ]);
    const saved = join(tmpdir(), `involve-e2e-${Date.now()}-${file.suggestedFilename()}`);
    await file.saveAs(saved);
    assert.equal(createHash('sha256').update(readFileSync(saved)).digest('hex'), sha256);
    await page.waitForLoadState('networkidle');
    // Details are corrected in place (the content never changes): here the publication time.
    await page.locator('summary', { hasText: 'Edit details of Consultation pack' }).click();
    const details = page.getByRole('form', { name: 'Details of Consultation pack' });
    await details.getByLabel('Published at (optional)').fill('2026-10-31T09:00');
    await details.getByRole('button', { name: 'Save document details' }).click();
    await page.getByText('Details of “Consultation pack” saved.').waitFor();
    await docs.getByRole('row', { name: /Consultation pack/ }).getByRole('cell', { name: 'Yes', exact: true }).waitFor();
    // Recorded as it opened; corrected when the decision is taken.
    await page.locator('summary', { hasText: 'Edit Bridport urgent care consultation' }).click();
    const edit = page.getByRole('form', { name: 'Edit Bridport urgent care consultation' });
    await edit.getByLabel('Decision date (optional)').fill('2027-02-20');
    await edit.getByLabel('Decided by (optional)').fill('ICB Board');
    await edit.getByLabel('Decision (optional)').fill('Option B: one site with a later bus');
    await edit.getByRole('button', { name: 'Save consultation' }).click();
    await page.getByText('Consultation “Bridport urgent care consultation” saved.').waitFor();
    await page.getByText(/Option B: one site with a later bus/).first().waitFor();
    await axe('duty consultations and documents');
    await page.getByRole('heading', { name: 'Consultations and documents' }).scrollIntoViewIfNeeded();
    await shot('18-duty-consultation-documents');
  });

  await step('duty: evidence links an activity, feedback and the pack; an item archived in error is restored', async () => {
    await page.locator('summary', { hasText: 'Add evidence' }).click();
    const form = page.getByRole('form', { name: 'Add evidence' });
    await form.getByLabel('Summary').fill('Residents shaped the options at the focus group');
    const activities = form.getByLabel('Activities (optional)');
    await activities.selectOption([await activities.locator('option').first().getAttribute('value')]);
    const feedback = form.getByLabel('Feedback (optional)');
    await feedback.selectOption([await feedback.locator('option').first().getAttribute('value')]);
    await form.getByLabel('Documents (optional)').selectOption({ label: 'Consultation pack' });
    await form.getByLabel('Consultation this decision is about').selectOption({ label: 'Bridport urgent care consultation' });
    await form.getByRole('button', { name: 'Add evidence' }).click();
    await page.getByText('Evidence added.').waitFor();
    const row = page.getByRole('table', { name: 'Evidence', exact: true }).getByRole('row', { name: /Residents shaped the options/ });
    await row.getByText(/^Activity: /).waitFor();
    await row.getByText(/^Feedback: /).waitFor();
    await row.getByText('Document: Consultation pack').waitFor();
    await row.locator('td', { hasText: 'Consultation: Bridport urgent care consultation' }).waitFor();
    await page.waitForLoadState('networkidle');
    await axe('duty evidence');
    await row.getByRole('button', { name: /^Archive/ }).click();
    await page.getByRole('button', { name: 'Yes, archive it' }).click();
    await page.getByText('Evidence item archived.').waitFor();
    await row.waitFor({ state: 'detached' });
    await page.locator('summary', { hasText: 'Archived evidence (1)' }).click();
    await page.getByRole('table', { name: 'Archived evidence' }).getByRole('button', { name: /^Restore/ }).click();
    await page.getByText('Evidence item restored.').waitFor();
    await row.waitFor();
  });

  await step('home lists the red items from duty reports', async () => {
    await nav('Home');
    await page.getByRole('heading', { name: 'Red items from duty reports' }).waitFor();
    await page.getByRole('table', { name: 'Red items from duty reports' }).getByRole('link', { name: 'Bridport urgent treatment centre' }).first().waitFor();
    await axe('home with red items');
  });

  await step('keyboard: the skip link comes first, shows when focused and moves to the content; sign out', async () => {
    await nav('Home');
    await heading('Home');
    // Start the Tab order from the top of the document, as after a page load.
    await page.evaluate(() => { document.body.tabIndex = -1; document.body.focus(); });
    await page.keyboard.press('Tab');
    const skip = page.getByRole('link', { name: 'Skip to main content' });
    assert.equal(await skip.evaluate((el) => el === document.activeElement), true);
    const box = await skip.boundingBox();
    assert.ok(box && box.height > 0 && box.y >= 0, 'the focused skip link is on screen');
    await page.keyboard.press('Enter');
    assert.equal(await page.evaluate(() => document.activeElement?.id), 'maincontent');
    await page.getByRole('button', { name: 'Sign out' }).click();
    await heading('Sign in to Involve');
  });

  await step('a viewer sees masked contact details and no edit controls', async () => {
    await signIn(VIEWER);
    await page.getByRole('navigation', { name: 'Menu' }).waitFor();
    assert.equal(await page.getByRole('link', { name: 'Admin', exact: true }).count(), 0);
    await nav('Stakeholders');
    await page.getByText(/\d+ stakeholders/).waitFor();
    assert.equal(await page.getByText('Add a stakeholder').count(), 0);
    assert.equal(await page.getByText('robin.test@example.org').count(), 0);
    // The register says the email is hidden, as the stakeholder's page does, rather than showing the API's ***.
    await page.getByRole('row', { name: new RegExp(NAME) }).getByText('Hidden').waitFor();
    assert.equal(await page.getByRole('table').getByText('***').count(), 0);
    await page.getByRole('link', { name: NAME }).click();
    await heading(NAME);
    await page.locator('.nhsuk-summary-list__row', { hasText: 'Email' }).getByText('Hidden').waitFor();
    assert.equal(await page.getByRole('link', { name: 'Edit' }).count(), 0);
    assert.equal(await page.getByRole('button', { name: 'Archive' }).count(), 0);
    assert.equal(await page.getByRole('button', { name: 'Add assessment' }).count(), 0);
    await axe('stakeholder page as viewer');
    await shot('15-viewer-stakeholder');
    // An organisation's contact details can be a person's: masked for a viewer too, and said to be hidden.
    await nav('Organisations');
    await heading('Organisations');
    await page.getByRole('table').getByText('Hidden').first().waitFor();
    assert.equal(await page.getByRole('table').getByText('***').count(), 0);
    await page.getByRole('table').getByRole('link').first().click();
    await page.getByRole('heading', { name: 'Members' }).waitFor();
    await page.locator('.nhsuk-summary-list__row', { hasText: 'Address' }).getByText('Hidden').waitFor();
    assert.equal(await page.locator('.nhsuk-summary-list').getByText('***').count(), 0);
    await nav('Grid');
    await heading('Power/interest grid');
    assert.equal(await page.getByRole('button', { name: 'Record assessment' }).count(), 0);
    await nav('Duty');
    await page.getByRole('link', { name: 'Bridport urgent treatment centre' }).click();
    await heading('Duty to involve: Bridport urgent treatment centre');
    await page.locator('.app-duty-item').first().waitFor();
    await page.waitForLoadState('networkidle');
    assert.equal(await page.getByText('Record applicability (a new version)').count(), 0);
    assert.equal(await page.getByRole('button', { name: /Sign off/ }).count(), 0);
    assert.equal(await page.getByRole('button', { name: /Download the evidence pack/ }).count(), 0);
    await axe('duty record as viewer');
  });

  await step('a first edit after signing in keeps the organisation the stakeholder belongs to', async () => {
    await page.getByRole('button', { name: 'Sign out' }).click();
    await signIn(ADMIN); // signing out emptied the cache: the organisations arrive after the form is shown
    await nav('Stakeholders');
    await page.getByRole('link', { name: 'Dr Amira Khan' }).click();
    await heading('Dr Amira Khan');
    await page.getByRole('link', { name: 'Edit', exact: true }).click();
    await heading('Edit Dr Amira Khan');
    assert.equal(await page.title(), 'Edit a stakeholder – Involve');
    const organisation = page.getByLabel('Organisation');
    await organisation.locator('option', { hasText: 'Bridport Medical Centre' }).waitFor({ state: 'attached' });
    // Saving now must not take her out of it.
    assert.equal(await organisation.locator('option:checked').textContent(), 'Bridport Medical Centre');
  });

  await step('an admin downloads what is held, erases one person and restricts another; the app then says so', async () => {
    const headers = await adminHeaders();
    const person = async (name) => (await (await page.request.post('/api/v1/stakeholders', { headers, data: { name } })).json()).id;
    const erased = await person('Ernie Erasable');
    const restricted = await person('Rita Restricted');
    await page.goto('/'); // a reload signs out: the token is in memory only
    await signIn(ADMIN);
    await heading('Home');
    await open(`/stakeholders/${erased}`);
    await heading('Ernie Erasable');
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('button', { name: 'Download what is held about them' }).click(),
    ]);
    assert.equal(download.suggestedFilename(), `subject-access-${erased}.json`);
    assert.equal(JSON.parse(readFileSync(await download.path(), 'utf8')).stakeholder.name, 'Ernie Erasable');
    // He first objected to being contacted at all (recorded by a lead or an admin).
    await page.getByText('Record an objection').click();
    await page.getByLabel('Their grounds').fill('Does not want calls');
    await page.getByRole('button', { name: 'Record objection' }).click();
    await page.getByText(/To any contact on .*: Pending \(Does not want calls\)/).waitFor();
    await page.getByRole('button', { name: 'Erase personal data' }).click();
    await page.getByRole('button', { name: 'Yes, erase' }).click();
    await page.getByText(/personal data was erased on/).waitFor();
    await page.getByRole('heading', { level: 1 }).getByText('Erased', { exact: true }).waitFor();
    assert.equal(await page.getByRole('link', { name: 'Edit', exact: true }).count(), 0);
    assert.equal(await page.getByRole('button', { name: /Restore|Archive/ }).count(), 0);
    assert.equal(await page.getByRole('button', { name: 'Add assessment' }).count(), 0);
    await open(`/stakeholders/${restricted}`);
    await heading('Rita Restricted');
    await page.getByRole('button', { name: 'Restrict processing' }).click();
    await page.locator('.nhsuk-error-summary').waitFor(); // a reason is required (the API's 422, on the field)
    await page.getByLabel('Why processing is restricted').fill('Accuracy contested');
    await page.getByRole('button', { name: 'Restrict processing' }).click();
    await page.getByText(/Accuracy contested/).waitFor();
    await page.getByText('Processing restricted').waitFor();
    await axe('a restricted stakeholder');
    await page.getByRole('button', { name: 'Lift the restriction' }).waitFor();
  });

  await step('an edit refused because someone else saved first (412) is explained, not retried over theirs', async () => {
    await open(`${stakeholderUrl}/edit`);
    await heading(`Edit ${NAME}`);
    // Meanwhile a colleague changes the job title.
    const headers = await adminHeaders();
    const id = stakeholderUrl.split('/').pop();
    const colleague = await page.request.patch(`/api/v1/stakeholders/${id}`, { headers, data: { job_title: 'Changed by a colleague' } });
    assert.equal(colleague.status(), 200);
    await page.getByLabel('Job title (optional)').fill('Mine');
    const save = async () => {
      const [answer] = await Promise.all([
        page.waitForResponse((r) => r.request().method() === 'PATCH' && r.url().includes(id)),
        page.getByRole('button', { name: 'Save changes' }).click(),
      ]);
      return answer.status();
    };
    assert.equal(await save(), 412);
    await page.locator('.nhsuk-error-summary').getByText(/Someone else changed this record/).waitFor();
    await page.waitForLoadState('networkidle'); // the record is fetched again underneath the form
    assert.equal(await save(), 412, 'the form still holds what was read before: it must not now overwrite theirs');
    await page.getByRole('link', { name: 'Back', exact: true }).click();
    await heading(NAME);
    await page.locator('.nhsuk-summary-list__row', { hasText: 'Job title' }).getByText('Changed by a colleague').waitFor();
  });

  await step('an import whose rows fail when confirmed says nothing was imported, and shows the rows', async () => {
    await nav('Stakeholders');
    await page.getByRole('link', { name: 'Import from CSV' }).click();
    await heading('Import stakeholders');
    const csv = 'name,email\nLate Comer,late.comer@example.org\n';
    await page.getByLabel('CSV file').setInputFiles({ name: 'late.csv', mimeType: 'text/csv', buffer: Buffer.from(csv) });
    await page.getByLabel('When a row matches an existing stakeholder').selectOption('error');
    await page.getByRole('button', { name: 'Check the file' }).click();
    await page.getByText('No row has an error.').waitFor();
    // Between the preview and the confirmation a colleague adds the same person.
    const made = await page.request.post('/api/v1/stakeholders', { headers: await adminHeaders(), data: { name: 'Late Comer', email: 'late.comer@example.org' } });
    assert.equal(made.status(), 201);
    await page.getByRole('button', { name: /^Import 1 stakeholders/ }).click();
    await page.locator('.nhsuk-error-summary').getByText(/Nothing was imported: 1 of 1 rows failed/).waitFor();
    await page.getByRole('table', { name: 'Rows with errors' }).waitFor();
    assert.equal(await page.getByText('Import complete').count(), 0);
    assert.equal(await page.getByRole('button', { name: /^Import 1 stakeholders/ }).count(), 0);
  });
}

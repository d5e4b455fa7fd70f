import type { Schemas } from '../../api/client';

// Enumerations from the API contract, in the order the API documents them.
export const CATEGORIES: Schemas['StakeholderCategory'][] = [
  'patient', 'carer', 'public', 'gp_member', 'staff', 'partner', 'provider', 'commissioner', 'influencer',
  'elected_representative', 'overview_scrutiny', 'media', 'voluntary_sector', 'community_group', 'professional_body',
  'regulator', 'seldom_heard', 'other',
];
export const QUADRANTS: Schemas['Quadrant'][] = ['manage_closely', 'keep_satisfied', 'keep_informed', 'monitor'];
export const KINDS: Schemas['StakeholderKind'][] = ['person', 'group', 'organisation'];
export const NEEDS: Schemas['CommunicationNeed'][] = [
  'large_print', 'easy_read', 'braille', 'bsl', 'audio', 'hearing_loop', 'interpreter', 'translation', 'plain_english', 'other',
];
export const CHANNELS: Schemas['Channel'][] = ['email', 'post', 'phone', 'text', 'face_to_face', 'online_meeting', 'newsletter', 'social_media'];
export const CONSENT_BASES: Schemas['ConsentBasis'][] = ['consent', 'contract', 'legal_obligation', 'vital_interests', 'public_task', 'legitimate_interests'];
/** An assessment's attitude, −2 to 2, as the API documents it. */
export const ATTITUDES: [number, string][] = [[-2, 'Opposed'], [-1, 'Sceptical'], [0, 'Neutral'], [1, 'Supportive'], [2, 'Champion']];
export const SORTS: [string, string][] = [
  ['name', 'Name (A to Z)'],
  ['-name', 'Name (Z to A)'],
  ['-updated_at', 'Recently updated'],
  ['-created_at', 'Recently added'],
];

import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { definedIds, referencesById, refreshPlan } from '../../scripts/test-plan.ts';

const plan = readFileSync(new URL('../../docs/TEST-PLAN.md', import.meta.url), 'utf8');

describe('docs/TEST-PLAN.md', () => {
	it('defines every BI-/AZ-/FT-/LD- id a test names', () => {
		const defined = definedIds(plan);
		const named = [...referencesById().keys()];
		expect(named.filter((id) => !defined.has(id))).toEqual([]);
	});

	it('lists, for each id, exactly the test files that name it (run npx tsx scripts/test-plan.ts to refresh)', () => {
		expect(refreshPlan(plan, referencesById())).toBe(plan);
	});
});

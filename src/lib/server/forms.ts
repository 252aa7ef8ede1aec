import { fail, isRedirect, type ActionFailure } from '@sveltejs/kit';
import type { z } from 'zod';
import { appContext } from './context';
import { AppError } from './errors';
import { fieldIssues, type FieldIssue } from '../protocol/api';
import type { ErrorCode } from '../protocol/errors';

/** What a failed form action returns to its page: per-field issues, a form-level code, the values. */
export type FormFailure = { issues: Record<string, FieldIssue>; error: ErrorCode | null; values: Record<string, unknown> };

/** Form fields as strings (a missing field is ''); `many` lists fields that repeat (checkboxes). */
export function formValues(form: FormData, names: string[], many: string[] = []): Record<string, unknown> {
	const values: Record<string, unknown> = {};
	for (const name of names) {
		const value = form.get(name);
		values[name] = typeof value === 'string' ? value : '';
	}
	for (const name of many) values[name] = form.getAll(name).filter((v): v is string => typeof v === 'string');
	return values;
}

/**
 * Runs a form action's work with the API's rules: validates `input` with `schema`, calls `work`, and
 * turns validation errors and AppErrors into `fail(status, FormFailure)`. Values echo back, passwords never.
 */
export async function formAction<S extends z.ZodType, T>(
	input: Record<string, unknown>,
	schema: S,
	work: (data: z.output<S>) => Promise<T>
): Promise<T | ActionFailure<FormFailure>> {
	const echo = Object.fromEntries(Object.entries(input).filter(([key]) => !key.toLowerCase().includes('password')));
	const parsed = schema.safeParse(input);
	if (!parsed.success) return fail(400, { issues: fieldIssues(parsed.error), error: 'VALIDATION', values: echo });
	try {
		return await work(parsed.data);
	} catch (error) {
		if (isRedirect(error)) throw error;
		if (error instanceof AppError) {
			const issues: Record<string, FieldIssue> = {};
			if (error.code === 'EMAIL_TAKEN') issues.email = { code: 'taken' };
			return fail(error.status, { issues, error: error.code, values: echo });
		}
		appContext().log.error({ err: error }, 'unhandled error in form action');
		return fail(500, { issues: {}, error: 'INTERNAL' as const, values: echo });
	}
}

/** Empty strings from optional form fields mean "not given". */
export function blankToNull(value: unknown): unknown {
	return typeof value === 'string' && value.trim() === '' ? null : value;
}

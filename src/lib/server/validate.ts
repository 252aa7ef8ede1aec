import type { z } from 'zod';
import { AppError } from './errors';
import { fieldErrors, onlyTooLong } from '../protocol/api';

/** Validates a value; VALIDATION (or TOO_LONG when only lengths failed) with per-field messages. */
export function parse<S extends z.ZodType>(schema: S, value: unknown): z.output<S> {
	const result = schema.safeParse(value);
	if (result.success) return result.data;
	const fields = fieldErrors(result.error);
	const code = onlyTooLong(result.error) ? 'TOO_LONG' : 'VALIDATION';
	const summary = Object.entries(fields)
		.map(([field, message]) => (field === '_' ? message : `${field}: ${message}`))
		.join('; ');
	throw new AppError(code, summary || 'Invalid input', { fields });
}

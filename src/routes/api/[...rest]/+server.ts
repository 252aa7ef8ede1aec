import { AppError } from '$lib/server/errors';
import { api } from '$lib/server/http';

const unknown = api(async () => {
	throw new AppError('NOT_FOUND', 'No such API endpoint');
});
export const GET = unknown;
export const POST = unknown;
export const PUT = unknown;
export const PATCH = unknown;
export const DELETE = unknown;

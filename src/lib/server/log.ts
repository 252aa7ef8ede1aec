import pino, { type Logger } from 'pino';
import type { Config } from './config';

export type { Logger };

/** Structured JSON logs on stdout. Cookies and passwords never reach a log line (redacted by path). */
export function createLogger(config: Pick<Config, 'logLevel'>): Logger {
	return pino({
		level: config.logLevel,
		base: { service: 'plenary' },
		redact: {
			paths: ['req.headers.cookie', 'headers.cookie', 'password', '*.password', 'token', '*.token'],
			censor: '[redacted]'
		}
	});
}

const palette = ['#1f77b4', '#d62728', '#2ca02c', '#9467bd', '#8c564b', '#e377c2', '#17becf', '#8a7f00', '#d95f02', '#3b5b92'];

/** A stable colour per person, the same on every device and in every document. */
export function colorOf(userId: string): string {
	let hash = 0;
	for (const char of userId) hash = (hash * 31 + char.charCodeAt(0)) >>> 0;
	return palette[hash % palette.length]!;
}

import { m } from '$lib/paraglide/messages';
import type { DocumentKind } from '$lib/protocol/api';

export function kindName(kind: DocumentKind): string {
	switch (kind) {
		case 'recommendations':
			return m.doc_kind_recommendations();
		case 'minutes':
			return m.doc_kind_minutes();
		case 'notes':
			return m.doc_kind_notes();
	}
}

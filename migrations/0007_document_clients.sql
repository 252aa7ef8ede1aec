-- Who owns each Yjs client id of a document: the account whose connection first wrote with it as its
-- own id, or the server (user_id null). Structs under an id owned by someone else are refused
-- (BI-13: nobody can make text appear written by another person), so authorship stays true.

create table document_clients (
	document_id uuid not null references documents (id) on delete cascade,
	client_id bigint not null,
	user_id uuid references users (id) on delete cascade,
	bound_at timestamptz not null default now(),
	primary key (document_id, client_id),
	constraint document_clients_client_id_range check (client_id between 0 and 4294967295)
);
comment on table document_clients is 'Yjs client id -> author per document (user_id null: the server itself). Written in the same transaction as the first stored update that uses the id; never changed afterwards.';

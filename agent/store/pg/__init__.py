"""The server backends of the product's own stores: transcripts, the memory queue, the
interview checkpoints and per-session turn locks in one Postgres database
(``MOCK_INTERVIEW_DATABASE_URL``), shared by any number of app workers."""

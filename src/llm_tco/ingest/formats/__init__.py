"""One module per source format; each exposes ``ADAPTER`` (see ``llm_tco.ingest.base.Adapter``)."""

"""Ordered schema migrations, recorded in the ``schema_migrations`` table of the store.

Each migration is applied once, in order, inside a transaction; a store written by a newer llm-tco (a
recorded version this build does not know) is refused rather than misread. Append new migrations; never
edit one that has shipped.

Storage layout (why it looks like this): the usage fact table holds only integers, timestamps and token
counts, because a re-audit of 100M rows has to scan it at tens of millions of rows per second. The
low-cardinality attributes of a row (provider, model, workload, team, tier, ...) live once per distinct
combination in ``usage_series`` and are joined back by a small integer key. ``usage_rows`` is the view
that presents the canonical usage row of DESIGN.md.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["MIGRATIONS", "Migration"]


@dataclass(frozen=True)
class Migration:
    version: int
    name: str
    sql: str


_V1 = """
CREATE TABLE ingested_files (
    file_id          INTEGER PRIMARY KEY,
    path             VARCHAR NOT NULL,
    fingerprint      VARCHAR NOT NULL,      -- sha256 of the file's bytes
    source_format    VARCHAR NOT NULL,
    size_bytes       BIGINT NOT NULL,
    ingested_at      TIMESTAMP NOT NULL,
    rows_read        BIGINT NOT NULL,
    rows_accepted    BIGINT NOT NULL,
    rows_quarantined BIGINT NOT NULL,
    rows_duplicate   BIGINT NOT NULL
);

CREATE TABLE usage_series (
    series_key     INTEGER PRIMARY KEY,
    series_id      UHUGEINT NOT NULL UNIQUE, -- md5 of every attribute below; identifies the combination
    source_format  VARCHAR NOT NULL,
    provider       VARCHAR,                 -- genai-prices provider id; NULL when it could not be inferred
    model_raw      VARCHAR NOT NULL,
    model          VARCHAR,                 -- genai-prices model id at ingest time; NULL when unresolved
    workload       VARCHAR NOT NULL,
    team           VARCHAR,
    project        VARCHAR,
    api_key_id     VARCHAR,
    "user"         VARCHAR,
    service_tier   VARCHAR,
    batch          BOOLEAN NOT NULL,
    region         VARCHAR,
    context_window VARCHAR                  -- a source's own long-context group (e.g. Anthropic '200k-1M')
);

CREATE TABLE usage (
    series_key            INTEGER NOT NULL,
    file_id               INTEGER NOT NULL,
    record_no             BIGINT NOT NULL,  -- 1-based over the file's data records
    record_key            UHUGEINT NOT NULL, -- the de-duplication key: md5 of the source's id, or
                                            -- (fingerprint's first 64 bits) × 2^64 + record_no
    source_record_id      VARCHAR,          -- 'id:<source id>'; NULL = 'fp:<fingerprint>:<record_no>'
    ts_start              TIMESTAMP NOT NULL, -- UTC
    ts_end                TIMESTAMP NOT NULL, -- UTC; equal to ts_start for a single request
    requests              BIGINT,           -- NULL when the source gives no request count
    input_tokens          BIGINT NOT NULL,  -- inclusive of cache reads and writes
    cache_read_tokens     BIGINT NOT NULL,
    cache_write_tokens    BIGINT NOT NULL,  -- all cache writes (5-minute and 1-hour)
    cache_write_1h_tokens BIGINT NOT NULL,  -- the 1-hour part of cache_write_tokens
    output_tokens         BIGINT NOT NULL,  -- inclusive of reasoning
    reasoning_tokens      BIGINT NOT NULL,
    reported_cost_usd     DECIMAL(18, 9)    -- the source's own cost figure, if any
);

CREATE TABLE quarantine (
    file_id     INTEGER NOT NULL,
    source_file VARCHAR NOT NULL,
    record_no   BIGINT NOT NULL,
    reason      VARCHAR NOT NULL
);

CREATE TABLE reported_costs (
    file_id          INTEGER NOT NULL,
    record_no        BIGINT NOT NULL,
    record_key       UHUGEINT NOT NULL,
    source_format    VARCHAR NOT NULL,
    provider         VARCHAR,
    model_raw        VARCHAR,
    workload         VARCHAR,
    line_item        VARCHAR,
    ts_start         TIMESTAMP NOT NULL,
    ts_end           TIMESTAMP NOT NULL,
    amount_usd       DECIMAL(18, 9) NOT NULL,  -- effective (amortised) cost where the source distinguishes
    billed_usd       DECIMAL(18, 9)            -- billed cost where the source gives it separately (FOCUS)
);

CREATE VIEW usage_rows AS
SELECT
    s.source_format, f.path AS source_file,
    coalesce(u.source_record_id, 'fp:' || f.fingerprint || ':' || u.record_no) AS source_record_id,
    u.record_no,
    u.ts_start, u.ts_end,
    s.provider, s.model_raw, s.model, s.workload, s.team, s.project, s.api_key_id, s."user",
    s.service_tier, s.batch, s.region, s.context_window,
    u.requests, u.input_tokens, u.cache_read_tokens, u.cache_write_tokens, u.cache_write_1h_tokens,
    u.output_tokens, u.reasoning_tokens, u.reported_cost_usd
FROM usage u
JOIN usage_series s USING (series_key)
JOIN ingested_files f USING (file_id);
"""

_V2 = """
-- Reported-cost details (provider exports, reconciliation, FOCUS).
ALTER TABLE reported_costs ADD COLUMN source_record_id VARCHAR;  -- 'cost:<id>' or 'costfp:<sha256>:<n>'
ALTER TABLE reported_costs ADD COLUMN project VARCHAR;            -- OpenAI project / Anthropic workspace
ALTER TABLE reported_costs ADD COLUMN api_key_id VARCHAR;
ALTER TABLE reported_costs ADD COLUMN service_tier VARCHAR;
ALTER TABLE reported_costs ADD COLUMN list_usd DECIMAL(18, 9);   -- list cost, where given (FOCUS ListCost)
ALTER TABLE reported_costs ADD COLUMN charge_category VARCHAR;    -- FOCUS ChargeCategory (Usage, Credit, ...)

-- Counts of a file's cost-only records, kept apart from its usage rows (rows_*).
ALTER TABLE ingested_files ADD COLUMN reported_read BIGINT DEFAULT 0;
ALTER TABLE ingested_files ADD COLUMN reported_accepted BIGINT DEFAULT 0;
ALTER TABLE ingested_files ADD COLUMN reported_quarantined BIGINT DEFAULT 0;
ALTER TABLE ingested_files ADD COLUMN reported_duplicate BIGINT DEFAULT 0;

-- Billed and list cost beside a usage row's reported (effective) cost, where the source gives them
-- (FOCUS token rows). A side table, so the usage fact table stays narrow.
CREATE TABLE usage_cost_details (
    record_key       UHUGEINT NOT NULL,   -- usage.record_key
    billed_cost_usd  DECIMAL(18, 9),
    list_cost_usd    DECIMAL(18, 9)
);
"""

_V3 = """
-- The usage rollup (llm_tco.pricing.rollup): the usage rows summed per file, series and constant-price
-- bucket — UTC day, time-of-day interval and long-context tier code over every boundary of the price data
-- the layout row records — so that an audit prices a few rows per series and day instead of scanning the
-- fact table. Maintained in the same transaction as the rows it sums.
CREATE TABLE usage_rollup (
    file_id               INTEGER NOT NULL,
    series_key            INTEGER NOT NULL,
    day                   DATE NOT NULL,     -- UTC day of ts_start (see the layout's grain)
    tod_s                 INTEGER NOT NULL,  -- start of its time-of-day interval (s after UTC midnight);
                                             -- -1: not split (the series' model has no time-of-day prices)
    tier_code             BIGINT NOT NULL,   -- tier floor of the mean request; -1 - floor without a count
    row_count             BIGINT NOT NULL,
    requests              HUGEINT,           -- NULL when no row of the group has a count
    requests_unknown_rows BIGINT NOT NULL,
    input_tokens          HUGEINT NOT NULL,
    cache_read_tokens     HUGEINT NOT NULL,
    cache_write_tokens    HUGEINT NOT NULL,
    cache_write_1h_tokens HUGEINT NOT NULL,
    output_tokens         HUGEINT NOT NULL,
    reasoning_tokens      HUGEINT NOT NULL
);

-- The boundaries usage_rollup was bucketed by; no row = not built yet (rebuilt from usage on a write).
CREATE TABLE usage_rollup_layout (
    tier_thresholds  BIGINT[] NOT NULL,
    tod_boundaries_s INTEGER[] NOT NULL,
    tod_models       VARCHAR[] NOT NULL,  -- 'provider/model' ids whose series are split by time of day
    date_boundaries  DATE[] NOT NULL,     -- price start dates (the 'segment' grain's boundaries)
    grain            VARCHAR NOT NULL,    -- 'day': day = the UTC day; 'segment': day = the first day of
                                          -- the month's part between price start dates (month grain only)
    built_at         TIMESTAMP NOT NULL
);
"""

_V4 = """
-- Record identity: a source id is unique only within its namespace (the format, plus the export's own
-- scope where it names one, or the user's --id-namespace), so stored ids become 'id:<namespace>:<id>'
-- ('cost:<namespace>:<id>' for cost-only records) and their keys the md5 of that. Rows stored before
-- carry no scope: they map to the bare format's namespace, which is what the same files give again.
CREATE TEMP TABLE _v4_keys AS
SELECT u.record_key AS old_key,
    md5_number('id:' || s.source_format || ':' || substr(u.source_record_id, 4)) AS new_key
FROM usage u JOIN usage_series s USING (series_key)
WHERE u.source_record_id IS NOT NULL;
UPDATE usage_cost_details SET record_key = k.new_key FROM _v4_keys k
WHERE usage_cost_details.record_key = k.old_key;
UPDATE usage SET
    source_record_id = 'id:' || s.source_format || ':' || substr(usage.source_record_id, 4),
    record_key = md5_number('id:' || s.source_format || ':' || substr(usage.source_record_id, 4))
FROM usage_series s
WHERE usage.series_key = s.series_key AND usage.source_record_id IS NOT NULL;
UPDATE reported_costs SET
    source_record_id = 'cost:' || source_format || ':' || substr(source_record_id, 6),
    record_key = md5_number('cost:' || source_format || ':' || substr(source_record_id, 6))
WHERE source_record_id LIKE 'cost:%';
DROP TABLE _v4_keys;

-- Growing and replaced files. What was read of a file, so that a later audit of the same path can tell
-- an unchanged file, one that grew by appending (only the new records are read) and one that changed
-- otherwise (left as it was, unless replaced).
ALTER TABLE ingested_files ADD COLUMN content_bytes BIGINT;       -- bytes of content read (decompressed
                                                                  -- for gzip); NULL: not known
ALTER TABLE ingested_files ADD COLUMN content_fingerprint VARCHAR; -- sha256 of those content bytes
ALTER TABLE ingested_files ADD COLUMN key_fingerprint VARCHAR;     -- the fingerprint that keys records
                                                                  -- without a source id: the first
                                                                  -- version's, so keys survive growth
ALTER TABLE ingested_files ADD COLUMN usage_records BIGINT;       -- usage records in the content read
                                                                  -- (all versions of the path together)
ALTER TABLE ingested_files ADD COLUMN reported_records BIGINT;    -- the same for cost-only records
ALTER TABLE ingested_files ADD COLUMN resolved_path VARCHAR;      -- the file's absolute path (symbolic
                                                                  -- links resolved), so that a path
                                                                  -- spelt otherwise is the same file;
                                                                  -- NULL: a database, or not known
UPDATE ingested_files SET
    key_fingerprint = fingerprint,
    usage_records = rows_read,
    reported_records = coalesce(reported_read, 0),
    -- a gzip file's content is its decompressed bytes, which a store before this version did not hash
    content_bytes = CASE WHEN lower(path) LIKE '%.gz' THEN NULL ELSE size_bytes END,
    content_fingerprint = CASE WHEN lower(path) LIKE '%.gz' THEN NULL ELSE fingerprint END;

-- Records without a source id are named by the fingerprint that keys them.
CREATE OR REPLACE VIEW usage_rows AS
SELECT
    s.source_format, f.path AS source_file,
    coalesce(u.source_record_id,
        'fp:' || coalesce(f.key_fingerprint, f.fingerprint) || ':' || u.record_no) AS source_record_id,
    u.record_no,
    u.ts_start, u.ts_end,
    s.provider, s.model_raw, s.model, s.workload, s.team, s.project, s.api_key_id, s."user",
    s.service_tier, s.batch, s.region, s.context_window,
    u.requests, u.input_tokens, u.cache_read_tokens, u.cache_write_tokens, u.cache_write_1h_tokens,
    u.output_tokens, u.reasoning_tokens, u.reported_cost_usd
FROM usage u
JOIN usage_series s USING (series_key)
JOIN ingested_files f USING (file_id);
"""

_V5 = """
-- Attribution applied per series (llm_tco.ingest.reattribute): a series keeps the raw inputs that
-- [[attribution]] rules and --workload-from read, is identified by them, and its workload is derived from
-- them, so that changed rules are re-applied to stored series without the files. Series written before
-- keep raw_inputs = false: their inputs were not kept, so they keep the workload they were given.
ALTER TABLE usage_series ADD COLUMN natural_workload VARCHAR;  -- the source format's own workload key
ALTER TABLE usage_series ADD COLUMN service_name VARCHAR;      -- OpenTelemetry service.name
ALTER TABLE usage_series ADD COLUMN tags VARCHAR[];            -- the request's tags
ALTER TABLE usage_series ADD COLUMN metadata JSON;             -- the keys kept: those the rules read and
                                                               -- few-valued ones; NULL: the source has none
ALTER TABLE usage_series ADD COLUMN workload_column VARCHAR;   -- generic files: the --workload-from column
                                                               -- natural_workload was read from
ALTER TABLE usage_series ADD COLUMN raw_inputs BOOLEAN DEFAULT false;

-- A cost-only record's own workload key, so that its workload can be re-derived too.
ALTER TABLE reported_costs ADD COLUMN natural_workload VARCHAR;
ALTER TABLE reported_costs ADD COLUMN raw_inputs BOOLEAN DEFAULT false;

-- The attribution settings the stored rows were attributed with (one row; none: never recorded).
CREATE TABLE attribution_state (
    rules_json    VARCHAR NOT NULL,  -- canonical JSON: {"rules": [...], "workload_from": ...}
    workload_from VARCHAR,
    fingerprint   VARCHAR NOT NULL,  -- sha256 of rules_json
    applied_at    TIMESTAMP NOT NULL
);
"""

MIGRATIONS: tuple[Migration, ...] = (
    Migration(1, "canonical usage, files, quarantine, reported costs", _V1),
    Migration(2, "reported-cost details, cost record counts, usage cost details", _V2),
    Migration(3, "usage rollup by series and constant-price bucket", _V3),
    Migration(4, "record ids within a namespace; growing and replaced files", _V4),
    Migration(5, "attribution per series: raw inputs, attribution state", _V5),
)

namespace EdgeAgent.Ingest;

/// <summary>
/// The fleet store's tables in PostgreSQL (docs/FLEET_STORE.md), created by the first receiver that finds them
/// missing. One row per batch, its samples as columnar arrays in sample order (joint columns joint-major, as on
/// the wire: joint 0's samples, then joint 1's; 1-based, joint j of sample i is <c>position[j * sample_count + i + 1]</c>), keyed by (robot_id, boot_id, seq) so that a batch sent twice, to one
/// receiver or to two, is stored once; and one row per robot with its latest state.
/// </summary>
internal static class FleetSchema
{
    /// <summary>The schema version this receiver writes (the <c>edgeagent_schema</c> table).</summary>
    public const int Version = 1;

    /// <summary>The DDL, idempotent; run under an advisory lock so that receivers starting together do not race.</summary>
    public const string Create = """
        SELECT pg_advisory_xact_lock(7454101);
        CREATE TABLE IF NOT EXISTS edgeagent_schema (
            version integer NOT NULL
        );
        INSERT INTO edgeagent_schema (version) SELECT 1 WHERE NOT EXISTS (SELECT 1 FROM edgeagent_schema);
        CREATE TABLE IF NOT EXISTS edgeagent_batches (
            robot_id        text NOT NULL,
            boot_id         text NOT NULL,
            seq             bigint NOT NULL CHECK (seq >= 0),
            stored_at       timestamptz NOT NULL DEFAULT now(),
            receiver        text NOT NULL,
            schema_version  integer NOT NULL,
            replay          boolean NOT NULL,
            sample_count    integer NOT NULL,
            joint_names     text[] NOT NULL,
            first_wall      timestamptz NOT NULL,
            last_wall       timestamptz NOT NULL,
            monotonic_ns    bigint[] NOT NULL,
            wall_unix_ns    bigint[] NOT NULL,
            overruns        bigint[] NOT NULL,
            position        real[] NOT NULL,
            velocity        real[] NOT NULL,
            effort          real[] NOT NULL,
            command         real[] NOT NULL,
            base_x          double precision[] NOT NULL,
            base_y          double precision[] NOT NULL,
            base_heading    real[] NOT NULL,
            base_velocity   real[] NOT NULL,
            tilt            real[] NOT NULL,
            tilt_rate       real[] NOT NULL,
            battery_level   real[] NOT NULL,
            battery_voltage real[] NOT NULL,
            cpu_percent     real[] NOT NULL,
            uplink_rtt_ms   real[] NOT NULL,
            safety_state    bytea NOT NULL,
            safety_cause    bytea NOT NULL,
            PRIMARY KEY (robot_id, boot_id, seq)
        );
        CREATE INDEX IF NOT EXISTS edgeagent_batches_robot_wall ON edgeagent_batches (robot_id, last_wall);
        -- The sample columns compress with lz4 where the server has it (Debian's does): per stored sample it took
        -- ~30 % less server CPU than the default pglz and stored ~15 % more batches/s (docs/BENCHMARKS.md).
        -- Metadata only, for values written from now on, and done once: a later start finds it set.
        DO $$
        DECLARE
            columns text;
        BEGIN
            IF 'lz4' = ANY ((SELECT enumvals FROM pg_settings WHERE name = 'default_toast_compression')::text[]) THEN
                SELECT string_agg(format('ALTER COLUMN %I SET COMPRESSION lz4', attname), ', ') INTO columns
                FROM pg_attribute
                WHERE attrelid = 'edgeagent_batches'::regclass AND attnum > 0 AND NOT attisdropped AND attlen = -1
                    AND attcompression <> 'l' AND atttypid <> 'text'::regtype;
                IF columns IS NOT NULL THEN
                    EXECUTE 'ALTER TABLE edgeagent_batches ' || columns;
                END IF;
            END IF;
        END $$;
        CREATE TABLE IF NOT EXISTS edgeagent_robot_latest (
            robot_id        text PRIMARY KEY,
            boot_id         text NOT NULL,
            seq             bigint NOT NULL,
            sample_wall     timestamptz NOT NULL,
            stored_at       timestamptz NOT NULL,
            receiver        text NOT NULL,
            battery_level   real NOT NULL,
            battery_voltage real NOT NULL,
            safety_state    smallint NOT NULL,
            safety_cause    smallint NOT NULL,
            base_x          double precision NOT NULL,
            base_y          double precision NOT NULL,
            base_heading    real NOT NULL,
            tilt            real NOT NULL,
            uplink_rtt_ms   real NOT NULL,
            batches         bigint NOT NULL,
            samples         bigint NOT NULL
        );
        -- Batches of the robot's current boot, so that fleet status reads its gaps (seq + 1 - boot_batches) from
        -- this row instead of counting the boot's rows. Added to version 1; a store from before gets it filled once.
        DO $$
        BEGIN
            IF NOT EXISTS (SELECT 1 FROM pg_attribute WHERE attrelid = 'edgeagent_robot_latest'::regclass AND attname = 'boot_batches' AND NOT attisdropped) THEN
                ALTER TABLE edgeagent_robot_latest ADD COLUMN boot_batches bigint NOT NULL DEFAULT 0;
                UPDATE edgeagent_robot_latest l SET boot_batches =
                    (SELECT count(*) FROM edgeagent_batches b WHERE b.robot_id = l.robot_id AND b.boot_id = l.boot_id);
            END IF;
        END $$;
        CREATE TABLE IF NOT EXISTS edgeagent_command_events (
            id              bigserial PRIMARY KEY,
            robot_id        text NOT NULL,
            boot_id         text NOT NULL,
            command_id      text NOT NULL,
            type            text NOT NULL,
            status          text NOT NULL,
            detail          text NOT NULL,
            completed_at    timestamptz NOT NULL,
            recorded_at     timestamptz NOT NULL DEFAULT now(),
            receiver        text NOT NULL
        );
        CREATE UNIQUE INDEX IF NOT EXISTS edgeagent_command_events_once ON edgeagent_command_events (robot_id, command_id) WHERE command_id <> '';
        CREATE INDEX IF NOT EXISTS edgeagent_command_events_robot ON edgeagent_command_events (robot_id, completed_at);
        CREATE TABLE IF NOT EXISTS edgeagent_fleet_alerts (
            id              bigserial PRIMARY KEY,
            robot_id        text NOT NULL,
            kind            text NOT NULL,
            detail          text NOT NULL,
            raised_at       timestamptz NOT NULL,
            cleared_at      timestamptz,
            receiver        text NOT NULL
        );
        CREATE UNIQUE INDEX IF NOT EXISTS edgeagent_fleet_alerts_open ON edgeagent_fleet_alerts (robot_id, kind) WHERE cleared_at IS NULL;
        CREATE TABLE IF NOT EXISTS edgeagent_command_links (   -- which receiver holds each robot's command link
            robot_id        text PRIMARY KEY,
            receiver        text NOT NULL,
            address         text NOT NULL,                   -- where the other receivers reach it (--advertise)
            since           timestamptz NOT NULL DEFAULT now()
        );
        """;

    public const string LinkUp = """
        INSERT INTO edgeagent_command_links (robot_id, receiver, address) VALUES ($1, $2, $3)
        ON CONFLICT (robot_id) DO UPDATE SET receiver = excluded.receiver, address = excluded.address, since = now()
        """;

    public const string LinkDown = "DELETE FROM edgeagent_command_links WHERE robot_id = $1 AND receiver = $2";

    public const string FindLink = "SELECT receiver, address FROM edgeagent_command_links WHERE robot_id = $1";

    public const string RaiseAlert = """
        INSERT INTO edgeagent_fleet_alerts (robot_id, kind, detail, raised_at, receiver) VALUES ($1, $2, $3, $4, $5)
        ON CONFLICT (robot_id, kind) WHERE cleared_at IS NULL DO UPDATE SET detail = excluded.detail, receiver = excluded.receiver
        """;

    public const string ClearAlert = """
        UPDATE edgeagent_fleet_alerts SET cleared_at = $3 WHERE robot_id = $1 AND kind = $2 AND cleared_at IS NULL
        """;

    public const string LastStored = "SELECT stored_at, receiver FROM edgeagent_robot_latest WHERE robot_id = $1";

    public const string FleetStatus = """
        SELECT l.robot_id, l.boot_id, l.seq, l.stored_at, l.sample_wall, l.receiver, l.battery_level, l.safety_state, l.safety_cause,
            l.base_x, l.base_y, l.batches, l.samples, now(), greatest(l.seq + 1 - l.boot_batches, 0),
            (SELECT coalesce(string_agg(a.kind || ': ' || a.detail, '; ' ORDER BY a.raised_at), '') FROM edgeagent_fleet_alerts a
                WHERE a.robot_id = l.robot_id AND a.cleared_at IS NULL),
            (SELECT coalesce(e.type || ' ' || e.status || ' at ' || to_char(e.completed_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"') || ': ' || e.detail, '')
                FROM edgeagent_command_events e WHERE e.robot_id = l.robot_id ORDER BY e.completed_at DESC, e.id DESC LIMIT 1)
        FROM edgeagent_robot_latest l ORDER BY l.robot_id
        """;

    /// <summary>One command result (the robot's event); a result already recorded for that command is left as it is.</summary>
    public const string InsertCommandEvent = """
        INSERT INTO edgeagent_command_events (robot_id, boot_id, command_id, type, status, detail, completed_at, receiver)
        VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
        ON CONFLICT (robot_id, command_id) WHERE command_id <> '' DO NOTHING
        """;

    /// <summary>One batch; a key already stored is left as it is (0 rows: DUPLICATE).</summary>
    public const string InsertBatch = """
        INSERT INTO edgeagent_batches (robot_id, boot_id, seq, receiver, schema_version, replay, sample_count, joint_names,
            first_wall, last_wall, monotonic_ns, wall_unix_ns, overruns, position, velocity, effort, command, base_x, base_y,
            base_heading, base_velocity, tilt, tilt_rate, battery_level, battery_voltage, cpu_percent, uplink_rtt_ms,
            safety_state, safety_cause)
        VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21, $22, $23,
            $24, $25, $26, $27, $28, $29)
        ON CONFLICT (robot_id, boot_id, seq) DO NOTHING
        """;

    /// <summary>
    /// A robot's latest state from its newest stored batch: the counts always grow, the state moves only forward in
    /// sample time (a replayed old batch stored after a newer one does not turn the clock back).
    /// </summary>
    public const string UpsertLatest = """
        INSERT INTO edgeagent_robot_latest AS l (robot_id, boot_id, seq, sample_wall, stored_at, receiver, battery_level,
            battery_voltage, safety_state, safety_cause, base_x, base_y, base_heading, tilt, uplink_rtt_ms, batches, samples, boot_batches)
        VALUES ($1, $2, $3, $4, now(), $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17)
        ON CONFLICT (robot_id) DO UPDATE SET
            stored_at = excluded.stored_at,
            receiver = excluded.receiver,
            batches = l.batches + excluded.batches,
            samples = l.samples + excluded.samples,
            boot_batches = CASE WHEN excluded.boot_id = l.boot_id THEN l.boot_batches + excluded.boot_batches
                                WHEN excluded.sample_wall >= l.sample_wall THEN excluded.boot_batches
                                ELSE l.boot_batches END,
            boot_id = CASE WHEN excluded.sample_wall >= l.sample_wall THEN excluded.boot_id ELSE l.boot_id END,
            seq = CASE WHEN excluded.sample_wall >= l.sample_wall THEN excluded.seq ELSE l.seq END,
            battery_level = CASE WHEN excluded.sample_wall >= l.sample_wall THEN excluded.battery_level ELSE l.battery_level END,
            battery_voltage = CASE WHEN excluded.sample_wall >= l.sample_wall THEN excluded.battery_voltage ELSE l.battery_voltage END,
            safety_state = CASE WHEN excluded.sample_wall >= l.sample_wall THEN excluded.safety_state ELSE l.safety_state END,
            safety_cause = CASE WHEN excluded.sample_wall >= l.sample_wall THEN excluded.safety_cause ELSE l.safety_cause END,
            base_x = CASE WHEN excluded.sample_wall >= l.sample_wall THEN excluded.base_x ELSE l.base_x END,
            base_y = CASE WHEN excluded.sample_wall >= l.sample_wall THEN excluded.base_y ELSE l.base_y END,
            base_heading = CASE WHEN excluded.sample_wall >= l.sample_wall THEN excluded.base_heading ELSE l.base_heading END,
            tilt = CASE WHEN excluded.sample_wall >= l.sample_wall THEN excluded.tilt ELSE l.tilt END,
            uplink_rtt_ms = CASE WHEN excluded.sample_wall >= l.sample_wall THEN excluded.uplink_rtt_ms ELSE l.uplink_rtt_ms END,
            sample_wall = GREATEST(l.sample_wall, excluded.sample_wall)
        """;
}

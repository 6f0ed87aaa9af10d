using Connectors.Abstractions;
using Connectors.Storage.Sqlite.Internal;
using Microsoft.Data.Sqlite;

namespace Connectors.Storage.Sqlite;

/// <summary>
/// An <see cref="IWebhookInbox"/> in a SQLite database. Delivery ids are remembered per (tenant, connection) for
/// de-duplication until purged; a new delivery is coalesced into a pending, unclaimed delivery of the same (tenant,
/// connection, kind, record key) — never into one a worker has claimed, which may already have fetched the record. A claim
/// takes pending deliveries that are unclaimed, whose claim has ended, or that the same worker claimed before.
/// </summary>
public sealed class SqliteWebhookInbox : IWebhookInbox
{
    private const string Columns =
        "id, tenant_id, connection, delivery_id, kind, record_key, topic, body, received_at, state, coalesced, lease_owner, lease_until";

    private readonly SqliteDatabase _db;

    /// <summary>Creates an inbox over the database the options name; the schema is created or migrated on first use.</summary>
    /// <param name="options">The options.</param>
    /// <exception cref="InvalidOperationException">The options are invalid.</exception>
    public SqliteWebhookInbox(SqliteStoreOptions options)
        : this(new SqliteDatabase(options))
    {
    }

    internal SqliteWebhookInbox(SqliteDatabase db) => _db = db;

    /// <inheritdoc />
    public Task<WebhookEnqueueResult> EnqueueAsync(WebhookDelivery delivery, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(delivery);
        ArgumentException.ThrowIfNullOrEmpty(delivery.TenantId, nameof(delivery));
        ArgumentException.ThrowIfNullOrEmpty(delivery.Connection, nameof(delivery));
        ArgumentException.ThrowIfNullOrEmpty(delivery.DeliveryId, nameof(delivery));
        ArgumentNullException.ThrowIfNull(delivery.RecordKey, nameof(delivery));
        return _db.WriteAsync(
            async (connection, transaction) =>
            {
                using (var seen = Sql.Command(
                    connection, transaction,
                    "INSERT INTO webhook_seen (tenant_id, connection, delivery_id, received_at) VALUES (@tenant, @connection, @deliveryId, @receivedAt) "
                    + "ON CONFLICT (tenant_id, connection, delivery_id) DO NOTHING;",
                    ("@tenant", delivery.TenantId), ("@connection", delivery.Connection), ("@deliveryId", delivery.DeliveryId),
                    ("@receivedAt", Sql.Time(delivery.ReceivedAt))))
                {
                    if (await seen.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false) == 0)
                    {
                        return WebhookEnqueueResult.Duplicate;
                    }
                }

                using (var coalesce = Sql.Command(
                    connection, transaction,
                    "UPDATE webhook_inbox SET coalesced = coalesced + 1, topic = COALESCE(@topic, topic), body = COALESCE(@body, body) "
                    + "WHERE id = (SELECT id FROM webhook_inbox WHERE tenant_id = @tenant AND connection = @connection AND kind = @kind "
                    + "AND record_key = @recordKey AND state = 'Pending' AND lease_owner IS NULL ORDER BY id LIMIT 1);",
                    ("@tenant", delivery.TenantId), ("@connection", delivery.Connection), ("@kind", delivery.Kind.Value),
                    ("@recordKey", delivery.RecordKey), ("@topic", delivery.Topic), ("@body", delivery.Body)))
                {
                    if (await coalesce.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false) == 1)
                    {
                        return WebhookEnqueueResult.Coalesced;
                    }
                }

                using var insert = Sql.Command(
                    connection, transaction,
                    "INSERT INTO webhook_inbox (tenant_id, connection, delivery_id, kind, record_key, topic, body, received_at, state, coalesced) "
                    + "VALUES (@tenant, @connection, @deliveryId, @kind, @recordKey, @topic, @body, @receivedAt, 'Pending', 1);",
                    ("@tenant", delivery.TenantId), ("@connection", delivery.Connection), ("@deliveryId", delivery.DeliveryId),
                    ("@kind", delivery.Kind.Value), ("@recordKey", delivery.RecordKey), ("@topic", delivery.Topic), ("@body", delivery.Body),
                    ("@receivedAt", Sql.Time(delivery.ReceivedAt)));
                await insert.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
                return WebhookEnqueueResult.Added;
            },
            cancellationToken);
    }

    /// <inheritdoc />
    public Task<IReadOnlyList<WebhookDelivery>> ClaimAsync(
        string tenantId, string connection, string owner, DateTimeOffset now, DateTimeOffset leaseUntil, int maxCount,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(tenantId);
        ArgumentNullException.ThrowIfNull(connection);
        ArgumentException.ThrowIfNullOrEmpty(owner);
        ArgumentOutOfRangeException.ThrowIfNegative(maxCount);
        return _db.RunAsync<IReadOnlyList<WebhookDelivery>>(
            async sqlite =>
            {
                using var command = Sql.Command(
                    sqlite, null,
                    "UPDATE webhook_inbox SET lease_owner = @owner, lease_until = @until WHERE id IN ("
                    + "SELECT id FROM webhook_inbox WHERE tenant_id = @tenant AND connection = @connection AND state = 'Pending' "
                    + "AND (lease_owner IS NULL OR lease_owner = @owner OR lease_until IS NULL OR lease_until <= @now) "
                    + $"ORDER BY received_at, id LIMIT @max) RETURNING {Columns};",
                    ("@tenant", tenantId), ("@connection", connection), ("@owner", owner), ("@until", Sql.Time(leaseUntil)),
                    ("@now", Sql.Time(now)), ("@max", maxCount));
                var result = new List<WebhookDelivery>();
                using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
                while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
                {
                    result.Add(Read(reader));
                }

                // RETURNING does not promise an order.
                return [.. result.OrderBy(d => d.ReceivedAt).ThenBy(d => d.Id)];
            },
            cancellationToken);
    }

    /// <inheritdoc />
    public Task CompleteAsync(string tenantId, IReadOnlyCollection<long> ids, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(tenantId);
        ArgumentNullException.ThrowIfNull(ids);
        if (ids.Count == 0)
        {
            return Task.CompletedTask;
        }

        return _db.WriteAsync(
            async (connection, transaction) =>
            {
                using var command = Sql.Command(
                    connection, transaction, "UPDATE webhook_inbox SET state = 'Processed' WHERE tenant_id = @tenant AND id = @id;",
                    ("@tenant", tenantId), ("@id", 0L));
                foreach (var id in ids)
                {
                    command.Parameters["@id"].Value = id;
                    await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
                }

                return ids.Count;
            },
            cancellationToken);
    }

    /// <inheritdoc />
    public Task<long> PurgeProcessedAsync(DateTimeOffset olderThan, CancellationToken cancellationToken = default)
        => _db.WriteAsync(
            async (connection, transaction) =>
            {
                long removed;
                using (var items = Sql.Command(
                    connection, transaction, "DELETE FROM webhook_inbox WHERE state = 'Processed' AND received_at < @cutoff;",
                    ("@cutoff", Sql.Time(olderThan))))
                {
                    removed = await items.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
                }

                using var seen = Sql.Command(
                    connection, transaction, "DELETE FROM webhook_seen WHERE received_at < @cutoff;", ("@cutoff", Sql.Time(olderThan)));
                await seen.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
                return removed;
            },
            cancellationToken);

    /// <inheritdoc />
    public Task<long> PurgeTenantAsync(string tenantId, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(tenantId);
        return _db.WriteAsync(
            async (connection, transaction) =>
            {
                long removed;
                using (var items = Sql.Command(connection, transaction, "DELETE FROM webhook_inbox WHERE tenant_id = @tenant;", ("@tenant", tenantId)))
                {
                    removed = await items.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
                }

                using var seen = Sql.Command(connection, transaction, "DELETE FROM webhook_seen WHERE tenant_id = @tenant;", ("@tenant", tenantId));
                await seen.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
                return removed;
            },
            cancellationToken);
    }

    private static WebhookDelivery Read(SqliteDataReader reader)
        => new()
        {
            Id = reader.GetInt64(0),
            TenantId = reader.GetString(1),
            Connection = reader.GetString(2),
            DeliveryId = reader.GetString(3),
            Kind = new EntityKind(reader.GetString(4)),
            RecordKey = reader.GetString(5),
            Topic = Sql.ReadNullableString(reader, 6),
            Body = Sql.ReadNullableString(reader, 7),
            ReceivedAt = Sql.ReadTime(reader, 8),
            State = Sql.ReadEnum<WebhookDeliveryState>(reader, 9),
            Coalesced = reader.GetInt32(10),
            LeaseOwner = Sql.ReadNullableString(reader, 11),
            LeaseUntil = Sql.ReadNullableTime(reader, 12),
        };
}
